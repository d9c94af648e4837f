/**
 * Retrying a database transaction PostgreSQL aborted to resolve a conflict between transactions
 * (ADR 027). After a deadlock (40P01: it chose this transaction as the victim) or a serialization
 * failure (40001) the whole transaction has rolled back and nothing it did is visible, so running
 * it again from BEGIN is safe as long as the work is idempotent and changes no in-memory state
 * before its commit — true of every batch of this module (ADR 027 lists why). Any other error is
 * a real failure and is not retried.
 */

/** deadlock_detected, serialization_failure. */
const CONFLICT_CODES = new Set(['40P01', '40001']);

export interface ConflictRetryPolicy {
  /** Runs in all, the first included. */
  attempts: number;
  /** The wait before the first retry; it doubles each retry, with jitter. */
  baseDelayMs: number;
  /** [0, 1): the jitter that keeps two victims from colliding again at once. */
  random: () => number;
  /** Told about every retried failure (a log line). */
  onRetry?: ((err: unknown, attempt: number) => void) | undefined;
}

export const DEFAULT_CONFLICT_RETRY: ConflictRetryPolicy = { attempts: 5, baseDelayMs: 5, random: Math.random };

/** Is `err` a conflict PostgreSQL resolved by aborting this transaction (pg and PGlite both carry `code`)? */
export function isConflictAbort(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONFLICT_CODES.has(code);
}

/** Runs `transaction` (a whole database transaction, from BEGIN), again after a conflict abort, at most `attempts` times. */
export async function retryOnConflict<T>(transaction: () => Promise<T>, policy: ConflictRetryPolicy = DEFAULT_CONFLICT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (err) {
      if (!isConflictAbort(err) || attempt >= policy.attempts) throw err;
      policy.onRetry?.(err, attempt);
      const delayMs = policy.baseDelayMs * 2 ** (attempt - 1) * (0.5 + policy.random());
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
