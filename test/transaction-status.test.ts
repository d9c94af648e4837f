import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_201 } from './support/raw-station.js';
import { nextEvent } from './support/events.js';
import type { TransactionEnded, TransactionStatusChecked } from '../src/modules/transactions/index.js';

/**
 * E14 GetTransactionStatus after a reconnect (TC_E_29/30/31_CSMS): a 2.0.1 station that comes
 * back while sessions are open here is asked about each; the answer is recorded on the session,
 * "not ongoing, nothing queued" closes it as EndedUnreported, anything queued keeps it open.
 */
const PASSWORD = 'station-password-e14-01';
type Frame = unknown[];

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const energy = (wh: number, timestamp: string, context = 'Sample.Periodic') => ({
  timestamp,
  sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', context }],
});

describe('E14 GetTransactionStatus when a 2.0.1 station reconnects with sessions open', () => {
  let server: TestServer;
  let seq = 0;
  const stations: RawStation[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    for (const s of stations) await s.close();
    await server?.close();
  });

  const connect = async (id: string): Promise<RawStation> => {
    const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id, password: PASSWORD, protocols: ['ocpp2.0.1'] });
    stations.push(station);
    return station;
  };

  const online = async (): Promise<{ id: string; station: RawStation }> => {
    const id = `E14-${++seq}`;
    expect((await server.api('POST', '/api/v1/stations', { id, password: PASSWORD })).status).toBe(201);
    const station = await connect(id);
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted' });
    return { id, station };
  };

  const send = async (station: RawStation, payload: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const frame = await station.call('TransactionEvent', payload);
    expect(frame[0], JSON.stringify(frame)).toBe(3);
    return frame[2] as Record<string, unknown>;
  };

  /** Started (1,000 Wh) 30 minutes ago, then an Updated (1,400 Wh) at `lastAt`. */
  const charge = async (station: RawStation, txId: string, lastAt: string) => {
    await send(station, {
      eventType: 'Started', timestamp: ago(30), triggerReason: 'CablePluggedIn', seqNo: 0,
      transactionInfo: { transactionId: txId, chargingState: 'Charging' }, evse: { id: 1, connectorId: 1 },
      meterValue: [energy(1000, ago(30), 'Transaction.Begin')],
    });
    await send(station, {
      eventType: 'Updated', timestamp: lastAt, triggerReason: 'MeterValuePeriodic', seqNo: 1,
      transactionInfo: { transactionId: txId, chargingState: 'Charging' }, meterValue: [energy(1400, lastAt)],
    });
  };

  const session = async (id: string, txId: string) => {
    const items = (await server.api('GET', `/api/v1/sessions?stationId=${id}`)).body.items as { id: string; transactionId: string }[];
    const found = items.filter((s) => s.transactionId === txId);
    expect(found).toHaveLength(1);
    return (await server.api('GET', `/api/v1/sessions/${found[0]!.id}`)).body;
  };

  /** Drops the connection and comes back without rebooting (no BootNotification), as after a network outage. */
  const reconnect = async (id: string, station: RawStation): Promise<RawStation> => {
    await station.close();
    return connect(id);
  };

  const checked = (txId: string) => nextEvent<TransactionStatusChecked>(server.app.bus, 'TransactionStatusChecked', (e) => e.payload.transactionId === txId);

  /** A Heartbeat round trip: every frame the CSMS wrote before its answer has arrived. */
  const unreadCallsAfterBarrier = async (station: RawStation): Promise<Frame[]> => {
    expect((await station.call('Heartbeat', {}))[0]).toBe(3);
    return station.frames.filter((f) => f[0] === 2);
  };

  it('TC_E_29_CSMS E14.FR.02 E14.FR.04 ongoing with messages queued: asked by transactionId, kept open, the queued offline Updated is taken', async () => {
    const { id, station: first } = await online();
    // A finished transaction on the same station is not asked about.
    await send(first, { eventType: 'Started', timestamp: ago(50), triggerReason: 'CablePluggedIn', seqNo: 0, transactionInfo: { transactionId: 'E14-DONE' }, evse: { id: 1, connectorId: 1 } });
    await send(first, { eventType: 'Ended', timestamp: ago(40), triggerReason: 'EVDeparted', seqNo: 1, transactionInfo: { transactionId: 'E14-DONE', stoppedReason: 'EVDisconnected' } });
    await charge(first, 'E14-29', ago(20));

    const recorded = checked('E14-29');
    const station = await reconnect(id, first);
    const call = await station.nextCall('GetTransactionStatus');
    expect(call[3]).toEqual({ transactionId: 'E14-29' });
    station.reply(String(call[1]), { ongoingIndicator: true, messagesInQueue: true });
    expect((await recorded).payload).toMatchObject({ ongoingIndicator: true, messagesInQueue: true, closed: false });
    expect(await unreadCallsAfterBarrier(station)).toEqual([]);

    const detail = await session(id, 'E14-29');
    expect(detail).toMatchObject({ status: 'charging', stopReason: null, transactionStatus: { ongoingIndicator: true, messagesInQueue: true, checkedAt: expect.any(String) } });

    // The queued message arrives.
    await send(station, {
      eventType: 'Updated', timestamp: ago(10), triggerReason: 'MeterValuePeriodic', seqNo: 2, offline: true,
      transactionInfo: { transactionId: 'E14-29', chargingState: 'Charging' }, meterValue: [energy(1900, ago(10))],
    });
    expect(await session(id, 'E14-29')).toMatchObject({ status: 'charging', energyWh: 900, offline: true });
  });

  it('TC_E_30_CSMS E14.FR.02 E14.FR.05 ongoing, nothing queued: the answer is recorded and the session stays open', async () => {
    const { id, station: first } = await online();
    await charge(first, 'E14-30', ago(20));
    const recorded = checked('E14-30');
    const station = await reconnect(id, first);
    const call = await station.nextCall('GetTransactionStatus');
    expect(call[3]).toEqual({ transactionId: 'E14-30' });
    station.reply(String(call[1]), { ongoingIndicator: true, messagesInQueue: false });
    expect((await recorded).payload.closed).toBe(false);
    expect(await session(id, 'E14-30')).toMatchObject({
      status: 'charging',
      stoppedAt: null,
      energyWh: 400,
      transactionStatus: { ongoingIndicator: true, messagesInQueue: false },
    });
  });

  it('E14.FR.03 E14.FR.05 not ongoing and nothing queued: closed as EndedUnreported at its last known moment; a late Ended still wins', async () => {
    const { id, station: first } = await online();
    const lastAt = ago(20);
    await charge(first, 'E14-GONE', lastAt);
    const recorded = checked('E14-GONE');
    const ended = nextEvent<TransactionEnded>(server.app.bus, 'TransactionEnded', (e) => e.payload.transactionId === 'E14-GONE');
    const station = await reconnect(id, first);
    const call = await station.nextCall('GetTransactionStatus');
    station.reply(String(call[1]), { ongoingIndicator: false, messagesInQueue: false });
    expect((await recorded).payload).toMatchObject({ ongoingIndicator: false, messagesInQueue: false, closed: true });
    expect((await ended).payload).toMatchObject({ stopReason: 'EndedUnreported', stoppedAt: lastAt, energyWh: 400 });
    expect(await session(id, 'E14-GONE')).toMatchObject({
      status: 'finished',
      stopReason: 'EndedUnreported',
      stoppedAt: lastAt,
      energyWh: 400,
      transactionStatus: { ongoingIndicator: false, messagesInQueue: false },
    });

    // The station's own Ended, should it turn up after all, replaces our guess.
    const endAt = ago(15);
    await send(station, {
      eventType: 'Ended', timestamp: endAt, triggerReason: 'EVDeparted', seqNo: 2, offline: true,
      transactionInfo: { transactionId: 'E14-GONE', stoppedReason: 'EVDisconnected' }, meterValue: [energy(1500, endAt, 'Transaction.End')],
    });
    expect(await session(id, 'E14-GONE')).toMatchObject({ status: 'finished', stopReason: 'EVDisconnected', stoppedAt: endAt, energyWh: 500 });
  });

  it('TC_E_31_CSMS E14.FR.03 E14.FR.04 ended at the station with messages queued: kept open until the queued Ended and the skipped seqNos arrive', async () => {
    const { id, station: first } = await online();
    await charge(first, 'E14-31', ago(20));
    const recorded = checked('E14-31');
    const station = await reconnect(id, first);
    expect((await station.call('StatusNotification', { timestamp: ago(0), connectorStatus: 'Available', evseId: 1, connectorId: 1 }))[0]).toBe(3);
    const call = await station.nextCall('GetTransactionStatus');
    station.reply(String(call[1]), { ongoingIndicator: false, messagesInQueue: true });
    expect((await recorded).payload.closed).toBe(false);
    expect(await session(id, 'E14-31')).toMatchObject({ status: 'charging', transactionStatus: { ongoingIndicator: false, messagesInQueue: true } });

    await send(station, {
      eventType: 'Ended', timestamp: ago(12), triggerReason: 'EVCommunicationLost', seqNo: 4, offline: true,
      transactionInfo: { transactionId: 'E14-31', chargingState: 'Idle', stoppedReason: 'EVDisconnected' }, meterValue: [energy(1800, ago(12), 'Transaction.End')],
    });
    // The Ended skipped seqNos 2 and 3: the CSMS asks again about this transaction (the Ended form of TC_E_31).
    const again = await station.nextCall('GetTransactionStatus');
    expect(again[3]).toEqual({ transactionId: 'E14-31' });
    station.reply(String(again[1]), { ongoingIndicator: false, messagesInQueue: true });
    await send(station, { eventType: 'Updated', timestamp: ago(16), triggerReason: 'StopAuthorized', seqNo: 2, offline: true, transactionInfo: { transactionId: 'E14-31' } });
    await send(station, { eventType: 'Updated', timestamp: ago(14), triggerReason: 'ChargingStateChanged', seqNo: 3, offline: true, transactionInfo: { transactionId: 'E14-31', chargingState: 'EVConnected' } });
    expect(await session(id, 'E14-31')).toMatchObject({ status: 'finished', stopReason: 'EVDisconnected', energyWh: 800 });
  });

  it('E14 two open sessions are asked one at a time; one answered with a CALLERROR is left open and unmarked', async () => {
    const { id, station: first } = await online();
    await charge(first, 'E14-OLD', ago(25));
    await send(first, {
      eventType: 'Started', timestamp: ago(5), triggerReason: 'CablePluggedIn', seqNo: 0,
      transactionInfo: { transactionId: 'E14-NEW', chargingState: 'Charging' }, evse: { id: 2, connectorId: 1 },
    });
    const recorded = checked('E14-OLD');
    const station = await reconnect(id, first);
    // Newest first.
    const call1 = await station.nextCall('GetTransactionStatus');
    expect(call1[3]).toEqual({ transactionId: 'E14-NEW' });
    // One CALL in flight at a time: the second question waits for the first answer.
    expect(await unreadCallsAfterBarrier(station)).toEqual([]);
    station.sendRaw(JSON.stringify([4, call1[1], 'NotSupported', 'not today', {}]));
    const call2 = await station.nextCall('GetTransactionStatus');
    expect(call2[3]).toEqual({ transactionId: 'E14-OLD' });
    station.reply(String(call2[1]), { ongoingIndicator: false, messagesInQueue: false });
    expect((await recorded).payload.closed).toBe(true);
    expect(await session(id, 'E14-NEW')).toMatchObject({ status: 'charging', transactionStatus: null });
    expect(await session(id, 'E14-OLD')).toMatchObject({ status: 'finished', stopReason: 'EndedUnreported' });
  });

  it('TC_E_33_CSMS TC_E_34_CSMS GetTransactionStatus without transactionId through the API returns the station answer', async () => {
    const { id, station } = await online();
    for (const messagesInQueue of [true, false]) {
      const pending = server.api('POST', `/api/v1/stations/${id}/ocpp/GetTransactionStatus`, {});
      const call = await station.nextCall('GetTransactionStatus');
      expect(call[3]).toEqual({});
      station.reply(String(call[1]), { messagesInQueue });
      const res = await pending;
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ action: 'GetTransactionStatus', response: { messagesInQueue } });
    }
  });
});
