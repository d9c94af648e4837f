import type { Kysely } from 'kysely';
import type { EventBus } from '../../platform/bus.js';
import { GroupCommit } from './group-commit.js';
import { TransactionsStore } from './store.js';
import type { TransactionsTables } from './tables.js';
import type { TransactionsEvent } from './events.js';
import { DEFAULT_CONFLICT_RETRY, retryOnConflict, type ConflictRetryPolicy } from './conflict-retry.js';
import { stageEvents, type StagedEvents, type StoredEvent } from './outbox-rows.js';
import type { RowLocks } from './session-locks.js';

/** Ids of events published lately: a retried message's event (same id) is not staged again. */
const RECENT_IDS = 200_000;

/** A transactions event with its stable id: what the outbox stores and publishes. */
export type OutboxEvent = TransactionsEvent & { id: string };

export interface TransactionOutboxDeps {
  db: Kysely<TransactionsTables>;
  bus: EventBus;
  /** Marking rows published failed; they are published again at the next start (same ids). */
  onMarkError: (err: unknown) => void;
  /** How long published ids wait to share one UPDATE. */
  markLingerMs?: number;
  /** How a transaction PostgreSQL aborted for a deadlock or serialization failure is run again (ADR 027). */
  conflictRetry?: ConflictRetryPolicy | undefined;
  /** How the batches' session writes lock rows (session-locks.ts); default in id order. */
  rowLocks?: RowLocks | undefined;
}

/**
 * Transactional outbox (ADR 008, 026). A batch of transaction messages' records and the domain
 * events they cause are written in one database transaction, the events as one outbox row; the
 * events are handed to the bus after the commit and the row is deleted a moment later (written
 * behind). A crash between commit and publish leaves the row and `relay()` publishes it at the
 * next start; a crash between publish and delete publishes it again with the same ids. So every
 * event is published at least once, and a consumer that must see it once dedupes on `event.id`.
 * A retried message whose event this process published lately (or relayed at start-up) does not
 * stage it again.
 */
export class TransactionOutbox {
  private readonly done: GroupCommit<number, void>;
  private readonly recent = new Set<string>();

  constructor(private readonly deps: TransactionOutboxDeps) {
    this.done = new GroupCommit<number, void>(
      async (seqs) => {
        await deps.db.deleteFrom('transaction_outbox_batches').where('seq', 'in', seqs).execute();
        return seqs.map((): void => undefined);
      },
      // Deletes are write-behind (a crash before one only republishes, same ids): a longer wait shares one statement among more batches.
      deps.markLingerMs ?? 100,
    );
  }

  /**
   * Runs `work` in one database transaction with a store bound to it, stages the events it
   * returns in the same transaction, and publishes them once it has committed. A transaction
   * aborted by a deadlock or serialization failure is run again whole, `work` included (ADR 027):
   * `work` must only read and write through the store, so a rolled-back attempt leaves no trace.
   */
  async record<T>(work: (store: TransactionsStore) => Promise<{ value: T; events: readonly OutboxEvent[] }>): Promise<T> {
    const { value, staged } = await retryOnConflict(
      () =>
        this.deps.db.transaction().execute(async (trx) => {
          const { value: result, events } = await work(new TransactionsStore(trx, this.deps.rowLocks));
          return { value: result, staged: await stageEvents(trx, this.unpublished(events)) };
        }),
      this.deps.conflictRetry ?? DEFAULT_CONFLICT_RETRY,
    );
    // Only a committed attempt reaches here: the ids it remembers are of events that are stored.
    if (staged) this.publish(staged.seq, staged.events);
    return value;
  }

  /**
   * `record` for a transaction run elsewhere (the database thread, ADR 034): `committed` resolves
   * once its writes and the outbox row of its events have committed; the events are published
   * here. An event this process published lately (a retried message's) is not published again.
   */
  async recordCommitted<T>(committed: () => Promise<{ value: T; staged: StagedEvents | undefined }>): Promise<T> {
    const { value, staged } = await committed();
    if (staged) this.publish(staged.seq, this.unpublished(staged.events));
    return value;
  }

  /** The events this process has not published lately (by id). */
  unpublished(events: readonly OutboxEvent[]): OutboxEvent[] {
    return events.filter((e) => !this.recent.has(e.id));
  }

  /**
   * Start-up: publishes, in staging order, every event a previous process committed but did not
   * see published (it died first). Returns how many it published. Call it after every subscriber
   * is in place and before stations connect.
   */
  async relay(batch = 100): Promise<number> {
    let relayed = 0;
    let after = 0;
    for (;;) {
      const rows = await this.deps.db.selectFrom('transaction_outbox_batches').select(['seq', 'events']).where('seq', '>', after).orderBy('seq').limit(batch).execute();
      if (rows.length === 0) break;
      for (const row of rows) {
        const events = (row.events as StoredEvent[]).map((e) => ({ ...e, occurredAt: new Date(e.occurredAt) }) as OutboxEvent);
        this.publish(Number(row.seq), events);
        relayed += events.length;
        after = Number(row.seq);
      }
      await this.done.flush();
    }
    return relayed;
  }

  /** Writes pending deletes (shutdown, tests). */
  flush(): Promise<void> {
    return this.done.flush();
  }

  private publish(seq: number, events: readonly OutboxEvent[]): void {
    for (const event of events) {
      this.remember(event.id);
      this.deps.bus.publish(event);
    }
    this.done.submit(seq).catch((err: unknown) => this.deps.onMarkError(err));
  }

  private remember(id: string): void {
    if (this.recent.size >= RECENT_IDS) {
      const oldest = this.recent.values().next();
      if (!oldest.done) this.recent.delete(oldest.value);
    }
    this.recent.add(id);
  }
}
