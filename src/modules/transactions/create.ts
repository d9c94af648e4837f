import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { EventBus } from '../../platform/bus.js';
import type { IdSource } from '../../platform/ids.js';
import { MeterSampleWriter } from './sample-writer.js';
import { GroupCommit } from './group-commit.js';
import { TransactionsService } from './service.js';
import { TransactionsStore } from './store.js';
import { TransactionOutbox } from './outbox.js';
import { transactionBatchWrites } from './batch-writes.js';
import { updatedEvent } from './session-events.js';
import type { TransactionsTables } from './tables.js';
import type { TokenAuthorizer } from './types.js';
import type { ConnectorStatusChanged } from '../stations/index.js';
import { DEFAULT_CONFLICT_RETRY, type ConflictRetryPolicy } from './conflict-retry.js';

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
  const writes = transactionBatchWrites(options.db, outbox, conflictRetry);
  const service = new TransactionsService({
    store,
    samples: new MeterSampleWriter(writes.samples, lingerMs),
    // Batches travel as column arrays (one parameter per column, ADR 026); MAX_BATCH bounds one statement's work and its wait.
    events: new GroupCommit(writes.events, lingerMs, MAX_BATCH),
    starts: new GroupCommit(writes.starts, lingerMs, MAX_BATCH),
    stops: new GroupCommit(writes.stops, lingerMs, MAX_BATCH),
    numbered: new GroupCommit(writes.numbered, lingerMs, MAX_BATCH),
    ensured: new GroupCommit(writes.ensured, lingerMs, MAX_BATCH),
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
