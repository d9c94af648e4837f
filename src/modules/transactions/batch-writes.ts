import type { Kysely } from 'kysely';
import type { TransactionOutbox, OutboxEvent } from './outbox.js';
import type { AppliedEvent, SessionEventWrite } from './event-writes.js';
import type { StartWrite, StartWritten, StopWrite, StopWritten } from './numbered-writes.js';
import { ensureStationSessions, insertNumberedSessions, type InsertedSession, type NumberedSessionInsert } from './session-inserts.js';
import type { NewSampleRow, NewSessionRow } from './session-rows.js';
import { eventsOfApplied, eventsOfStarts, eventsOfStops } from './event-intake.js';
import { retryOnConflict, type ConflictRetryPolicy } from './conflict-retry.js';
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
  /** Sessions of 1.6 starts, CSMS-numbered; one statement, its own transaction. */
  numbered(items: NumberedSessionInsert[]): Promise<InsertedSession[]>;
  /** Sessions of 2.x transactions first seen; one statement, its own transaction. */
  ensured(items: NewSessionRow[]): Promise<InsertedSession[]>;
}

export function transactionBatchWrites(db: Kysely<TransactionsTables>, outbox: TransactionOutbox, conflictRetry: ConflictRetryPolicy): TransactionBatchWrites {
  return {
    samples: (rows, events) =>
      outbox.record(async (tx) => {
        await tx.insertSamples(rows);
        return { value: undefined, events };
      }),
    events: (items) =>
      outbox.record(async (tx) => {
        // Its readings' energy statement locks every session of the batch first, in id order (ADR 027).
        await tx.insertSamples(
          items.flatMap((i) => i.samples),
          items.map((i) => i.event.session_id),
        );
        const applied = await tx.applyEvents(items);
        return { value: applied, events: await eventsOfApplied(tx, items, applied) };
      }),
    // The batch's Started/Ended events are staged in the same transaction as its one statement (ADR 008, 010).
    starts: (items) =>
      outbox.record(async (tx) => {
        await tx.insertSamples(items.flatMap((i) => i.samples));
        const written = await tx.writeStarts(items);
        return { value: written, events: eventsOfStarts(items, written) };
      }),
    stops: (items) =>
      outbox.record(async (tx) => {
        await tx.insertSamples(
          items.flatMap((i) => i.samples),
          items.map((i) => i.event.session_id),
        );
        const written = await tx.writeStops(items);
        return { value: written, events: eventsOfStops(items, written) };
      }),
    // One statement each, its own transaction: retried whole like the batches above (ADR 027).
    numbered: (items) => retryOnConflict(() => insertNumberedSessions(db, items), conflictRetry),
    ensured: (items) => retryOnConflict(() => ensureStationSessions(db, items), conflictRetry),
  };
}
