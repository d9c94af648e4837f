// Entry of the embedded database's own thread (ADR 031): it owns the PGlite instance and runs
// the statements the server's thread sends, one at a time, in the order they arrive.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGliteStatements } from './pglite-statements.js';
import { serializeError, type DbThreadInit, type FromDbThread, type QueryMessage, type ToDbThread } from './pglite-thread-messages.js';

const port = parentPort;
if (!port) throw new Error('pglite-thread.js runs as a worker thread');
const init = workerData as DbThreadInit;
const post = (message: FromDbThread): void => port.postMessage(message);

let pglite: PGlite;
try {
  pglite = await PGlite.create(
    init.dataDir !== undefined ? { dataDir: init.dataDir } : init.template ? { loadDataDir: new Blob([init.template]) } : {},
  );
} catch (err) {
  post({ type: 'failed', error: serializeError(err) });
  process.exit(1);
}
const statements = new PGliteStatements(pglite);
const texts = new Map<number, string>();
/** Whether a transaction is open, and when the thread answered its last statement. */
let inTransaction = false;
let answeredAt = 0;

async function run(message: QueryMessage): Promise<void> {
  const startedAt = performance.now();
  const transactionWaitMs = inTransaction ? startedAt - answeredAt : 0;
  let sql = message.sql;
  if (message.stmt >= 0) {
    if (sql === undefined) sql = texts.get(message.stmt);
    else texts.set(message.stmt, sql);
  }
  try {
    if (sql === undefined) throw new Error(`statement ${message.stmt} is unknown to the database thread`);
    if (message.begin) await statements.run('begin', []);
    if (message.begin || sql.startsWith('start transaction')) inTransaction = true;
    const result = await statements.run(sql, message.params);
    if (sql === 'commit' || sql === 'rollback') inTransaction = false;
    answeredAt = performance.now();
    post({ type: 'result', id: message.id, rows: result.rows, affectedRows: result.affectedRows ?? 0, busyMs: answeredAt - startedAt, transactionWaitMs });
  } catch (err) {
    if (sql === 'commit' || sql === 'rollback') inTransaction = false;
    answeredAt = performance.now();
    post({ type: 'error', id: message.id, error: serializeError(err), busyMs: answeredAt - startedAt, transactionWaitMs });
  }
}

port.on('message', (message: ToDbThread) => {
  if (message.type === 'query') {
    void run(message);
    return;
  }
  void pglite.close().then(
    () => post({ type: 'closed' }),
    () => post({ type: 'closed' }),
  );
});
post({ type: 'ready' });
