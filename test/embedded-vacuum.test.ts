import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from './support/test-database.js';
import { EmbeddedVacuum } from '../src/platform/db/embedded-vacuum.js';
import { parseServeConfig, SERVE_HELP, type ServeConfig } from '../src/config/config.js';
import { silentLogger } from '../src/platform/logger.js';

// ADR 035: PGlite runs Postgres as one backend, with no autovacuum; the server vacuums it itself.
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
