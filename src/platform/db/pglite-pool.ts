import type { PGlite } from '@electric-sql/pglite';
import { PGliteStatements } from './pglite-statements.js';
import { ConnectionMutex, firstKeyword, type PoolClientLike, type PoolStats } from './pool-like.js';

/**
 * One PGlite instance in this thread, presented as a pool (pool-like.ts): the embedded database's
 * default, and the migrated template the tests start from. `--db-thread` runs it in a thread of
 * its own instead (PGliteThreadPool, ADR 031).
 */
export class PGlitePool {
  private readonly mutex: ConnectionMutex;
  private readonly statements: PGliteStatements;

  constructor(
    private readonly pglite: PGlite,
    connectTimeoutMs?: number,
    /** The instance's statement runner, when another user of the instance shares its prepared statements (the database thread). */
    statements?: PGliteStatements,
  ) {
    this.mutex = new ConnectionMutex('the embedded database', connectTimeoutMs);
    this.statements = statements ?? new PGliteStatements(pglite);
  }

  async connect(): Promise<PoolClientLike> {
    const release = await this.mutex.acquire();
    return {
      query: async (sql, params) => {
        const result = await this.statements.run(sql, params);
        return { rows: result.rows, rowCount: result.affectedRows ?? 0, command: firstKeyword(sql) };
      },
      release,
    };
  }

  stats(): PoolStats {
    return this.mutex.stats();
  }

  async end(): Promise<void> {
    await this.mutex.idle();
    await this.pglite.close();
  }
}
