import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from './support/test-database.js';
import { EmbeddedVacuum } from '../src/platform/db/embedded-vacuum.js';
import { parseServeConfig, SERVE_HELP, type ServeConfig } from '../src/config/config.js';
import { silentLogger } from '../src/platform/logger.js';

// ADR 035: PGlite runs Postgres as one backend, with no autovacuum; the server vacuums it itself.

/** Tables whose heap is bigger than `bytes`. */
async function tablesOver(db: Kysely<any>, bytes: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' and pg_relation_size(c.oid) > ${bytes}::bigint`.execute(db);
  return rows[0]?.n ?? 0;
}

describe('vacuuming the embedded database (ADR 035)', () => {
  let kdb: Kysely<any>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const opened = await openTestDatabase();
    kdb = opened.handle.db;
    close = opened.close;
  });
  afterAll(async () => close?.());

  it('a pass vacuums every table: rows the outbox deleted give their space back', async () => {
    const events = JSON.stringify([{ id: 'x', type: 'MeterSampled', tenantId: 'default', occurredAt: new Date(0).toISOString(), payload: { pad: 'p'.repeat(200) } }]);
    for (let i = 0; i < 20; i++) {
      await sql`insert into transaction_outbox_batches (events) select ${events}::jsonb from generate_series(1, 100)`.execute(kdb);
      await sql`delete from transaction_outbox_batches`.execute(kdb);
    }
    const size = async () => Number((await sql<{ n: string }>`select pg_relation_size('transaction_outbox_batches') as n`.execute(kdb)).rows[0]?.n);
    // Deleted, but still on disk: nothing reclaims it without a vacuum.
    expect(await size()).toBeGreaterThan(0);
    const run = await new EmbeddedVacuum({ db: kdb, logger: silentLogger, intervalMs: 0 }).runOnce();
    expect(run.failed).toBe(0);
    expect(run.tables).toBeGreaterThanOrEqual(30);
    // PGlite is one backend, so the pass truncates the emptied table. On a PostgreSQL server
    // (CI runs this file there too) other backends' snapshots and autovacuum decide when it may.
    if (!process.env['DATABASE_URL']) expect(await size()).toBe(0);
    const { rows } = await sql<{ relname: string }>`select relname from pg_stat_user_tables where last_vacuum is null and relname in ('sessions', 'meter_samples', 'station_connectors', 'stations')`.execute(kdb);
    expect(rows).toEqual([]);
  });

  it('the quick pass between full ones vacuums only the small tables, where the hot updates are', async () => {
    await sql`create table vacuum_probe_big (id int, pad text)`.execute(kdb);
    await sql`insert into vacuum_probe_big select g, repeat('x', 500) from generate_series(1, 2000) g`.execute(kdb);
    await sql`create table vacuum_probe_small (id int)`.execute(kdb);
    try {
      const vacuum = new EmbeddedVacuum({ db: kdb, logger: silentLogger, intervalMs: 0, quickMaxBytes: 64 * 1024 });
      const vacuumed = async () =>
        (
          await sql<{ relname: string; vacuumed: boolean }>`
            select relname, last_vacuum is not null as vacuumed from pg_stat_user_tables
            where relname in ('vacuum_probe_big', 'vacuum_probe_small') order by relname`.execute(kdb)
        ).rows;
      const quick = await vacuum.runOnce('quick');
      expect(await vacuumed()).toEqual([
        { relname: 'vacuum_probe_big', vacuumed: false },
        { relname: 'vacuum_probe_small', vacuumed: true },
      ]);
      const big = await tablesOver(kdb, 64 * 1024);
      expect(big).toBeGreaterThanOrEqual(1);
      const full = await vacuum.runOnce('full');
      expect(full.tables).toBe(quick.tables + big);
      expect(await vacuumed()).toEqual([
        { relname: 'vacuum_probe_big', vacuumed: true },
        { relname: 'vacuum_probe_small', vacuumed: true },
      ]);
    } finally {
      await sql`drop table vacuum_probe_big`.execute(kdb);
      await sql`drop table vacuum_probe_small`.execute(kdb);
    }
  });

  it('runs every interval once started, and stop() ends it', async () => {
    const runs: unknown[] = [];
    const logger = { ...silentLogger, info: (obj: unknown) => void runs.push(obj), error: silentLogger.error.bind(silentLogger) } as unknown as typeof silentLogger;
    const vacuum = new EmbeddedVacuum({ db: kdb, logger, intervalMs: 50 });
    vacuum.start();
    const deadline = Date.now() + 20_000;
    while (runs.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await vacuum.stop();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const after = runs.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(runs.length).toBe(after);
  });

  it('--vacuum-interval-minutes: 10 by default, 0 turns it off, a bad value names the option', () => {
    const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseServeConfig(argv, env) as ServeConfig;
    expect(parse([]).vacuumIntervalMinutes).toBe(10);
    expect(parse(['--vacuum-interval-minutes', '0']).vacuumIntervalMinutes).toBe(0);
    expect(parse([], { AMPLINE_VACUUM_INTERVAL_MINUTES: '60' }).vacuumIntervalMinutes).toBe(60);
    expect(() => parse(['--vacuum-interval-minutes', 'often'])).toThrow(/--vacuum-interval-minutes/);
    expect(SERVE_HELP).toContain('--vacuum-interval-minutes');
  });
});
