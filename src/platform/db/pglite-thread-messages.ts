/** What the server's thread and its database thread say to each other (ADR 031). */

/** workerData of the database thread. */
export interface DbThreadInit {
  /** PGlite data directory; undefined: in memory. */
  dataDir: string | undefined;
  /** In memory only: a dumped data directory to start from instead of running initdb. */
  template: Uint8Array | undefined;
  /** URLs of modules exporting `dbProcedures` (db-procedures.ts), loaded before the thread says ready. */
  procedureModules?: readonly string[] | undefined;
  /** How long a procedure or statement waits for the connection in the thread before it fails (the pool's). */
  connectTimeoutMs?: number | undefined;
}

/**
 * A statement. `stmt` numbers a text the database thread keeps, so a hot statement's text
 * crosses the thread boundary once: `sql` comes with the first use of a number, and with every
 * use of -1 (texts past the cache's cap).
 */
export interface QueryMessage {
  type: 'query';
  id: number;
  stmt: number;
  sql: string | undefined;
  params: readonly unknown[];
  /** Run BEGIN first (the pool deferred it); if BEGIN fails, the statement is not run. */
  begin: boolean;
}

/** A procedure run (ADR 034): queued behind any open transaction of the server's thread, run whole. */
export interface CallMessage {
  type: 'call';
  id: number;
  name: string;
  input: unknown;
}

export type ToDbThread = QueryMessage | CallMessage | { type: 'close' };

export type FromDbThread =
  | { type: 'ready' }
  | { type: 'failed'; error: SerializedError }
  | ({ type: 'result'; id: number; rows: unknown[]; affectedRows: number } & StatementTime)
  | ({ type: 'returned'; id: number; value: unknown; statements: number } & StatementTime)
  | ({ type: 'error'; id: number; error: SerializedError } & StatementTime)
  | { type: 'closed' };

/** How long the thread ran a statement, and how long it waited for it inside an open transaction. */
export interface StatementTime {
  busyMs: number;
  transactionWaitMs: number;
}

/**
 * A database error as plain data: structured cloning keeps an Error's message but drops the
 * fields callers branch on (`code` = SQLSTATE, `constraint`, `detail`...).
 */
export interface SerializedError {
  message: string;
  fields: Record<string, string | number>;
}

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { message: String(err), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(err)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  }
  if (err.name !== 'Error') fields['name'] = err.name;
  return { message: err.message, fields };
}

export function deserializeError(error: SerializedError): Error {
  return Object.assign(new Error(error.message), error.fields);
}
