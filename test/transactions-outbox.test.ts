import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmplineApp } from '../src/app/app.js';
import { InMemoryBus, type DomainEvent, type EventBus, type EventHandler } from '../src/platform/bus.js';
import { createFreshDatabase } from './support/fresh-database.js';
import { adminApi, startServerOn } from './support/persistent-server.js';
import { RawStation, BOOT_16, BOOT_201 } from './support/raw-station.js';

/**
 * ADR 008, issue 3: a crash after a transaction message is recorded but before its domain event
 * is published. The "crash" is a bus whose publish throws for the transaction events (the
 * process dies at that instant: the record is committed, nothing after it runs, the station
 * gets no answer but an error); the server is then closed and started again on the same
 * database. The restarted server publishes what was left, the station retries its messages, and
 * every event arrives exactly once per event id.
 */
const TRANSACTION_EVENTS = new Set(['TransactionStarted', 'TransactionUpdated', 'TransactionEnded', 'MeterSampled']);
const PASSWORD = 'outbox-station-password-1';

/** Records every event; while `crashing`, dies (throws) at the first transaction event instead. */
class CrashingBus implements EventBus {
  readonly seen: DomainEvent[] = [];
  crashing = false;
  private readonly inner = new InMemoryBus((err) => {
    throw err;
  });

  publish(event: DomainEvent): void {
    if (this.crashing && TRANSACTION_EVENTS.has(event.type)) throw new Error(`simulated crash before publishing ${event.type}`);
    this.seen.push(event);
    this.inner.publish(event);
  }

  subscribe<E extends DomainEvent>(type: E['type'] | '*', handler: EventHandler<E>): () => void {
    return this.inner.subscribe(type, handler);
  }

  transactionEvents(): DomainEvent[] {
    return this.seen.filter((e) => TRANSACTION_EVENTS.has(e.type));
  }
}

type Frame = unknown[];
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const register = (wh: number, at: string) => ({ timestamp: at, sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] });

describe('ADR 008 transactional outbox: a crash between record and publish loses no event and doubles none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ampline-outbox-'));
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  const buses: CrashingBus[] = [];

  beforeAll(async () => {
    const adminUrl = process.env['DATABASE_URL'];
    if (adminUrl) {
      const fresh = await createFreshDatabase(adminUrl, 'ampline_outbox');
      databaseUrl = fresh.url;
      dropDatabase = fresh.drop;
    }
  });
  afterAll(async () => {
    await dropDatabase?.();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A server on the same database every time (a PGlite directory, or one PostgreSQL database). */
  const start = async (): Promise<{ app: AmplineApp; bus: CrashingBus }> => {
    const bus = new CrashingBus();
    buses.push(bus);
    return { app: await startServerOn({ dataDir: join(dir, 'data'), databaseUrl }, { bus }), bus };
  };
  const api = adminApi;
  /** A station that answers GetTransactionStatus (asked after a 2.x reconnect) as one with messages queued. */
  const connect = async (app: AmplineApp, id: string, protocol: string): Promise<RawStation> => {
    const station = await RawStation.connect({ baseUrl: app.ocppUrl, id, password: PASSWORD, protocols: [protocol] });
    station.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame[0] === 2 && frame[2] === 'GetTransactionStatus') station.reply(String(frame[1]), { ongoingIndicator: true, messagesInQueue: true });
    });
    return station;
  };
  const expectCallError = (frame: Frame) => expect(frame[0], JSON.stringify(frame)).toBe(4);
  const expectResult = <T>(frame: Frame): T => {
    expect(frame[0], JSON.stringify(frame)).toBe(3);
    return frame[2] as T;
  };

  it('E01 E02 E06 §4.7 §4.8 §4.10 every Started, Updated, Ended and MeterSampled recorded before a crash arrives after restart, once per event id', async () => {
    const tStart = ago(30);
    const start16 = { connectorId: 1, idTag: 'OUTBOX-TAG', meterStart: 10_000, timestamp: tStart };
    const started201 = {
      eventType: 'Started', timestamp: tStart, triggerReason: 'Authorized', seqNo: 0,
      transactionInfo: { transactionId: 'OUTBOX-TX-1', chargingState: 'Charging' },
      evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'OUTBOX-TAG-2', type: 'ISO14443' },
      meterValue: [{ timestamp: tStart, sampledValue: [{ value: 5000, measurand: 'Energy.Active.Import.Register', context: 'Transaction.Begin' }] }],
    };

    // Run 1: both starts are committed, then the process "dies" before publishing.
    let { app, bus } = await start();
    for (const uid of ['OUTBOX-TAG', 'OUTBOX-TAG-2']) expect((await api(app, 'POST', '/api/v1/tokens', { uid, type: 'ISO14443' })).status).toBe(201);
    for (const id of ['OUTBOX-16', 'OUTBOX-201']) expect((await api(app, 'POST', '/api/v1/stations', { id, password: PASSWORD })).status).toBe(201);
    let s16 = await connect(app, 'OUTBOX-16', 'ocpp1.6');
    let s201 = await connect(app, 'OUTBOX-201', 'ocpp2.0.1');
    expectResult(await s16.call('BootNotification', BOOT_16));
    expectResult(await s201.call('BootNotification', BOOT_201));
    bus.crashing = true;
    expectCallError(await s16.call('StartTransaction', start16));
    expectCallError(await s201.call('TransactionEvent', started201));
    await Promise.all([s16.close(), s201.close()]);
    await app.close();
    expect(bus.transactionEvents()).toEqual([]);

    // Run 2: the relay publishes both starts; the retried starts publish nothing more. Then the
    // meter values and the stops are committed and the process "dies" again.
    ({ app, bus } = await start());
    expect(bus.transactionEvents().map((e) => e.type)).toEqual(['TransactionStarted', 'TransactionStarted']);
    s16 = await connect(app, 'OUTBOX-16', 'ocpp1.6');
    s201 = await connect(app, 'OUTBOX-201', 'ocpp2.0.1');
    const { transactionId } = expectResult<{ transactionId: number }>(await s16.call('StartTransaction', start16));
    expectResult(await s201.call('TransactionEvent', started201));
    expect(bus.transactionEvents()).toHaveLength(2);
    const meter16 = { connectorId: 1, transactionId, meterValue: [register(10_800, ago(20))] };
    const stop16 = { transactionId, idTag: 'OUTBOX-TAG', meterStop: 12_500, timestamp: ago(10), reason: 'EVDisconnected' };
    const updated201 = {
      eventType: 'Updated', timestamp: ago(20), triggerReason: 'MeterValuePeriodic', seqNo: 1,
      transactionInfo: { transactionId: 'OUTBOX-TX-1', chargingState: 'Charging' },
      meterValue: [{ timestamp: ago(20), sampledValue: [{ value: 5600, measurand: 'Energy.Active.Import.Register' }] }],
    };
    const ended201 = {
      eventType: 'Ended', timestamp: ago(10), triggerReason: 'EVCommunicationLost', seqNo: 2,
      transactionInfo: { transactionId: 'OUTBOX-TX-1', chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
      meterValue: [{ timestamp: ago(10), sampledValue: [{ value: 7000, measurand: 'Energy.Active.Import.Register', context: 'Transaction.End' }] }],
    };
    bus.crashing = true;
    expectCallError(await s16.call('MeterValues', meter16));
    expectCallError(await s16.call('StopTransaction', stop16));
    expectCallError(await s201.call('TransactionEvent', updated201));
    expectCallError(await s201.call('TransactionEvent', ended201));
    await Promise.all([s16.close(), s201.close()]);
    await app.close();

    // Run 3: the relay publishes the rest in the order it was recorded; the station's retries add nothing.
    ({ app, bus } = await start());
    expect(bus.transactionEvents().map((e) => `${e.type}:${(e.payload as { stationId: string }).stationId}`)).toEqual([
      'MeterSampled:OUTBOX-16',
      'TransactionEnded:OUTBOX-16',
      'TransactionUpdated:OUTBOX-201',
      'TransactionEnded:OUTBOX-201',
    ]);
    s16 = await connect(app, 'OUTBOX-16', 'ocpp1.6');
    s201 = await connect(app, 'OUTBOX-201', 'ocpp2.0.1');
    expectResult(await s16.call('MeterValues', meter16));
    expectResult(await s16.call('StopTransaction', stop16));
    expectResult(await s201.call('TransactionEvent', updated201));
    expectResult(await s201.call('TransactionEvent', ended201));
    expect(bus.transactionEvents()).toHaveLength(4);
    const ended = bus.transactionEvents().filter((e) => e.type === 'TransactionEnded');
    expect(ended.map((e) => e.payload)).toEqual([
      expect.objectContaining({ stationId: 'OUTBOX-16', stopReason: 'EVDisconnected', energyWh: 2500 }),
      expect.objectContaining({ stationId: 'OUTBOX-201', stopReason: 'EVDisconnected', energyWh: 2000 }),
    ]);
    const sessions = await api(app, 'GET', '/api/v1/sessions?status=finished');
    expect(sessions.body.items).toHaveLength(2);
    await Promise.all([s16.close(), s201.close()]);
    await app.close();

    // Run 4: everything was marked published; nothing is published again.
    ({ app, bus } = await start());
    expect(bus.transactionEvents()).toEqual([]);
    await app.close();

    // Across all runs: each event id arrived exactly once, and every one carries an id.
    const all = buses.flatMap((b) => b.transactionEvents());
    expect(all).toHaveLength(6);
    expect(all.every((e) => typeof e.id === 'string' && e.id.length > 0)).toBe(true);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  }, 240_000);
});
