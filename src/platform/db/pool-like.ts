import { PoolTimeoutError } from './postgres-pool.js';

/**
 * The tiny slice of `pg.Pool` that Kysely's PostgresDialect uses, as the embedded database
 * presents it: `connect()` hands out the single connection under a mutex, so a transaction's
 * statements never interleave with another caller's.
 */
export interface PoolClientLike {
  query(sql: string, params: readonly unknown[]): Promise<QueryResultLike>;
  release(): void;
}

export interface QueryResultLike {
  rows: unknown[];
  rowCount: number;
  command: string;
}

/** How a database pool stands right now, for /metrics. */
export interface PoolStats {
  /** Connections it may hold. */
  size: number;
  /** Connections open now, and how many of those no caller holds. */
  open: number;
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

/**
 * A FIFO mutex over the one connection: each `acquire` resolves once the previous holder released.
 * With a time-out, a caller still waiting after it fails with a PoolTimeoutError; its turn, when
 * it comes, is passed straight on.
 */
export class ConnectionMutex {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;
  private held = false;

  constructor(
    private readonly name: string,
    private readonly timeoutMs?: number,
  ) {}

  acquire(): Promise<() => void> {
    let resolveReleased!: () => void;
    const released = new Promise<void>((resolve) => (resolveReleased = resolve));
    const release = (): void => {
      this.held = false;
      resolveReleased();
    };
    const turn = this.tail;
    this.tail = turn.then(() => released);
    this.waiting += 1;
    const timeoutMs = this.timeoutMs;
    if (timeoutMs === undefined) {
      return turn.then(() => {
        this.waiting -= 1;
        this.held = true;
        return release;
      });
    }
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(
          new PoolTimeoutError(
            `${this.name} (one connection) gave no connection within ${timeoutMs} ms: ${this.waiting - 1} other callers waiting`,
            { cause: undefined },
          ),
        );
      }, timeoutMs);
      timer.unref();
      void turn.then(() => {
        this.waiting -= 1;
        if (timedOut) {
          release();
          return;
        }
        clearTimeout(timer);
        this.held = true;
        resolve(release);
      });
    });
  }

  /** The one connection as a pool: held or idle, and who waits for it. */
  stats(): PoolStats {
    return { size: 1, open: 1, idle: this.held ? 0 : 1, waiting: this.waiting };
  }

  /** Resolves when every holder so far has released. */
  idle(): Promise<void> {
    return this.tail;
  }
}

export function firstKeyword(sql: string): string {
  const match = /^\s*(?:with\b[\s\S]*?\)\s*)?(insert|update|delete|merge|select)\b/i.exec(sql);
  return match?.[1]?.toUpperCase() ?? 'SELECT';
}
