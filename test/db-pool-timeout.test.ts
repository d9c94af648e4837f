import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.js';
import { PoolTimeoutError } from '../src/platform/db/postgres-pool.js';
import { SERVE_HELP, parseServeConfig, type ServeConfig } from '../src/config/config.js';
import { createFreshDatabase, type FreshDatabase } from './support/fresh-database.js';

/**
 * A PostgreSQL pool that cannot hand out a connection within its time-out fails the caller with
 * an error naming the pool and its size, instead of queueing it for ever: a connection pinned by
 * `db.connection()` or a long transaction then shows as a loud error, not a silent hang.
 */
describe.skipIf(!process.env['DATABASE_URL'])('PostgreSQL pool time-out', () => {
  let fresh: FreshDatabase;
  let handle: DatabaseHandle<unknown>;

  beforeAll(async () => {
    fresh = await createFreshDatabase(process.env['DATABASE_URL'] ?? '');
    handle = await openDatabase<unknown>({ databaseUrl: fresh.url, dataDir: '', pool: { maxConnections: 1, connectTimeoutMs: 300 } });
  });
  afterAll(async () => {
    await handle?.close();
    await fresh?.drop();
  });

  it('a query waiting for the only, pinned connection fails after the time-out, naming the pool, its size and the wait', async () => {
    const { db } = handle;
    const failure = await db.connection().execute(async (pinned) => {
      await sql`select 1`.execute(pinned);
      const started = performance.now();
      const error = await sql`select 2`.execute(db).then(
        () => undefined,
        (err: unknown) => err,
      );
      return { error, waitedMs: performance.now() - started };
    });
    expect(failure.error).toBeInstanceOf(PoolTimeoutError);
    const message = (failure.error as Error).message;
    expect(message).toContain(`database pool postgres://ampline:***@`);
    expect(message).toContain(`/${new URL(fresh.url).pathname.slice(1)} (max 1 connections) gave no connection within 300 ms`);
    expect(message).toContain('1 open, 0 idle');
    expect(message).not.toContain(`:${new URL(fresh.url).password}@`);
    expect(failure.waitedMs).toBeGreaterThanOrEqual(250);
    // Once the pinned connection is released the pool serves again.
    expect((await sql<{ n: number }>`select 3 as n`.execute(db)).rows).toEqual([{ n: 3 }]);
  });
});

describe('pool options of ampline serve', () => {
  const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseServeConfig(argv, env) as ServeConfig;

  it('default to 10 connections and a 5000 ms wait; flags win over the environment', () => {
    expect(parse([])).toMatchObject({ dbPoolSize: 10, dbConnectTimeoutMs: 5000 });
    expect(parse([], { AMPLINE_DB_POOL_SIZE: '4', AMPLINE_DB_CONNECT_TIMEOUT_MS: '750' })).toMatchObject({ dbPoolSize: 4, dbConnectTimeoutMs: 750 });
    expect(parse(['--db-pool-size', '20', '--db-connect-timeout-ms', '10000'], { AMPLINE_DB_POOL_SIZE: '4' })).toMatchObject({
      dbPoolSize: 20,
      dbConnectTimeoutMs: 10000,
    });
  });

  it('refuse a pool of no connections or a wait too short to connect at all, naming the option', () => {
    expect(() => parse(['--db-pool-size', '0'])).toThrow('--db-pool-size must be a whole number from 1 to 1000, got "0"');
    expect(() => parse([], { AMPLINE_DB_CONNECT_TIMEOUT_MS: '5s' })).toThrow('--db-connect-timeout-ms must be a whole number from 100 to 600000, got "5s"');
    expect(SERVE_HELP).toContain('AMPLINE_DB_POOL_SIZE');
    expect(SERVE_HELP).toContain('AMPLINE_DB_CONNECT_TIMEOUT_MS');
  });
});
