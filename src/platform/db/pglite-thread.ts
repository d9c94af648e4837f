// Entry of the embedded database's own thread (ADR 031): it owns the PGlite instance and runs the
// statements the server's thread sends, and the procedures it calls (ADR 034), one holder of the
// connection at a time, in the order they arrive.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { PGliteStatements } from './pglite-statements.js';
import { PGlitePool } from './pglite-pool.js';
import type { PoolClientLike } from './pool-like.js';
import type { DbProcedures } from './db-procedures.js';
import { serializeError, type CallMessage, type DbThreadInit, type FromDbThread, type QueryMessage, type ToDbThread } from './pglite-thread-messages.js';

const port = parentPort;
if (!port) throw new Error('pglite-thread.js runs as a worker thread');
const init = workerData as DbThreadInit;
const post = (message: FromDbThread): void => port.postMessage(message);

let pglite: PGlite;
const procedures = new Map<string, DbProcedures[string]>();
try {
  pglite = await PGlite.create(
    init.dataDir !== undefined ? { dataDir: init.dataDir } : init.template ? { loadDataDir: new Blob([init.template]) } : {},
  );
  for (const url of init.procedureModules ?? []) {
    const module = (await import(url)) as { dbProcedures?: DbProcedures };
    if (!module.dbProcedures) throw new Error(`${url} exports no dbProcedures`);
    for (const [name, procedure] of Object.entries(module.dbProcedures)) procedures.set(name, procedure);
  }
} catch (err) {
  post({ type: 'failed', error: serializeError(err) });
  process.exit(1);
}
const statements = new PGliteStatements(pglite);
let statementsRun = 0;
// The one connection, under a FIFO mutex shared by the server thread's statements and the procedures.
// A procedure queued behind a server-thread transaction that waits on that very procedure would
// wait forever: after the time-out it fails loudly instead, as a caller of the pool does (ADR 031).
const pool = new PGlitePool(pglite, init.connectTimeoutMs, statements);
const procedureDb = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }), log: () => void (statementsRun += 1) });
const texts = new Map<number, string>();
/** The connection while a transaction of the server's thread is open: its later statements need no turn. */
let serverTransaction: PoolClientLike | undefined;
let answeredAt = 0;
let procedureTail: Promise<void> = Promise.resolve();

function textOf(message: QueryMessage): string | undefined {
  if (message.stmt < 0) return message.sql;
  if (message.sql === undefined) return texts.get(message.stmt);
  texts.set(message.stmt, message.sql);
  return message.sql;
}

async function run(message: QueryMessage, client: PoolClientLike, inTransaction: boolean): Promise<void> {
  const startedAt = performance.now();
  const transactionWaitMs = inTransaction ? startedAt - answeredAt : 0;
  const sql = textOf(message);
  const ends = sql === 'commit' || sql === 'rollback';
  try {
    if (sql === undefined) throw new Error(`statement ${message.stmt} is unknown to the database thread`);
    if (message.begin) await client.query('begin', []);
    if (message.begin || sql.startsWith('start transaction')) serverTransaction = client;
    const result = await client.query(sql, message.params);
    answeredAt = performance.now();
    post({ type: 'result', id: message.id, rows: result.rows, affectedRows: result.rowCount, busyMs: answeredAt - startedAt, transactionWaitMs });
  } catch (err) {
    answeredAt = performance.now();
    post({ type: 'error', id: message.id, error: serializeError(err), busyMs: answeredAt - startedAt, transactionWaitMs });
  } finally {
    if (ends || serverTransaction !== client) {
      if (serverTransaction === client) serverTransaction = undefined;
      client.release();
    }
  }
}

function query(message: QueryMessage): void {
  // Inside the server thread's open transaction a statement already holds the connection (that
  // side sends nothing else meanwhile); a statement on its own takes its turn in arrival order,
  // behind any running procedure and the statements sent before it (ADR 038).
  const held = serverTransaction;
  if (held) {
    void run(message, held, true);
    return;
  }
  void pool.connect().then(
    (client) => run(message, client, false),
    // No turn within the time-out (PoolTimeoutError): the statement fails, the thread goes on.
    (err: unknown) => post({ type: 'error', id: message.id, error: serializeError(err), busyMs: 0, transactionWaitMs: 0 }),
  );
}

async function call(message: CallMessage): Promise<void> {
  const startedAt = performance.now();
  const before = statementsRun;
  try {
    const procedure = procedures.get(message.name);
    if (!procedure) throw new Error(`no database procedure '${message.name}'`);
    const value = await procedure(procedureDb, message.input);
    post({ type: 'returned', id: message.id, value, statements: statementsRun - before, busyMs: performance.now() - startedAt, transactionWaitMs: 0 });
  } catch (err) {
    post({ type: 'error', id: message.id, error: serializeError(err), busyMs: performance.now() - startedAt, transactionWaitMs: 0 });
  }
}

port.on('message', (message: ToDbThread) => {
  if (message.type === 'query') return query(message);
  // One procedure at a time: its time and statement count are its own, and it cannot overtake.
  if (message.type === 'call') {
    procedureTail = procedureTail.then(() => call(message));
    return;
  }
  void pool.end().then(
    () => post({ type: 'closed' }),
    () => post({ type: 'closed' }),
  );
});
post({ type: 'ready' });
