import type { TransactionsStore } from './store.js';
import type { OutboxEvent } from './outbox.js';
import type { AppliedEvent, SessionEventWrite } from './event-writes.js';
import type { StartWrite, StartWritten, StopWrite, StopWritten } from './numbered-writes.js';
import type { ConnectorFollow } from './connector-follows.js';
import type { NewSampleRow, SessionHead } from './session-rows.js';
import { eventsOfApplied, eventsOfStarts, eventsOfStops } from './event-intake.js';
import { updatedEvent } from './session-events.js';

/** A 1.6 connector status to follow, with the id its TransactionUpdated events are keyed by (drawn by the caller: the work must be repeatable). */
export type KeyedConnectorFollow = ConnectorFollow & { changeId: string };

/** What each kind of group-committed batch takes. */
export interface BatchInputs {
  samples: { rows: NewSampleRow[]; events: OutboxEvent[] };
  events: SessionEventWrite[];
  starts: StartWrite[];
  stops: StopWrite[];
  follows: KeyedConnectorFollow[];
}

/** What each kind of batch answers its items. */
export interface BatchValues {
  samples: void;
  events: AppliedEvent[];
  starts: StartWritten[];
  stops: StopWritten[];
  follows: SessionHead[][];
}

export type BatchKind = keyof BatchInputs;

/**
 * The body of each kind of batch's database transaction: what it writes through the store and the
 * domain events it stages with it (ADR 008, 010). Plain functions of their input and the store,
 * with nothing drawn from a clock or id source: the outbox runs one again whole after a deadlock
 * (ADR 027), and the database thread runs it next to the embedded database (ADR 034).
 */
export const BATCH_WORK: { [K in BatchKind]: (tx: TransactionsStore, input: BatchInputs[K]) => Promise<{ value: BatchValues[K]; events: OutboxEvent[] }> } = {
  /** MeterValues readings, the running energy of their sessions, and their MeterSampled events. */
  samples: async (tx, { rows, events }) => {
    await tx.insertSamples(rows);
    return { value: undefined, events };
  },
  /** 2.x TransactionEvents with their readings, applied to their sessions. */
  events: async (tx, items) => {
    // Its readings' energy statement locks every session of the batch first, in id order (ADR 027).
    await tx.insertSamples(
      items.flatMap((i) => i.samples),
      items.map((i) => i.event.session_id),
    );
    const applied = await tx.applyEvents(items);
    return { value: applied, events: await eventsOfApplied(tx, items, applied) };
  },
  /** 1.6 StartTransactions' Started records, Transaction.Begin readings and superseding. */
  starts: async (tx, items) => {
    await tx.insertSamples(items.flatMap((i) => i.samples));
    const written = await tx.writeStarts(items);
    return { value: written, events: eventsOfStarts(items, written) };
  },
  /** 1.6 StopTransactions' readings, finishes and Ended records. */
  stops: async (tx, items) => {
    await tx.insertSamples(
      items.flatMap((i) => i.samples),
      items.map((i) => i.event.session_id),
    );
    const written = await tx.writeStops(items);
    return { value: written, events: eventsOfStops(items, written) };
  },
  /** 1.6 connector statuses moving their open sessions, with the TransactionUpdated events they cause. */
  follows: async (tx, items) => {
    const moved = await tx.followConnectors(items);
    const events = items.flatMap((item, i) => (moved[i] ?? []).map((row) => updatedEvent(row.tenant_id, row, `${item.status}:${item.changeId}`, item.now)));
    return { value: moved, events };
  },
};
