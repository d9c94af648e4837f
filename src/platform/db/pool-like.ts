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

/**
 * A FIFO mutex over the one connection: each `acquire` resolves once the previous holder released.
 * With a time-out, a caller still waiting after it fails with a PoolTimeoutError; its turn, when
 * it comes, is passed straight on.
 */
export class ConnectionMutex {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(
    private readonly name: string,
    private readonly timeoutMs?: number,
  ) {}

  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const turn = this.tail;
    this.tail = turn.then(() => released);
    this.waiting += 1;
    const timeoutMs = this.timeoutMs;
    if (timeoutMs === undefined) {
      return turn.then(() => {
        this.waiting -= 1;
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
        resolve(release);
      });
    });
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
