import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { nextEvent } from './support/events.js';
import { bootStation, registerStation } from './helpers/stations.js';
import type { TransactionAwaitingMessages, TransactionEnded, TransactionStatusChecked } from '../src/modules/transactions/index.js';

/**
 * E14 (part 2) with TC_E_31_CSMS (part 6), the form without a reconnect: a TransactionEvent Ended
 * arrives while earlier seqNos are missing. The CSMS holds the session "ended, awaiting missing
 * messages" and asks GetTransactionStatus(transactionId) (E14.FR.03/04/05 are the station's
 * answers); TransactionEnded (what billing waits for) follows when the missing messages arrive,
 * or at once when the station says none are queued.
 */
type Frame = unknown[];
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const energy = (wh: number, timestamp: string, context = 'Sample.Periodic') => ({ timestamp, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', context }] });

describe('E14 TC_E_31_CSMS GetTransactionStatus after an Ended that skipped seqNos', () => {
  let server: TestServer;
  let station: RawStation;

  const send = async (payload: Record<string, unknown>) => {
    const frame = await station.call('TransactionEvent', payload);
    expect(frame[0], JSON.stringify(frame)).toBe(3);
  };
  const session = async (txId: string) => {
    const items = (await server.api('GET', '/api/v1/sessions?stationId=E14-GAPS')).body.items as { id: string; transactionId: string }[];
    const found = items.find((s) => s.transactionId === txId);
    if (!found) throw new Error(`no session ${txId}`);
    return (await server.api('GET', `/api/v1/sessions/${found.id}`)).body;
  };
  const started = (txId: string) =>
    send({
      eventType: 'Started', timestamp: ago(30), triggerReason: 'CablePluggedIn', seqNo: 0,
      transactionInfo: { transactionId: txId, chargingState: 'Charging' }, evse: { id: 1, connectorId: 1 }, meterValue: [energy(1000, ago(30), 'Transaction.Begin')],
    });
  /** TC_E_31 step 5: Ended, offline, EVCommunicationLost, Idle, skipping seqNos 1 and 2. */
  const endedSkipping = (txId: string) =>
    send({
      eventType: 'Ended', timestamp: ago(10), triggerReason: 'EVCommunicationLost', seqNo: 3, offline: true,
      transactionInfo: { transactionId: txId, chargingState: 'Idle', stoppedReason: 'EVDisconnected' }, meterValue: [energy(2000, ago(10), 'Transaction.End')],
    });
  const ended = (txId: string) => nextEvent<TransactionEnded>(server.app.bus, 'TransactionEnded', (e) => e.payload.transactionId === txId);
  const checked = (txId: string) => nextEvent<TransactionStatusChecked>(server.app.bus, 'TransactionStatusChecked', (e) => e.payload.transactionId === txId);

  beforeAll(async () => {
    server = await startTestServer();
    await registerStation(server, 'E14-GAPS');
    station = await bootStation(server, 'E14-GAPS', '2.0.1');
  });
  afterAll(async () => {
    await station?.close();
    await server?.close();
  });

  it('TC_E_31_CSMS E14.FR.03 E14.FR.04 held awaiting messages, asked by transactionId; the two skipped seqNos arrive and close it once', async () => {
    await started('GAP-QUEUED');
    let endedCount = 0;
    const unsubscribe = server.app.bus.subscribe<TransactionEnded>('TransactionEnded', (e) => void (e.payload.transactionId === 'GAP-QUEUED' && endedCount++));
    const awaiting = nextEvent<TransactionAwaitingMessages>(server.app.bus, 'TransactionAwaitingMessages', (e) => e.payload.transactionId === 'GAP-QUEUED');
    const recorded = checked('GAP-QUEUED');
    await endedSkipping('GAP-QUEUED');
    expect((await awaiting).payload.missingSeqNos).toEqual([1, 2]);
    const call = await station.nextCall('GetTransactionStatus');
    expect(call[3]).toEqual({ transactionId: 'GAP-QUEUED' });
    station.reply(String(call[1]), { ongoingIndicator: false, messagesInQueue: true });
    expect((await recorded).payload).toMatchObject({ messagesInQueue: true, closed: false });
    expect(await session('GAP-QUEUED')).toMatchObject({
      status: 'finished', stopReason: 'EVDisconnected', awaitingMessages: true, transactionStatus: { ongoingIndicator: false, messagesInQueue: true },
    });
    expect(endedCount).toBe(0);

    // TC_E_31 steps 9 and 11: the skipped seqNos, offline.
    const closed = ended('GAP-QUEUED');
    await send({ eventType: 'Updated', timestamp: ago(14), triggerReason: 'StopAuthorized', seqNo: 1, offline: true, transactionInfo: { transactionId: 'GAP-QUEUED' }, meterValue: [energy(1800, ago(14))] });
    expect(await session('GAP-QUEUED')).toMatchObject({ awaitingMessages: true });
    await send({ eventType: 'Updated', timestamp: ago(12), triggerReason: 'ChargingStateChanged', seqNo: 2, offline: true, transactionInfo: { transactionId: 'GAP-QUEUED', chargingState: 'EVConnected' } });
    expect((await closed).payload).toMatchObject({ stopReason: 'EVDisconnected', energyWh: 1000 });
    expect(await session('GAP-QUEUED')).toMatchObject({ status: 'finished', awaitingMessages: false, energyWh: 1000 });
    // Retries of the late messages end nothing again.
    await send({ eventType: 'Updated', timestamp: ago(12), triggerReason: 'ChargingStateChanged', seqNo: 2, offline: true, transactionInfo: { transactionId: 'GAP-QUEUED', chargingState: 'EVConnected' } });
    await session('GAP-QUEUED');
    unsubscribe();
    expect(endedCount).toBe(1);
  });

  it('E14.FR.03 E14.FR.05 nothing queued for the skipped seqNos: the session closes as it is', async () => {
    await started('GAP-LOST');
    const closed = ended('GAP-LOST');
    await endedSkipping('GAP-LOST');
    const call = await station.nextCall('GetTransactionStatus');
    expect(call[3]).toEqual({ transactionId: 'GAP-LOST' });
    station.reply(String(call[1]), { ongoingIndicator: false, messagesInQueue: false });
    expect((await closed).payload).toMatchObject({ stopReason: 'EVDisconnected', energyWh: 1000 });
    expect(await session('GAP-LOST')).toMatchObject({ status: 'finished', awaitingMessages: false, transactionStatus: { messagesInQueue: false } });
  });

  it('E06 an Ended with no seqNo missing ends the session at once and asks nothing', async () => {
    await started('GAP-NONE');
    const closed = ended('GAP-NONE');
    await send({
      eventType: 'Ended', timestamp: ago(10), triggerReason: 'EVDeparted', seqNo: 1,
      transactionInfo: { transactionId: 'GAP-NONE', chargingState: 'Idle', stoppedReason: 'EVDisconnected' }, meterValue: [energy(1500, ago(10), 'Transaction.End')],
    });
    expect((await closed).payload).toMatchObject({ energyWh: 500 });
    // A Heartbeat round trip: every frame the CSMS wrote before its answer has arrived.
    expect((await station.call('Heartbeat', {}))[0]).toBe(3);
    expect(station.frames.filter((f: Frame) => f[0] === 2 && f[2] === 'GetTransactionStatus')).toEqual([]);
    expect(await session('GAP-NONE')).toMatchObject({ status: 'finished', awaitingMessages: false });
  });
});
