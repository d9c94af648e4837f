import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATE_PATH } from '../../../test/support/global-setup.js';
import { dbThreadTime } from './db-thread-time.js';
import { PGliteThreadPool } from './pglite-thread-pool.js';
import { openDatabase } from './database.js';
import { SERVE_HELP, parseServeConfig, type ServeConfig } from '../../config/config.js';
import { PoolTimeoutError } from './postgres-pool.js';
import { compiledModuleUrl } from './db-procedures.js';
import { statementsSent } from './statement-count.js';

// ADR 031: the embedded database runs in a thread of its own. These tests start the built
// thread entry (dist/), as the server does; `npm test` builds first.

/** The migrated template global-setup writes for PGlite runs; without it (PostgreSQL runs), initdb. */
function template(): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(TEMPLATE_PATH));
  } catch {
    return undefined;
  }
}

/** Test procedures (testing/probe-procedures.ts), compiled: the thread loads them from dist/. */
const PROBE_PROCEDURES = compiledModuleUrl('./testing/probe-procedures.js', import.meta.url);

function kysely(pool: PGliteThreadPool): Kysely<any> {
  return new Kysely<any>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
}

describe('PGliteThreadPool', () => {
  let pool: PGliteThreadPool;
  let db: Kysely<any>;

  beforeAll(async () => {
    pool = await PGliteThreadPool.start({ dataDir: undefined, template: template(), procedureModules: [PROBE_PROCEDURES] });
    db = kysely(pool);
    await sql`create table probe (id text primary key, n int not null)`.execute(db);
  });

  afterAll(async () => {
    await db?.destroy();
  });

  it('a long statement runs off the main thread: timers keep firing while it runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 20);
    try {
      await sql`select pg_sleep(0.6)`.execute(db);
    } finally {
      clearInterval(timer);
    }
    // In the main thread, the sleep would block the event loop and no tick could fire.
    expect(ticks).toBeGreaterThanOrEqual(10);
  });

  it('a database error crosses the thread with its SQLSTATE, constraint and detail', async () => {
    await sql`insert into probe values ('dup', 1)`.execute(db);
    const failure = await sql`insert into probe values ('dup', 2)`.execute(db).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ code: '23505', constraint: 'probe_pkey', message: expect.stringContaining('duplicate key') });
    expect((failure as { detail?: string }).detail).toContain('(id)=(dup)');
  });

  it('transactions keep their meaning with the deferred BEGIN: rollback discards, commit keeps, empty ones pass', async () => {
    await expect(
      db.transaction().execute(async (tx) => {
        await sql`insert into probe values ('rolled-back', 1)`.execute(tx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await db.transaction().execute(async () => undefined);
    await db.transaction().execute(async (tx) => {
      await sql`insert into probe values ('kept-1', 1)`.execute(tx);
      await sql`insert into probe values ('kept-2', 1)`.execute(tx);
    });
    // A failing first statement: its transaction is rolled back and the connection stays usable.
    await expect(db.transaction().execute((tx) => sql`insert into probe values ('dup', 3)`.execute(tx))).rejects.toMatchObject({ code: '23505' });
    const rows = await sql<{ id: string }>`select id from probe where id <> 'dup' order by id`.execute(db);
    expect(rows.rows.map((r) => r.id)).toEqual(['kept-1', 'kept-2']);
    const open = await sql<{ open: boolean }>`select now() <> statement_timestamp() as open`.execute(db);
    expect(open.rows).toEqual([{ open: false }]);
  });

  it('BEGIN is really sent: a transaction spans its statements (one transaction timestamp)', async () => {
    const stamps = await db.transaction().execute(async (tx) => {
      const first = await sql<{ t: Date }>`select now() as t`.execute(tx);
      await sql`select pg_sleep(0.02)`.execute(tx);
      const second = await sql<{ t: Date }>`select now() as t`.execute(tx);
      return [first.rows[0]?.t.getTime(), second.rows[0]?.t.getTime()];
    });
    expect(stamps[0]).toBe(stamps[1]);
  });

  it('the thread counts its time running statements and waiting inside transactions (/metrics)', async () => {
    const before = dbThreadTime();
    await sql`select pg_sleep(0.2)`.execute(db);
    await db.transaction().execute(async (tx) => {
      await sql`select 1`.execute(tx);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await sql`select 2`.execute(tx);
    });
    // Outside a transaction, waiting for the next statement is idle time, not a transaction's wait.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await sql`select 3`.execute(db);
    const after = dbThreadTime();
    expect(after.busySeconds - before.busySeconds).toBeGreaterThanOrEqual(0.19);
    const waited = after.transactionWaitSeconds - before.transactionWaitSeconds;
    expect(waited).toBeGreaterThanOrEqual(0.14);
    expect(waited).toBeLessThan(0.29);
  });

  it('ADR 034: a procedure runs its whole transaction in the thread, in one call; its statements are counted here', async () => {
    const before = statementsSent();
    const result = await pool.call<{ rows: number; at: Date }>('probe.insert', { ids: ['proc-1', 'proc-2', 'proc-3'] });
    expect(result.at).toBeInstanceOf(Date);
    const { rows } = await sql<{ id: string }>`select id from probe where id like 'proc-%' order by id`.execute(db);
    expect(rows.map((r) => r.id)).toEqual(['proc-1', 'proc-2', 'proc-3']);
    expect(result.rows).toBeGreaterThanOrEqual(3);
    // BEGIN, three inserts, the count, COMMIT: counted, though none crossed the thread boundary.
    expect(statementsSent() - before).toBeGreaterThanOrEqual(5);
  });

  it('a failing procedure rolls back whole, and its database error crosses with its SQLSTATE', async () => {
    await expect(pool.call('probe.duplicate', { id: 'proc-dup' })).rejects.toMatchObject({ code: '23505', constraint: 'probe_pkey' });
    const { rows } = await sql<{ id: string }>`select id from probe where id like 'proc-dup%'`.execute(db);
    expect(rows).toEqual([]);
    await expect(pool.call('probe.nothing', {})).rejects.toThrow("no database procedure 'probe.nothing'");
  });

  it('a procedure called while this side has a transaction open runs after it commits, never inside it', async () => {
    let called: Promise<{ rows: number }> | undefined;
    let settledInside = false;
    await db.transaction().execute(async (tx) => {
      await sql`insert into probe values ('outer-1', 1)`.execute(tx);
      called = pool.call<{ rows: number }>('probe.insert', { ids: ['inner-1'] });
      void called.then(() => (settledInside = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The procedure waits for this transaction's connection: it has not run yet.
      const { rows } = await sql<{ id: string }>`select id from probe where id = 'inner-1'`.execute(tx);
      expect(rows).toEqual([]);
      await sql`insert into probe values ('outer-2', 1)`.execute(tx);
    });
    expect(settledInside).toBe(false);
    await called;
    const { rows } = await sql<{ id: string }>`select id from probe where id in ('outer-1', 'outer-2', 'inner-1') order by id`.execute(db);
    expect(rows.map((r) => r.id)).toEqual(['inner-1', 'outer-1', 'outer-2']);
  });

  it('a procedure the open transaction itself waits on fails after the time-out instead of hanging', async () => {
    const short = await PGliteThreadPool.start({ dataDir: undefined, template: template(), procedureModules: [PROBE_PROCEDURES] }, 500);
    const sdb = kysely(short);
    try {
      await sql`create table probe (id text primary key, n int not null)`.execute(sdb);
      const failure = await sdb.transaction().execute(async (tx) => {
        await sql`insert into probe values ('held', 1)`.execute(tx);
        return short.call('probe.insert', { ids: ['waiting'] }).catch((err: unknown) => err);
      });
      expect(failure).toBeInstanceOf(Error);
      expect(failure).toMatchObject({ code: 'DB_POOL_TIMEOUT' });
      const { rows } = await sql<{ id: string }>`select id from probe order by id`.execute(sdb);
      expect(rows.map((r) => r.id)).toEqual(['held']);
    } finally {
      await sdb.destroy();
    }
  });

  it('a statement that gets no turn behind a procedure within the time-out fails, and the thread goes on', async () => {
    const short = await PGliteThreadPool.start({ dataDir: undefined, template: template(), procedureModules: [PROBE_PROCEDURES] }, 500);
    const sdb = kysely(short);
    try {
      const held = short.call('probe.hold', { ms: 1_500 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(sql`select 1`.execute(sdb)).rejects.toMatchObject({ code: 'DB_POOL_TIMEOUT' });
      await held;
      expect((await sql<{ n: number }>`select 2 as n`.execute(sdb)).rows).toEqual([{ n: 2 }]);
    } finally {
      await sdb.destroy();
    }
  });

  it('calls pipeline: many sent at once all run, one after another, each whole', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `pipe-${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((id) => pool.call('probe.insert', { ids: [id, `${id}-b`] })));
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from probe where id like 'pipe-%'`.execute(db);
    expect(rows[0]?.n).toBe(40);
  });

  it('ADR 038: statements on their own pipeline: all are sent before the first answer, and each gets its own', async () => {
    const answers = Array.from({ length: 20 }, (_, i) => sql<{ n: number }>`select ${i}::int * 2 as n, pg_sleep(0.01)`.execute(db));
    // One turn each, taken and given back as it is sent: nobody is left waiting for the connection.
    await new Promise((resolve) => setImmediate(resolve));
    expect(pool.stats()).toMatchObject({ idle: 1, waiting: 0 });
    expect((await Promise.all(answers)).map((r) => r.rows[0]?.n)).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });

  it('ADR 038: a statement on its own waits for a transaction this side has open, and never runs inside it', async () => {
    const order: string[] = [];
    let standalone: Promise<unknown> | undefined;
    await db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into probe (id, n) values ('in-tx', 1)`.execute(trx);
        standalone = sql`insert into probe (id, n) values ('alone', 2)`.execute(db).then(() => order.push('alone'));
        await sql`select pg_sleep(0.1)`.execute(trx);
        order.push('tx body');
        throw new Error('roll it back');
      })
      .catch(() => undefined);
    await standalone;
    const { rows } = await sql<{ id: string }>`select id from probe where id in ('in-tx', 'alone') order by id`.execute(db);
    expect(rows.map((r) => r.id)).toEqual(['alone']);
    expect(order).toEqual(['tx body', 'alone']);
  });

  it('a repeated statement text is sent once and still runs with fresh parameters each time', async () => {
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) seen.push((await sql<{ n: number }>`select ${i}::int + 1 as n`.execute(db)).rows[0]!.n);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('choosing the database thread (--db-thread)', () => {
  it('is off unless the flag or AMPLINE_DB_THREAD=true asks for it', () => {
    const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseServeConfig(argv, env) as ServeConfig;
    expect(parse([]).dbThread).toBe(false);
    expect(parse(['--db-thread']).dbThread).toBe(true);
    expect(parse([], { AMPLINE_DB_THREAD: 'true' }).dbThread).toBe(true);
    expect(SERVE_HELP).toContain('--db-thread');
  });

  it('openDatabase with pgliteThread runs statements off the main thread; without it, on it', async () => {
    const ticksDuringSleep = async (pgliteThread: boolean): Promise<number> => {
      const handle = await openDatabase<unknown>({ dataDir: '/nonexistent-test-data-dir', memory: true, pgliteThread });
      let ticks = 0;
      const timer = setInterval(() => (ticks += 1), 20);
      try {
        await sql`select pg_sleep(0.4)`.execute(handle.db);
      } finally {
        clearInterval(timer);
        await handle.close();
      }
      return ticks;
    };
    expect(await ticksDuringSleep(true)).toBeGreaterThanOrEqual(5);
    expect(await ticksDuringSleep(false)).toBe(0);
  });
});

describe('PGliteThreadPool failures', () => {
  it('a data directory that cannot be opened fails the start with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ampline-dbthread-'));
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, 'x');
    try {
      await expect(PGliteThreadPool.start({ dataDir: join(file, 'pg'), template: undefined })).rejects.toThrow(/./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the database thread dies, waiting and later statements fail at once, naming it', async () => {
    const pool = await PGliteThreadPool.start({ dataDir: undefined, template: template() });
    const db = kysely(pool);
    const pending = sql`select pg_sleep(1)`.execute(db).catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await (pool as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const failure = await pending;
    expect(String(failure)).toMatch(/embedded database thread/);
    await expect(sql`select 1`.execute(db)).rejects.toThrow(/embedded database thread/);
  });

  it('a caller that gets no connection in time fails loudly, and the connection goes on to the next caller', async () => {
    const pool = await PGliteThreadPool.start({ dataDir: undefined, template: template() }, 300);
    const db = kysely(pool);
    try {
      // The classic self-wait: a transaction holds the one connection and queries outside itself.
      const selfWait = db.transaction().execute(async () => sql`select 1`.execute(db));
      await expect(selfWait).rejects.toThrow(/embedded database \(one connection\) gave no connection within 300 ms/);
      // A transaction holds the connection from its BEGIN (ADR 038); a statement on its own waits for it.
      const held = await pool.connect();
      await held.query('begin', []);
      const waiter = (await pool.connect()).query('select 1', []);
      expect(pool.stats()).toEqual({ size: 1, open: 1, idle: 0, waiting: 1 });
      await expect(waiter).rejects.toBeInstanceOf(PoolTimeoutError);
      held.release();
      const rows = await sql<{ n: number }>`select 7 as n`.execute(db);
      expect(rows.rows).toEqual([{ n: 7 }]);
      expect(pool.stats()).toEqual({ size: 1, open: 1, idle: 1, waiting: 0 });
    } finally {
      await db.destroy();
    }
  });

  it('an idle pool does not keep the process alive', () => {
    const entry = fileURLToPath(new URL('../../../dist/platform/db/pglite-thread-pool.js', import.meta.url));
    const script = `
      const { PGliteThreadPool } = await import(${JSON.stringify(entry)});
      const pool = await PGliteThreadPool.start({ dataDir: undefined, template: undefined });
      const client = await pool.connect();
      const result = await client.query('select 41 + 1 as n', []);
      client.release();
      console.log(JSON.stringify(result.rows));
    `;
    const dir = mkdtempSync(join(tmpdir(), 'ampline-dbthread-'));
    const file = join(dir, 'idle.mjs');
    writeFileSync(file, script);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(run.stdout.trim(), run.stderr).toBe('[{"n":42}]');
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
  });
});
