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

/** A FIFO mutex over the one connection: each `acquire` resolves once the previous holder released. */
export class ConnectionMutex {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.tail;
    this.tail = acquired.then(() => released);
    return acquired.then(() => release);
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
