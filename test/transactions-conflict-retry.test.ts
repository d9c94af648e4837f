import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTransactionsService, type TransactionsService, type TransactionsTables } from '../src/modules/transactions/index.js';
import type { TokenVerdict } from '../src/modules/transactions/types.js';
import { moduleDb } from '../src/app/database.js';
import { InMemoryBus, type DomainEvent } from '../src/platform/bus.js';
import { systemClock } from '../src/platform/clock.js';
import { cryptoIds } from '../src/platform/ids.js';
import { openTestDatabase } from './support/test-database.js';
import { injectFault, type DbFault } from './support/db-faults.js';

/**
 * ADR 027: a batch transaction PostgreSQL aborts with deadlock_detected (40P01) or
 * serialization_failure (40001) is run again whole, from BEGIN, and nothing is lost or counted
 * twice. The aborts are real database errors (a trigger raising the SQLSTATE), on PGlite and on
 * PostgreSQL (DATABASE_URL), and each batch's first attempt fails after some of its statements ran.
 */
const T = '00000000-0000-0000-0000-000000000001';
const ACCEPTED: TokenVerdict = { status: 'Accepted', idTagInfo: { status: 'Accepted' }, idTokenInfo: { status: 'Accepted' } };
const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 10, minute));
const register = (minute: number, wh: number) => ({ sampledAt: at(minute), measurand: 'Energy.Active.Import.Register', value: wh, unit: 'Wh' });
const card = { idToken: 'RETRY-CARD', type: 'ISO14443' };

describe('ADR 027 batch transactions aborted by a deadlock or serialization failure are retried whole', () => {
  let close: () => Promise<void>;
  let db: ReturnType<typeof moduleDb<TransactionsTables>>;
  let service: TransactionsService;
  const published: DomainEvent[] = [];
  const retried: unknown[] = [];
  let fault: DbFault | undefined;

  beforeAll(async () => {
    const opened = await openTestDatabase();
    close = opened.close;
    db = moduleDb<TransactionsTables>(opened.handle.db);
    const bus = new InMemoryBus((err) => {
      throw err;
    });
    bus.subscribe('*', (event) => void published.push(event));
    service = createTransactionsService({
      db,
      bus,
      clock: systemClock,
      ids: cryptoIds,
      authorizer: { authorize: async () => ACCEPTED },
      onConflictRetry: (err) => retried.push(err),
      conflictRetry: { baseDelayMs: 1 },
    });
  });
  afterEach(async () => {
    await fault?.remove();
    fault = undefined;
  });
  afterAll(async () => close?.());

  const arm = async (on: { table: string; op: 'insert' | 'update'; code: string }): Promise<DbFault> => {
    fault = await injectFault(db, on);
    return fault;
  };
  const eventsOf = (sessionId: string) => published.filter((e) => (e.payload as { sessionId?: string }).sessionId === sessionId);
  const count = async (table: 'meter_samples' | 'session_events', sessionId: string) =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('session_id', '=', sessionId).executeTakeFirstOrThrow()).n);
  const outboxRows = async () => {
    await service.flush();
    return Number((await sql<{ n: number }>`select count(*)::integer as n from transaction_outbox_batches`.execute(db)).rows[0]?.n);
  };

  it('E01/E06 + ADR 008: 2.0.1 events and MeterValues whose batch fails at its outbox row are stored and published exactly once', async () => {
    const f = await arm({ table: 'transaction_outbox_batches', op: 'insert', code: '40P01' });
    const base = { stationTxId: 'RETRY-TX-1', triggerReason: 'Authorized', offline: false, evseId: 1, connectorId: 1, raw: {} };
    const before = retried.length;
    // Each message's batch: its first attempt writes the readings, the events and the session, then fails at the outbox row.
    await f.arm(1);
    await service.recordTransactionEvent(T, 'RETRY-201', { ...base, eventType: 'Started', seqNo: 0, timestamp: at(0), chargingState: 'Charging', idToken: card, readings: [register(0, 1000)] });
    await f.arm(1);
    await service.recordMeterValues(T, 'RETRY-201', { evseId: 1, transaction: { stationTxId: 'RETRY-TX-1' }, readings: [register(10, 1400)] });
    await f.arm(1);
    await service.recordTransactionEvent(T, 'RETRY-201', { ...base, eventType: 'Updated', seqNo: 1, timestamp: at(20), chargingState: 'SuspendedEV', readings: [register(20, 1600)] });
    await f.arm(1);
    await service.recordTransactionEvent(T, 'RETRY-201', { ...base, eventType: 'Ended', seqNo: 2, timestamp: at(30), stoppedReason: 'EVDisconnected', readings: [register(30, 2500)] });
    expect(await f.attempts()).toBe(8);
    expect(retried.length - before).toBe(4);

    const session = await db.selectFrom('sessions').selectAll().where('station_id', '=', 'RETRY-201').executeTakeFirstOrThrow();
    expect(session).toMatchObject({ status: 'finished', stop_reason: 'EVDisconnected', last_seq_no: 2 });
    expect(Number(session.energy_wh)).toBe(1500);
    expect(await count('session_events', session.id)).toBe(3);
    expect(await count('meter_samples', session.id)).toBe(4);
    const events = eventsOf(session.id);
    expect(events.map((e) => e.type)).toEqual(['TransactionStarted', 'MeterSampled', 'TransactionUpdated', 'TransactionEnded']);
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
    expect((events.at(-1)?.payload as { energyWh: number }).energyWh).toBe(1500);
    expect(await outboxRows()).toBe(0);
  });

  it('1.6 §5.16/§5.17 + §4.9: start, connector status and stop whose batches fail with 40001 in their sessions UPDATE are stored once with the right energy', async () => {
    const f = await arm({ table: 'sessions', op: 'update', code: '40001' });
    const before = retried.length;
    await f.arm(1);
    const start = await service.startTransaction(T, 'RETRY-16', { evseId: 1, connectorId: 1, idToken: card, timestamp: at(0), meterStartWh: 10_000 });
    await f.arm(1);
    await service.connectorStatusChanged(T, 'RETRY-16', 1, 'SuspendedEV');
    await f.arm(1);
    await service.recordMeterValues(T, 'RETRY-16', { evseId: 1, transaction: { csmsTransactionId: start.transactionId }, readings: [register(15, 13_000)] });
    await f.arm(1);
    await service.stopTransaction(T, 'RETRY-16', { transactionId: start.transactionId, timestamp: at(30), meterStopWh: 17_250, reason: 'Local', readings: [] });
    expect(retried.length - before).toBe(4);

    const rows = await db.selectFrom('sessions').selectAll().where('station_id', '=', 'RETRY-16').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'finished', stop_reason: 'Local', ocpp16_transaction_id: start.transactionId });
    expect(Number(rows[0]?.energy_wh)).toBe(7250);
    expect(await count('session_events', start.sessionId)).toBe(2);
    expect(await count('meter_samples', start.sessionId)).toBe(3);
    const events = eventsOf(start.sessionId);
    expect(events.map((e) => e.type)).toEqual(['TransactionStarted', 'TransactionUpdated', 'MeterSampled', 'TransactionEnded']);
    expect((events.at(-1)?.payload as { energyWh: number }).energyWh).toBe(7250);
    expect(await outboxRows()).toBe(0);
  });

  it('ADR 026 session inserts: a 1.6 start and a 2.0.1 first event whose session INSERT deadlocks get one session each', async () => {
    const f = await arm({ table: 'sessions', op: 'insert', code: '40P01' });
    await f.arm(1);
    const start = await service.startTransaction(T, 'RETRY-INS', { evseId: 2, connectorId: 1, idToken: card, timestamp: at(40), meterStartWh: 0 });
    await f.arm(1);
    await service.recordTransactionEvent(T, 'RETRY-INS', {
      eventType: 'Started',
      stationTxId: 'RETRY-TX-INS',
      seqNo: 0,
      timestamp: at(41),
      triggerReason: 'CablePluggedIn',
      offline: false,
      evseId: 1,
      connectorId: 1,
      readings: [],
      raw: {},
    });
    expect(await f.attempts()).toBe(4);
    const rows = await db.selectFrom('sessions').select(['id', 'station_tx_id', 'ocpp16_transaction_id']).where('station_id', '=', 'RETRY-INS').orderBy('started_at').execute();
    expect(rows.map((r) => r.station_tx_id)).toEqual([String(start.transactionId), 'RETRY-TX-INS']);
    expect(rows[0]?.ocpp16_transaction_id).toBe(start.transactionId);
    for (const row of rows) expect(eventsOf(row.id).filter((e) => e.type === 'TransactionStarted')).toHaveLength(1);
  });

  it('ADR 027: any other database error is not retried; the message fails, and its station retry is stored once', async () => {
    const f = await arm({ table: 'transaction_outbox_batches', op: 'insert', code: '23514' });
    const before = retried.length;
    const ev = {
      eventType: 'Started' as const,
      stationTxId: 'RETRY-TX-NO',
      seqNo: 0,
      timestamp: at(50),
      triggerReason: 'Authorized',
      offline: false,
      evseId: 1,
      connectorId: 1,
      idToken: card,
      readings: [register(50, 500)],
      raw: {},
    };
    await f.arm(1);
    await expect(service.recordTransactionEvent(T, 'RETRY-NO', ev)).rejects.toMatchObject({ code: '23514' });
    expect(await f.attempts()).toBe(1);
    expect(retried.length).toBe(before);
    const session = await db.selectFrom('sessions').select('id').where('station_id', '=', 'RETRY-NO').executeTakeFirstOrThrow();
    expect(await count('session_events', session.id)).toBe(0);
    expect(await count('meter_samples', session.id)).toBe(0);
    expect(eventsOf(session.id)).toHaveLength(0);
    // The station retries the message it got no answer for.
    await service.recordTransactionEvent(T, 'RETRY-NO', ev);
    expect(await count('session_events', session.id)).toBe(1);
    expect(await count('meter_samples', session.id)).toBe(1);
    expect(eventsOf(session.id).map((e) => e.type)).toEqual(['TransactionStarted']);
  });

  it('ADR 027: a batch that keeps deadlocking fails after a bounded number of attempts, leaving nothing behind', async () => {
    const f = await arm({ table: 'transaction_outbox_batches', op: 'insert', code: '40P01' });
    await f.arm(1000);
    await expect(
      service.recordMeterValues(T, 'RETRY-MAX', { evseId: 1, readings: [register(55, 100)] }),
    ).rejects.toMatchObject({ code: '40P01' });
    expect(await f.attempts()).toBe(5);
    const samples = await db.selectFrom('meter_samples').select('sampled_at').where('station_id', '=', 'RETRY-MAX').execute();
    expect(samples).toHaveLength(0);
    expect(published.filter((e) => (e.payload as { stationId?: string }).stationId === 'RETRY-MAX')).toHaveLength(0);
  });
});
