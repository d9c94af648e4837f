import { Worker } from 'node:worker_threads';
import { addDbThreadTime } from './db-thread-time.js';
import { countStatements } from './statement-count.js';
import { ConnectionMutex, firstKeyword, type PoolClientLike, type PoolStats, type QueryResultLike } from './pool-like.js';
import { deserializeError, type DbThreadInit, type FromDbThread, type ToDbThread } from './pglite-thread-messages.js';

/**
 * How long a caller may wait for the one connection before it fails. Under a saturating load
 * waits stay near a second; thirty means something holds the connection and waits on itself, or
 * the database thread is stuck, and a loud error beats a silent hang (an OCPP message's batch
 * fails and the station retries).
 */
export const EMBEDDED_CONNECT_TIMEOUT_MS = 30_000;

/** Texts numbered for the database thread; past this many, a text travels with every use. */
const MAX_NUMBERED_TEXTS = 2_000;

interface Waiter {
  /** A statement's QueryResultLike, or a procedure's value. */
  resolve: (result: any) => void;
  reject: (err: Error) => void;
  command: string;
}

/**
 * The embedded database in a thread of its own (ADR 031), presented as a pool (pool-like.ts).
 * PGlite's WASM Postgres is about half of the server's CPU under load; in its own thread it runs
 * on the other core, and a long query no longer stalls the sockets, timers and API of the main
 * thread. Statements go over a MessagePort; the connection is still one, under a mutex.
 */
export class PGliteThreadPool {
  private readonly mutex: ConnectionMutex;
  private readonly waiting = new Map<number, Waiter>();
  private readonly numbered = new Map<string, number>();
  private nextId = 1;
  private stopped: Error | undefined;
  /** A BEGIN not yet sent: it travels with the transaction's first statement (one hop fewer). */
  private deferredBegin = false;

  private constructor(
    private readonly worker: Worker,
    connectTimeoutMs: number,
  ) {
    this.mutex = new ConnectionMutex('the embedded database', connectTimeoutMs);
    worker.unref();
    worker.on('message', (message: FromDbThread) => this.receive(message));
    worker.on('error', (err) => this.stop(new Error(`the embedded database thread failed: ${err.message}`)));
    worker.on('exit', (code) => this.stop(new Error(`the embedded database thread stopped (exit code ${code})`)));
  }

  /** Starts the thread and opens the database in it; rejects with the database's own error. */
  static start(init: DbThreadInit, connectTimeoutMs = EMBEDDED_CONNECT_TIMEOUT_MS): Promise<PGliteThreadPool> {
    const worker = new Worker(threadEntry(), {
      workerData: { ...init, connectTimeoutMs } satisfies DbThreadInit,
      ...(init.template ? { transferList: [init.template.buffer as ArrayBuffer] } : {}),
    });
    return new Promise((resolve, reject) => {
      const onExit = (code: number): void => reject(new Error(`the embedded database thread stopped while opening (exit code ${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (message: FromDbThread) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (message.type === 'ready') resolve(new PGliteThreadPool(worker, connectTimeoutMs));
        else if (message.type === 'failed') reject(deserializeError(message.error));
        else reject(new Error(`the embedded database thread said ${message.type} before it was ready`));
      });
    });
  }

  /**
   * A transaction holds the one connection from its BEGIN to its COMMIT. A statement on its own
   * holds it only while it is sent: the thread runs statements in the order they arrive, so it
   * needs no answer before the next is sent, and statements pipeline instead of each waiting a
   * round trip through both threads for the one before (ADR 038). It still waits its turn behind a
   * transaction this side has open or is waiting to open.
   */
  async connect(): Promise<PoolClientLike> {
    let held: (() => void) | undefined;
    return {
      query: async (sql, params) => {
        if (held) return this.query(sql, params);
        if (sql === 'begin' || sql.startsWith('start transaction')) {
          held = await this.mutex.acquire();
          return this.query(sql, params);
        }
        const turn = await this.mutex.acquire();
        const answer = this.query(sql, params);
        turn();
        return answer;
      },
      release: () => {
        if (!held) return;
        this.deferredBegin = false;
        held();
        held = undefined;
      },
    };
  }

  stats(): PoolStats {
    return this.mutex.stats();
  }

  /**
   * Runs a procedure in the database thread (ADR 034): one message there and one back, whatever
   * its statements. It does not wait for this side's connection: the thread queues it behind a
   * transaction this side has open, so calls pipeline and the thread need not wait between them.
   */
  call<R>(name: string, input: unknown): Promise<R> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject, command: 'CALL' });
      this.send({ type: 'call', id, name, input });
    });
  }

  async end(): Promise<void> {
    await this.mutex.idle();
    if (this.stopped) return;
    const closed = new Promise<void>((resolve) => {
      this.worker.on('message', (message: FromDbThread) => {
        if (message.type === 'closed') resolve();
      });
      this.worker.once('exit', () => resolve());
    });
    this.worker.ref();
    this.send({ type: 'close' });
    await closed;
    await this.worker.terminate();
  }

  private query(sql: string, params: readonly unknown[]): Promise<QueryResultLike> {
    if (this.stopped) return Promise.reject(this.stopped);
    // Kysely's BEGIN cannot fail on a healthy connection and returns nothing: answer it at once and
    // send it with the next statement, which reports its error if it ever does fail. A transaction
    // that ends before any statement never reaches the database at all.
    if (sql === 'begin') {
      this.deferredBegin = true;
      return Promise.resolve({ rows: [], rowCount: 0, command: 'BEGIN' });
    }
    const withBegin = this.deferredBegin;
    this.deferredBegin = false;
    if (withBegin && (sql === 'commit' || sql === 'rollback')) return Promise.resolve({ rows: [], rowCount: 0, command: sql.toUpperCase() });
    const id = this.nextId++;
    let stmt = this.numbered.get(sql);
    let text: string | undefined;
    if (stmt === undefined) {
      text = sql;
      stmt = -1;
      if (this.numbered.size < MAX_NUMBERED_TEXTS) {
        stmt = this.numbered.size;
        this.numbered.set(sql, stmt);
      }
    }
    return new Promise<QueryResultLike>((resolve, reject) => {
      // While a statement is out, the thread keeps the process alive; an idle one does not.
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject, command: firstKeyword(sql) });
      this.send({ type: 'query', id, stmt, sql: text, params, begin: withBegin });
    });
  }

  private send(message: ToDbThread): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromDbThread): void {
    if (message.type !== 'result' && message.type !== 'error' && message.type !== 'returned') return;
    const waiter = this.waiting.get(message.id);
    if (!waiter) return;
    this.waiting.delete(message.id);
    if (this.waiting.size === 0) this.worker.unref();
    addDbThreadTime(message.busyMs, message.transactionWaitMs);
    if (message.type === 'result') waiter.resolve({ rows: message.rows, rowCount: message.affectedRows, command: waiter.command });
    else if (message.type === 'returned') {
      countStatements(message.statements);
      waiter.resolve(message.value);
    } else waiter.reject(deserializeError(message.error));
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    for (const waiter of this.waiting.values()) waiter.reject(this.stopped);
    this.waiting.clear();
  }
}

/**
 * The thread's compiled entry. Under the test runner this module is TypeScript from src/, and a
 * worker thread cannot load that: it runs the build's copy (npm test builds first).
 */
function threadEntry(): URL {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new URL('./pglite-thread.js', here);
  return new URL('../../../dist/platform/db/pglite-thread.js', here);
}
