import type { Kysely } from 'kysely';
import type { DbCall } from '../../platform/db/db-procedures.js';
import type { TransactionOutbox, OutboxEvent } from './outbox.js';
import type { AppliedEvent, SessionEventWrite } from './event-writes.js';
import type { StartWrite, StartWritten, StopWrite, StopWritten } from './numbered-writes.js';
import { ensureStationSessions, insertNumberedSessions, type InsertedSession, type NumberedSessionInsert } from './session-inserts.js';
import type { NewSampleRow, NewSessionRow, SessionHead } from './session-rows.js';
import { retryOnConflict, type ConflictRetryPolicy } from './conflict-retry.js';
import { BATCH_WORK, type BatchInputs, type BatchKind, type BatchValues, type KeyedConnectorFollow } from './batch-work.js';
import { BATCH_PROCEDURE, type BatchCall, type BatchCalled } from './batch-procedures.js';
import type { TransactionsTables } from './tables.js';

/**
 * What one group-committed batch of each kind writes, each in its own database transaction: the
 * functions the service's group commits call (create.ts), and what `bench writes` measures.
 */
export interface TransactionBatchWrites {
  /** MeterValues readings, the running energy of their sessions, and their MeterSampled events (ADR 008, 010). */
  samples(rows: NewSampleRow[], events: OutboxEvent[]): Promise<void>;
  /** 2.x TransactionEvents with their readings, applied to their sessions. */
  events(items: SessionEventWrite[]): Promise<AppliedEvent[]>;
  /** 1.6 StartTransactions' Started records, Transaction.Begin readings and superseding. */
  starts(items: StartWrite[]): Promise<StartWritten[]>;
  /** 1.6 StopTransactions' readings, finishes and Ended records. */
  stops(items: StopWrite[]): Promise<StopWritten[]>;
  /** 1.6 connector statuses moving their open sessions. */
  follows(items: KeyedConnectorFollow[]): Promise<SessionHead[][]>;
  /** Sessions of 1.6 starts, CSMS-numbered; one statement, its own transaction. */
  numbered(items: NumberedSessionInsert[]): Promise<InsertedSession[]>;
  /** Sessions of 2.x transactions first seen; one statement, its own transaction. */
  ensured(items: NewSessionRow[]): Promise<InsertedSession[]>;
}

/**
 * The batch writes. With `call` (the embedded database in its own thread) each batch's whole
 * transaction runs there in one call (ADR 034); otherwise here, one statement at a time, retried
 * whole after a deadlock (ADR 027). Either way the events are published here once committed.
 */
export function transactionBatchWrites(
  db: Kysely<TransactionsTables>,
  outbox: TransactionOutbox,
  conflictRetry: ConflictRetryPolicy,
  call?: DbCall | undefined,
): TransactionBatchWrites {
  const batch = <K extends BatchKind>(kind: K, input: BatchInputs[K]): Promise<BatchValues[K]> =>
    call
      ? outbox.recordCommitted(() => call<BatchCalled<K>>(BATCH_PROCEDURE, { kind, input } satisfies BatchCall<K>))
      : outbox.record((tx) => BATCH_WORK[kind](tx, input));
  return {
    // A retried reading's MeterSampled event published lately is not staged again.
    samples: (rows, events) => batch('samples', { rows, events: outbox.unpublished(events) }),
    events: (items) => batch('events', items),
    starts: (items) => batch('starts', items),
    stops: (items) => batch('stops', items),
    follows: (items) => batch('follows', items),
    // One statement each, its own transaction: retried whole like the batches above (ADR 027).
    numbered: (items) => retryOnConflict(() => insertNumberedSessions(db, items), conflictRetry),
    ensured: (items) => retryOnConflict(() => ensureStationSessions(db, items), conflictRetry),
  };
}
