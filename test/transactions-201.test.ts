import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_201 } from './support/raw-station.js';
import { nextEvent } from './support/events.js';
import type { TransactionEnded, TransactionStarted, TransactionUpdated } from '../src/modules/transactions/index.js';

const PASSWORD = 'station-password-0201';
type Frame = unknown[];

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const energy = (wh: number, timestamp: string, context = 'Sample.Periodic', unit?: { unit: string; multiplier?: number }) => ({
  timestamp,
  sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', context, ...(unit ? { unitOfMeasure: unit } : {}) }],
});

interface Event {
  eventType: 'Started' | 'Updated' | 'Ended';
  seqNo: number;
  txId: string;
  trigger: string;
  minutesAgo: number;
  timestamp?: string;
  chargingState?: string;
  stoppedReason?: string;
  offline?: boolean;
  idToken?: string;
  meter?: ReturnType<typeof energy>[];
}

const txEvent = (e: Event) => ({
  eventType: e.eventType,
  timestamp: e.timestamp ?? at(e.minutesAgo),
  triggerReason: e.trigger,
  seqNo: e.seqNo,
  ...(e.offline ? { offline: true } : {}),
  transactionInfo: {
    transactionId: e.txId,
    ...(e.chargingState ? { chargingState: e.chargingState } : {}),
    ...(e.stoppedReason ? { stoppedReason: e.stoppedReason } : {}),
  },
  ...(e.eventType === 'Started' ? { evse: { id: 1, connectorId: 1 } } : {}),
  ...(e.idToken ? { idToken: { idToken: e.idToken, type: 'ISO14443' } } : {}),
  ...(e.meter ? { meterValue: e.meter } : {}),
});

describe('OCPP 2.0.1 TransactionEvent over a real socket (E01–E15)', () => {
  let server: TestServer;
  let station: RawStation;
  const events: (TransactionStarted | TransactionUpdated | TransactionEnded)[] = [];

  const send = async (e: Event): Promise<{ idTokenInfo?: { status: string } }> => {
    const frame: Frame = await station.call('TransactionEvent', txEvent(e));
    expect(frame[0]).toBe(3);
    return frame[2] as { idTokenInfo?: { status: string } };
  };
  const session = async (txId: string) => {
    const items = (await server.api('GET', '/api/v1/sessions?stationId=TX201-A')).body.items as { id: string; transactionId: string }[];
    const found = items.filter((s) => s.transactionId === txId);
    expect(found).toHaveLength(1);
    return (await server.api('GET', `/api/v1/sessions/${found[0]!.id}`)).body;
  };

  beforeAll(async () => {
    server = await startTestServer();
    for (const type of ['TransactionStarted', 'TransactionUpdated', 'TransactionEnded'] as const) {
      server.app.bus.subscribe<TransactionStarted | TransactionUpdated | TransactionEnded>(type, (e) => void events.push(e));
    }
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'RFID-201', type: 'ISO14443' })).status).toBe(201);
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'RFID-BLOCKED', type: 'ISO14443', status: 'Blocked' })).status).toBe(201);
    expect((await server.api('POST', '/api/v1/stations', { id: 'TX201-A', password: PASSWORD })).status).toBe(201);
    station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'TX201-A', password: PASSWORD, protocols: ['ocpp2.0.1'] });
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted' });
  });
  afterAll(async () => {
    await station?.close();
    await server?.close();
  });

  it('E01.FR.12 E02 E06 TC_E_04_CSMS Started, Updated and Ended make one session: states, idTokenInfo, energy', async () => {
    const started = nextEvent<TransactionStarted>(server.app.bus, 'TransactionStarted', (e) => e.payload.transactionId === 'TX-1');
    const first = await send({
      eventType: 'Started', seqNo: 0, txId: 'TX-1', trigger: 'Authorized', minutesAgo: 30, idToken: 'RFID-201', chargingState: 'EVConnected',
      meter: [energy(5000, at(30), 'Transaction.Begin')],
    });
    expect(first.idTokenInfo?.status).toBe('Accepted');
    expect((await started).payload).toMatchObject({ stationId: 'TX201-A', evseId: 1, idToken: 'RFID-201' });
    expect(await session('TX-1')).toMatchObject({ status: 'idle', evseId: 1, connectorId: 1, idToken: 'RFID-201', idTokenType: 'ISO14443' });

    // An event without an idToken gets no idTokenInfo.
    expect(await send({ eventType: 'Updated', seqNo: 1, txId: 'TX-1', trigger: 'ChargingStateChanged', minutesAgo: 25, chargingState: 'Charging' })).toEqual({});
    expect((await session('TX-1')).status).toBe('charging');
    await send({
      eventType: 'Updated', seqNo: 2, txId: 'TX-1', trigger: 'MeterValuePeriodic', minutesAgo: 20,
      meter: [energy(5.5, at(20), 'Sample.Periodic', { unit: 'kWh' })],
    });
    await send({ eventType: 'Updated', seqNo: 3, txId: 'TX-1', trigger: 'ChargingStateChanged', minutesAgo: 15, chargingState: 'SuspendedEV' });
    expect(await session('TX-1')).toMatchObject({ status: 'suspended_ev', energyWh: 500 });
    await send({ eventType: 'Updated', seqNo: 4, txId: 'TX-1', trigger: 'ChargingStateChanged', minutesAgo: 14, chargingState: 'SuspendedEVSE' });
    expect((await session('TX-1')).status).toBe('suspended_evse');

    const ended = nextEvent<TransactionEnded>(server.app.bus, 'TransactionEnded', (e) => e.payload.transactionId === 'TX-1');
    const last = await send({
      eventType: 'Ended', seqNo: 5, txId: 'TX-1', trigger: 'StopAuthorized', minutesAgo: 10, idToken: 'RFID-201', stoppedReason: 'Local', chargingState: 'EVConnected',
      meter: [energy(8000, at(10), 'Transaction.End')],
    });
    expect(last.idTokenInfo?.status).toBe('Accepted');
    expect((await ended).payload).toMatchObject({ energyWh: 3000, stopReason: 'Local' });
    const detail = await session('TX-1');
    expect(detail).toMatchObject({ status: 'finished', stopReason: 'Local', energyWh: 3000, startedAt: expect.any(String), stoppedAt: expect.any(String) });
    expect(detail.timeline.energy.map((p: { energyWh: number }) => p.energyWh)).toEqual([0, 500, 3000]);
  });

  it('E13 a retried TransactionEvent with the same seqNo is stored once and answered the same', async () => {
    await send({ eventType: 'Started', seqNo: 0, txId: 'TX-DUP', trigger: 'CablePluggedIn', minutesAgo: 9, chargingState: 'EVConnected' });
    const update: Event = { eventType: 'Updated', seqNo: 1, txId: 'TX-DUP', trigger: 'Authorized', minutesAgo: 8, idToken: 'RFID-201', chargingState: 'Charging', meter: [energy(100, at(8))] };
    const before = events.filter((e) => e.payload.transactionId === 'TX-DUP').length;
    const first = await send(update);
    const retry = await send(update);
    expect(retry).toEqual(first);
    expect(first.idTokenInfo?.status).toBe('Accepted');
    // One TransactionUpdated for two deliveries; one sample in the timeline.
    expect(events.filter((e) => e.payload.transactionId === 'TX-DUP').length - before).toBe(1);
    const detail = await session('TX-DUP');
    expect(detail.sampleCount).toBe(1);
    expect(detail).toMatchObject({ status: 'charging', idToken: 'RFID-201' });
  });

  it('TC_E_31_CSMS an Ended that skips two seqNos, then the two filled in later with offline=true: all accepted, session final', async () => {
    await send({ eventType: 'Started', seqNo: 0, txId: 'TX-GAP', trigger: 'Authorized', minutesAgo: 60, idToken: 'RFID-201', meter: [energy(0, at(60), 'Transaction.Begin')] });
    await send({ eventType: 'Updated', seqNo: 1, txId: 'TX-GAP', trigger: 'ChargingStateChanged', minutesAgo: 59, chargingState: 'Charging' });
    await send({
      eventType: 'Ended', seqNo: 4, txId: 'TX-GAP', trigger: 'EVCommunicationLost', minutesAgo: 40, chargingState: 'Idle', offline: true, stoppedReason: 'EVDisconnected',
      meter: [energy(4000, at(40), 'Transaction.End')],
    });
    expect(await session('TX-GAP')).toMatchObject({ status: 'finished', stopReason: 'EVDisconnected', energyWh: 4000, awaitingMessages: true });
    // E14: the CSMS asks whether seqNos 2 and 3 are still queued; they are.
    const asked = await station.nextCall('GetTransactionStatus');
    expect(asked[3]).toEqual({ transactionId: 'TX-GAP' });
    station.reply(String(asked[1]), { ongoingIndicator: false, messagesInQueue: true });
    const stopAuth = await send({ eventType: 'Updated', seqNo: 2, txId: 'TX-GAP', trigger: 'StopAuthorized', minutesAgo: 45, offline: true, idToken: 'RFID-201', meter: [energy(3000, at(45))] });
    expect(stopAuth.idTokenInfo?.status).toBe('Accepted');
    expect(await send({ eventType: 'Updated', seqNo: 3, txId: 'TX-GAP', trigger: 'ChargingStateChanged', minutesAgo: 44, chargingState: 'EVConnected', offline: true })).toEqual({});
    const detail = await session('TX-GAP');
    expect(detail).toMatchObject({ status: 'finished', stopReason: 'EVDisconnected', energyWh: 4000, offline: true, awaitingMessages: false });
    expect(detail.timeline.energy.map((p: { energyWh: number }) => p.energyWh)).toEqual([0, 3000, 4000]);
  });

  it('TC_E_53_CSMS seqNo restarts at 0 for every transaction', async () => {
    for (const txId of ['TX-53-A', 'TX-53-B']) {
      await send({ eventType: 'Started', seqNo: 0, txId, trigger: 'CablePluggedIn', minutesAgo: 5, chargingState: 'EVConnected' });
      await send({ eventType: 'Updated', seqNo: 1, txId, trigger: 'ChargingStateChanged', minutesAgo: 4, chargingState: 'Charging' });
      await send({ eventType: 'Ended', seqNo: 2, txId, trigger: 'EVDeparted', minutesAgo: 3, stoppedReason: 'EVDisconnected' });
      expect(await session(txId)).toMatchObject({ status: 'finished', stopReason: 'EVDisconnected' });
    }
  });

  it('E04 out of order: an Updated seen before its Started makes one session that starts at the Started time', async () => {
    const startedAt = at(21);
    await send({ eventType: 'Updated', seqNo: 1, txId: 'TX-LATE', trigger: 'ChargingStateChanged', minutesAgo: 20, chargingState: 'Charging', offline: true });
    expect((await session('TX-LATE')).evseId).toBeNull();
    await send({ eventType: 'Started', seqNo: 0, txId: 'TX-LATE', trigger: 'CablePluggedIn', minutesAgo: 21, timestamp: startedAt, chargingState: 'EVConnected', offline: true });
    // The older Started fills in the start time and the EVSE but does not move the state back.
    expect(await session('TX-LATE')).toMatchObject({ status: 'charging', evseId: 1, startedAt });
  });

  it('E01.FR.11 a blocked idToken is answered Blocked in idTokenInfo; the event is still recorded', async () => {
    const reply = await send({ eventType: 'Started', seqNo: 0, txId: 'TX-BLK', trigger: 'Authorized', minutesAgo: 2, idToken: 'RFID-BLOCKED' });
    expect(reply.idTokenInfo?.status).toBe('Blocked');
    const unknown = await send({ eventType: 'Updated', seqNo: 1, txId: 'TX-BLK', trigger: 'Authorized', minutesAgo: 1, idToken: 'NEVER-SEEN' });
    expect(['Unknown', 'Invalid']).toContain(unknown.idTokenInfo?.status);
    expect(await session('TX-BLK')).toMatchObject({ idToken: 'RFID-BLOCKED', status: 'pending' });
  });

  it('J01 MeterValues outside a transaction are stored and acknowledged (main meter, evse 0)', async () => {
    const reply = await station.call('MeterValues', {
      evseId: 0,
      meterValue: [
        {
          timestamp: at(1),
          sampledValue: [
            { value: 230.1, measurand: 'Voltage', phase: 'L1-N', unitOfMeasure: { unit: 'V' } },
            { value: 123456, measurand: 'Energy.Active.Import.Register' },
          ],
        },
      ],
    });
    expect(reply[0]).toBe(3);
    expect(reply[2]).toEqual({});
  });

  it('J02 a reading first delivered in MeterValues joins the session once a TransactionEvent repeats it', async () => {
    const t = at(3);
    expect((await station.call('MeterValues', { evseId: 1, meterValue: [energy(700, t, 'Sample.Clock')] }))[0]).toBe(3);
    await send({ eventType: 'Started', seqNo: 0, txId: 'TX-MV', trigger: 'CablePluggedIn', minutesAgo: 3, timestamp: t, chargingState: 'Charging', meter: [energy(700, t, 'Transaction.Begin')] });
    await send({ eventType: 'Updated', seqNo: 1, txId: 'TX-MV', trigger: 'MeterValuePeriodic', minutesAgo: 2, meter: [energy(900, at(2))] });
    const detail = await session('TX-MV');
    expect(detail).toMatchObject({ energyWh: 200, sampleCount: 2 });
  });

  it('E13 an offline queue of 500 TransactionEvents delivered at once, with retries, is stored exactly once', async () => {
    const t0 = Date.now() - 2 * 3600_000;
    const ts = (i: number) => new Date(t0 + i * 1000).toISOString();
    await send({ eventType: 'Started', seqNo: 0, txId: 'TX-QUEUE', trigger: 'CablePluggedIn', minutesAgo: 0, timestamp: ts(0), chargingState: 'Charging', meter: [energy(0, ts(0), 'Transaction.Begin')] });
    const calls: Promise<unknown>[] = [];
    for (let i = 1; i <= 500; i++) {
      const e: Event = {
        eventType: 'Updated', seqNo: i, txId: 'TX-QUEUE', trigger: 'MeterValuePeriodic', minutesAgo: 0, timestamp: ts(i), offline: true,
        chargingState: i === 500 ? 'SuspendedEV' : 'Charging', meter: [energy(i * 20, ts(i))],
      };
      calls.push(send(e));
      if (i % 25 === 0) calls.push(send(e));
    }
    await Promise.all(calls);
    expect(await session('TX-QUEUE')).toMatchObject({ energyWh: 10_000, sampleCount: 501, status: 'suspended_ev', offline: true });
  });
});
