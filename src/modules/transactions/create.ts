import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { EventBus } from '../../platform/bus.js';
import type { IdSource } from '../../platform/ids.js';
import { MeterSampleWriter } from './sample-writer.js';
import { GroupCommit, WriteGate } from './group-commit.js';
import { TransactionsService } from './service.js';
import { TransactionsStore } from './store.js';
import { TransactionOutbox } from './outbox.js';
import { transactionBatchWrites } from './batch-writes.js';
import type { DbCall } from '../../platform/db/db-procedures.js';
import type { RowLocks } from './session-locks.js';
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
  /** How session writes lock rows: 'none' where the database has one connection (the embedded one); default in id order (ADR 027, 034). */
  rowLocks?: RowLocks | undefined;
  /** The database's procedure call, when it has one (the embedded database's thread): batches run there whole (ADR 034). */
  dbCall?: DbCall | undefined;
}

const MAX_BATCH = 2000;

export function createTransactionsService(options: CreateTransactionsOptions): TransactionsService {
  const store = new TransactionsStore(options.db, options.rowLocks);
  const lingerMs = options.writeLingerMs ?? 2;
  const conflictRetry: ConflictRetryPolicy = { ...DEFAULT_CONFLICT_RETRY, onRetry: options.onConflictRetry, ...options.conflictRetry };
  const outbox = new TransactionOutbox({
    db: options.db,
    bus: options.bus,
    onMarkError: options.onOutboxError ?? (() => undefined),
    conflictRetry,
    rowLocks: options.rowLocks,
  });
  const writes = transactionBatchWrites(options.db, outbox, conflictRetry, options.dbCall);
  // Batches run in the database thread one call each (ADR 034). Two out at once keep that thread
  // busy while this one handles an answer; more would take batches from their queues too early,
  // small, and a batch's fixed cost would eat the thread (measured: 1 ~1,280, 2 ~1,350–1,460, 4 ~750 msgs/s).
  const gate = options.dbCall ? new WriteGate(2) : undefined;
  const service = new TransactionsService({
    store,
    samples: new MeterSampleWriter(writes.samples, lingerMs, gate),
    // Batches travel as column arrays (one parameter per column, ADR 026); MAX_BATCH bounds one statement's work and its wait.
    events: new GroupCommit(writes.events, lingerMs, MAX_BATCH, gate),
    starts: new GroupCommit(writes.starts, lingerMs, MAX_BATCH, gate),
    stops: new GroupCommit(writes.stops, lingerMs, MAX_BATCH, gate),
    numbered: new GroupCommit(writes.numbered, lingerMs, MAX_BATCH, gate),
    ensured: new GroupCommit(writes.ensured, lingerMs, MAX_BATCH, gate),
    follows: new GroupCommit((items) => writes.follows(items.map((item) => ({ ...item, changeId: options.ids.uuid() }))), lingerMs, MAX_BATCH, gate),
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
