import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransactionsService, type TransactionsService, type TransactionsTables } from '../src/modules/transactions/index.js';
import type { TokenVerdict } from '../src/modules/transactions/types.js';
import { moduleDb } from '../src/app/database.js';
import { InMemoryBus } from '../src/platform/bus.js';
import { systemClock } from '../src/platform/clock.js';
import { cryptoIds } from '../src/platform/ids.js';
import { openTestDatabase } from './support/test-database.js';

/**
 * ADR 027: a batch locks every session it updates in id order before it changes any, so it never
 * holds one session while waiting for another that a concurrent writer holds. The concurrent
 * writer here is another connection holding the lower session and then updating the higher one,
 * as a batch of another kind would; before the ordering, the TransactionEvent batch held the
 * higher one (its readings' energy statement runs first) and waited for the lower one, and
 * PostgreSQL broke the cycle with a deadlock (40P01). PostgreSQL only: PGlite has one connection.
 */
const T = '00000000-0000-0000-0000-000000000001';
const ACCEPTED: TokenVerdict = { status: 'Accepted', idTagInfo: { status: 'Accepted' }, idTokenInfo: { status: 'Accepted' } };
const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 11, minute));

describe.skipIf(!process.env['DATABASE_URL'])('ADR 027 sessions are locked in id order (PostgreSQL)', () => {
  let close: () => Promise<void>;
  let db: ReturnType<typeof moduleDb<TransactionsTables>>;
  let service: TransactionsService;
  const retried: unknown[] = [];

  beforeAll(async () => {
    const opened = await openTestDatabase();
    close = opened.close;
    db = moduleDb<TransactionsTables>(opened.handle.db);
    service = createTransactionsService({
      db,
      bus: new InMemoryBus((err) => {
        throw err;
      }),
      clock: systemClock,
      ids: cryptoIds,
      authorizer: { authorize: async () => ACCEPTED },
      onConflictRetry: (err) => retried.push(err),
      // A deadlock would show as a failure, not be hidden by a retry.
      conflictRetry: { attempts: 1 },
    });
  });
  afterAll(async () => close?.());

  const event = (stationTxId: string, seqNo: number, minute: number, wh?: number) => ({
    eventType: seqNo === 0 ? ('Started' as const) : ('Updated' as const),
    stationTxId,
    seqNo,
    timestamp: at(minute),
    triggerReason: 'MeterValuePeriodic',
    offline: false,
    evseId: 1,
    connectorId: 1,
    chargingState: 'Charging' as const,
    readings: wh === undefined ? [] : [{ sampledAt: at(minute), measurand: 'Energy.Active.Import.Register', value: wh, unit: 'Wh' }],
    raw: {},
  });

  it('E02: a TransactionEvent batch waiting for a session another writer holds holds none of the others meanwhile', async () => {
    await service.recordTransactionEvent(T, 'LOCK-A', event('LOCK-TX-A', 0, 0, 100));
    await service.recordTransactionEvent(T, 'LOCK-B', event('LOCK-TX-B', 0, 0, 100));
    const rows = await db.selectFrom('sessions').select(['id', 'station_tx_id']).where('station_id', 'in', ['LOCK-A', 'LOCK-B']).orderBy('id').execute();
    const [low, high] = rows as [{ id: string; station_tx_id: string }, { id: string; station_tx_id: string }];
    const stationOf = (txId: string) => (txId === 'LOCK-TX-A' ? 'LOCK-A' : 'LOCK-B');

    // Another writer, on its own connection to the same database. Not a connection pinned from the
    // service's pool with `db.connection()`: that version hung, and not for want of connections (3
    // of the pool's 10 were open). The pinned transaction polled pg_stat_activity, which PostgreSQL
    // snapshots at its first read in a transaction: the list of backends stays as it was then (only
    // wait_event is read live). Pinning took the pool's one idle connection, so the batch connected
    // a new backend after that first read; the poll never listed it, never saw it wait, and never
    // committed the lock the batch was waiting for (pg_locks: the batch's ShareLock on the pinned
    // transaction's xid, pg_blocking_pids = the pinned backend). So the poll clears the snapshot.
    const name = (await sql<{ name: string }>`select current_database() as name`.execute(db)).rows[0]?.name ?? '';
    const url = new URL(process.env['DATABASE_URL'] ?? '');
    url.pathname = `/${name}`;
    const other = new pg.Client({ connectionString: url.toString() });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('select id from sessions where id = $1 for no key update', [low.id]);
      // One batch: the lower session's event without readings, the higher one's with a reading.
      const batch = Promise.allSettled([
        service.recordTransactionEvent(T, stationOf(low.station_tx_id), event(low.station_tx_id, 1, 10)),
        service.recordTransactionEvent(T, stationOf(high.station_tx_id), event(high.station_tx_id, 1, 10, 900)),
      ]);
      // Wait until the batch is blocked on the lower session.
      for (;;) {
        await other.query('select pg_stat_clear_snapshot()');
        const waiting = await other.query<{ n: number }>(
          `select count(*)::integer as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
        );
        if ((waiting.rows[0]?.n ?? 0) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // The other writer now updates the higher session: free, since the batch took nothing before the lower one.
      await other.query('update sessions set updated_at = now() where id = $1', [high.id]);
      await other.query('commit');
      const settled = await batch;
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
    } finally {
      await other.end();
    }
    expect(retried).toHaveLength(0);
    const after = await db.selectFrom('sessions').select(['id', 'last_seq_no', 'energy_wh']).where('id', 'in', [low.id, high.id]).orderBy('id').execute();
    expect(after.map((r) => r.last_seq_no)).toEqual([1, 1]);
    expect(Number(after.find((r) => r.id === high.id)?.energy_wh)).toBe(800);
  });
});
