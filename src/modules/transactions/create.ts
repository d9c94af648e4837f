import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { EventBus } from '../../platform/bus.js';
import type { IdSource } from '../../platform/ids.js';
import { MeterSampleWriter } from './sample-writer.js';
import { GroupCommit } from './group-commit.js';
import { TransactionsService } from './service.js';
import { TransactionsStore } from './store.js';
import { TransactionOutbox } from './outbox.js';
import { eventsOfApplied, eventsOfStarts, eventsOfStops } from './event-intake.js';
import { updatedEvent } from './session-events.js';
import { ensureStationSessions, insertNumberedSessions } from './session-inserts.js';
import type { TransactionsTables } from './tables.js';
import type { TokenAuthorizer } from './types.js';
import type { ConnectorStatusChanged } from '../stations/index.js';
import { DEFAULT_CONFLICT_RETRY, retryOnConflict, type ConflictRetryPolicy } from './conflict-retry.js';

export interface CreateTransactionsOptions {
  db: Kysely<TransactionsTables>;
  bus: EventBus;
  clock: Clock;
  ids: IdSource;
  authorizer: TokenAuthorizer;
  /** How long a meter sample or transaction event may wait for others to share its statement when the writer is idle. */
  writeLingerMs?: number;
  /** Marking outbox rows published failed (they are published again at the next start). */
  onOutboxError?: (err: unknown) => void;
  /** Told when a batch's transaction is run again after a deadlock or serialization failure (ADR 027). */
  onConflictRetry?: (err: unknown, attempt: number) => void;
  /** Tests: how such a transaction is retried. */
  conflictRetry?: Partial<ConflictRetryPolicy>;
}

const MAX_BATCH = 2000;

export function createTransactionsService(options: CreateTransactionsOptions): TransactionsService {
  const store = new TransactionsStore(options.db);
  const lingerMs = options.writeLingerMs ?? 2;
  const conflictRetry: ConflictRetryPolicy = { ...DEFAULT_CONFLICT_RETRY, onRetry: options.onConflictRetry, ...options.conflictRetry };
  const outbox = new TransactionOutbox({ db: options.db, bus: options.bus, onMarkError: options.onOutboxError ?? (() => undefined), conflictRetry });
  const service = new TransactionsService({
    store,
    // One transaction a batch: the rows, the running energy of their sessions, and their MeterSampled events (ADR 008, 010).
    samples: new MeterSampleWriter(
      (rows, events) =>
        outbox.record(async (tx) => {
          await tx.insertSamples(rows);
          return { value: undefined, events };
        }),
      lingerMs,
    ),
    // Batches travel as column arrays (one parameter per column, ADR 026); MAX_BATCH bounds one statement's work and its wait.
    events: new GroupCommit(
      (items) =>
        outbox.record(async (tx) => {
          // Its readings' energy statement locks every session of the batch first, in id order (ADR 027).
          await tx.insertSamples(
            items.flatMap((i) => i.samples),
            items.map((i) => i.event.session_id),
          );
          const applied = await tx.applyEvents(items);
          return { value: applied, events: await eventsOfApplied(tx, items, applied) };
        }),
      lingerMs,
      MAX_BATCH,
    ),
    // The batch's Started/Ended events are staged in the same transaction as its one statement (ADR 008, 010).
    starts: new GroupCommit(
      (items) =>
        outbox.record(async (tx) => {
          await tx.insertSamples(items.flatMap((i) => i.samples));
          const written = await tx.writeStarts(items);
          return { value: written, events: eventsOfStarts(items, written) };
        }),
      lingerMs,
      MAX_BATCH,
    ),
    stops: new GroupCommit(
      (items) =>
        outbox.record(async (tx) => {
          await tx.insertSamples(
            items.flatMap((i) => i.samples),
            items.map((i) => i.event.session_id),
          );
          const written = await tx.writeStops(items);
          return { value: written, events: eventsOfStops(items, written) };
        }),
      lingerMs,
      MAX_BATCH,
    ),
    // One statement each, its own transaction: retried whole like the batches above (ADR 027).
    numbered: new GroupCommit((items) => retryOnConflict(() => insertNumberedSessions(options.db, items), conflictRetry), lingerMs, MAX_BATCH),
    ensured: new GroupCommit((items) => retryOnConflict(() => ensureStationSessions(options.db, items), conflictRetry), lingerMs, MAX_BATCH),
    follows: new GroupCommit(
      (items) =>
        outbox.record(async (tx) => {
          const moved = await tx.followConnectors(items);
          const events = items.flatMap((item, i) => (moved[i] ?? []).map((row) => updatedEvent(row.tenant_id, row, `${item.status}:${options.ids.uuid()}`, item.now)));
          return { value: moved, events };
        }),
      lingerMs,
      MAX_BATCH,
    ),
    outbox,
    clock: options.clock,
    ids: options.ids,
    authorizer: options.authorizer,
  });
  options.bus.subscribe<ConnectorStatusChanged>('ConnectorStatusChanged', (event) =>
    service.connectorStatusChanged(event.tenantId, event.payload.stationId, event.payload.evseId, event.payload.status),
  );
  return service;
}
