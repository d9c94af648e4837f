import { mkdirSync, accessSync, existsSync, constants as fsConstants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { StartupError } from '../errors.js';
import { PGlitePool } from './pglite-pool.js';
import { EMBEDDED_CONNECT_TIMEOUT_MS, PGliteThreadPool } from './pglite-thread-pool.js';
import type { PoolStats } from './pool-like.js';
import type { DbCall } from './db-procedures.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { countStatement } from './statement-count.js';
import { createPostgresPool, DEFAULT_POSTGRES_POOL, type PostgresPoolOptions } from './postgres-pool.js';

export interface DatabaseHandle<DB> {
  db: Kysely<DB>;
  kind: 'pglite' | 'postgres';
  /** The connection pool right now (/metrics). */
  poolStats(): PoolStats;
  /**
   * Runs a database procedure next to the database (ADR 034), only where that saves hops: with the
   * embedded database in its own thread. Elsewhere undefined, and callers run the same code here.
   */
  call?: DbCall | undefined;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… for a real server; otherwise an embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PGlite only: in-memory database (tests). */
  memory?: boolean;
  /** PGlite in memory only: start from this dumped data directory instead of running initdb. */
  template?: Blob | undefined;
  /** PGlite only: run it in a worker thread of its own (ADR 031). */
  pgliteThread?: boolean | undefined;
  /** With pgliteThread: URLs of modules exporting `dbProcedures` for `DatabaseHandle.call` (compiledModuleUrl). */
  procedureModules?: readonly string[] | undefined;
  /** PostgreSQL only: pool size and how long a caller may wait for a connection (default DEFAULT_POSTGRES_POOL). */
  pool?: Partial<PostgresPoolOptions> | undefined;
}

// int8 and numeric come back as strings from pg by default; PGlite returns numbers for int8.
// Make both return JS numbers for int8 (counts, Wh) so the same code runs on both.
pg.types.setTypeParser(20, (value: string) => Number(value));

export async function openDatabase<DB>(options: DatabaseOptions): Promise<DatabaseHandle<DB>> {
  if (options.databaseUrl) {
    return openPostgres<DB>(options.databaseUrl, {
      maxConnections: options.pool?.maxConnections ?? DEFAULT_POSTGRES_POOL.maxConnections,
      connectTimeoutMs: options.pool?.connectTimeoutMs ?? DEFAULT_POSTGRES_POOL.connectTimeoutMs,
    });
  }
  return openPGlite<DB>(options);
}

async function openPostgres<DB>(url: string, poolOptions: PostgresPoolOptions): Promise<DatabaseHandle<DB>> {
  const pool = createPostgresPool(url, redactUrl(url), poolOptions);
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StartupError(`cannot reach the database at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: countStatement });
  return { db, kind: 'postgres', poolStats: () => pool.stats(), close: () => db.destroy() };
}

async function openPGlite<DB>(options: DatabaseOptions): Promise<DatabaseHandle<DB>> {
  let lock: DataDirLock | undefined;
  if (!options.memory) {
    try {
      makeDirectory(options.dataDir);
      accessSync(options.dataDir, fsConstants.R_OK | fsConstants.W_OK);
    } catch (err) {
      throw new StartupError(`data directory ${options.dataDir} is not usable: ${(err as Error).message}`);
    }
    lock = acquireDataDirLock(options.dataDir);
  }
  let pool: PGliteThreadPool | PGlitePool;
  try {
    pool = options.pgliteThread ? await startPGliteThread(options) : await startPGliteHere(options);
  } catch (err) {
    lock?.release();
    throw new StartupError(`cannot open the embedded database in ${options.dataDir}: ${(err as Error).message}`);
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }), log: countStatement });
  return {
    db,
    kind: 'pglite',
    poolStats: () => pool.stats(),
    call: pool instanceof PGliteThreadPool ? (name, input) => (pool as PGliteThreadPool).call(name, input) : undefined,
    close: async () => {
      await db.destroy();
      lock?.release();
    },
  };
}

function startPGliteThread(options: DatabaseOptions): Promise<PGliteThreadPool> {
  return options.template && options.memory
    ? options.template
        .arrayBuffer()
        .then((buffer) => PGliteThreadPool.start({ dataDir: undefined, template: new Uint8Array(buffer), procedureModules: options.procedureModules }))
    : PGliteThreadPool.start({ dataDir: options.memory ? undefined : `${options.dataDir}/pg`, template: undefined, procedureModules: options.procedureModules });
}

/**
 * PGlite on the server's own thread, the default: a connect storm of 19,000 stations peaked at
 * 864 MB this way and at 1,452 MB with the database thread, which lets the gateway take on more
 * work than the database can answer (ADR 031).
 */
async function startPGliteHere(options: DatabaseOptions): Promise<PGlitePool> {
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create(
    options.memory ? (options.template ? { loadDataDir: options.template } : {}) : { dataDir: `${options.dataDir}/pg` },
  );
  return new PGlitePool(pglite, EMBEDDED_CONNECT_TIMEOUT_MS);
}

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync loops forever under /proc instead
 * of failing, which would hang start-up on a bad --data.
 */
function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** A migrated, empty embedded database as a tarball, for tests that start many servers. */
export async function dumpPGliteTemplate(prepare: (handle: DatabaseHandle<unknown>) => Promise<void>): Promise<Uint8Array> {
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create();
  const pool = new PGlitePool(pglite);
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
  await prepare({ db, kind: 'pglite', poolStats: () => pool.stats(), close: async () => undefined });
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  return new Uint8Array(await dump.arrayBuffer());
}
