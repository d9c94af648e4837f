import pg from 'pg';
import type { PostgresPool } from 'kysely';
import { namedStatementClient } from './named-pg-client.js';
import { StatementNames } from './statement-names.js';
import type { PoolStats } from './pool-like.js';

export interface PostgresPoolOptions {
  /** Connections the pool may open to the server. */
  maxConnections: number;
  /** How long a caller may wait for a connection (a free one, or a new one to connect) before it fails. */
  connectTimeoutMs: number;
}

/**
 * Ten connections cover the writers that can run at once (one batch per group commit, the outbox
 * deletes, the frame archive) with room for API reads. A caller that has waited five seconds for
 * one of them is better failed loudly than queued on: an OCPP message's batch then fails and the
 * station retries, instead of the process hanging silently behind a pinned or leaked connection.
 */
export const DEFAULT_POSTGRES_POOL: PostgresPoolOptions = { maxConnections: 10, connectTimeoutMs: 5000 };

/** No connection within the pool's time-out: every connection busy, or the server too slow to accept a new one. */
export class PoolTimeoutError extends Error {
  readonly code = 'DB_POOL_TIMEOUT';

  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'PoolTimeoutError';
  }
}

/** pg-pool's two time-out messages: waiting for a busy pool, and a new connection that did not complete. */
const TIMEOUT_MESSAGES = ['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout'];

/**
 * A pg.Pool to the server `url` names, as Kysely's PostgresDialect takes it: `connect()` fails with
 * a PoolTimeoutError after the time-out, `name` (a redacted URL) identifying the pool.
 */
export function createPostgresPool(
  url: string,
  name: string,
  options: PostgresPoolOptions = DEFAULT_POSTGRES_POOL,
): PostgresPool & { stats(): PoolStats } {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections,
    connectionTimeoutMillis: options.connectTimeoutMs,
    Client: namedStatementClient(new StatementNames('amp_')),
  });
  // A broken server connection must not crash the process; queries will fail and say so.
  pool.on('error', () => undefined);
  return {
    connect: async () => {
      try {
        return await pool.connect();
      } catch (err) {
        if (!TIMEOUT_MESSAGES.includes((err as Error).message)) throw err;
        throw new PoolTimeoutError(
          `database pool ${name} (max ${options.maxConnections} connections) gave no connection within ${options.connectTimeoutMs} ms: ` +
            `${pool.totalCount} open, ${pool.idleCount} idle, ${pool.waitingCount} other callers waiting (${(err as Error).message})`,
          { cause: err },
        );
      }
    },
    end: () => pool.end(),
    stats: () => ({ size: options.maxConnections, open: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}
