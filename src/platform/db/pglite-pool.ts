import type { PGlite } from '@electric-sql/pglite';

/**
 * Presents one PGlite instance as the tiny slice of `pg.Pool` that Kysely's PostgresDialect uses.
 * PGlite is a single connection, so a client is handed out under a mutex: a transaction's
 * statements can never interleave with another caller's.
 */
interface PoolClientLike {
  query(sql: string, params: readonly unknown[]): Promise<{ rows: unknown[]; rowCount: number; command: string }>;
  release(): void;
}

export class PGlitePool {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly pglite: PGlite) {}

  connect(): Promise<PoolClientLike> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.tail;
    this.tail = acquired.then(() => released);
    return acquired.then(() => ({
      query: async (sql, params) => {
        const result = await this.pglite.query(sql, params as unknown[]);
        return {
          rows: result.rows,
          rowCount: result.affectedRows ?? 0,
          command: firstKeyword(sql),
        };
      },
      release,
    }));
  }

  async end(): Promise<void> {
    await this.tail;
    await this.pglite.close();
  }
}

function firstKeyword(sql: string): string {
  const match = /^\s*(?:with\b[\s\S]*?\)\s*)?(insert|update|delete|merge|select)\b/i.exec(sql);
  return match?.[1]?.toUpperCase() ?? 'SELECT';
}
