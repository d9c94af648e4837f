import type { Kysely } from 'kysely';
import type { EventBus } from '../../platform/bus.js';
import { GroupCommit } from './group-commit.js';
import { TransactionsStore } from './store.js';
import type { TransactionsTables } from './tables.js';
import type { TransactionsEvent } from './events.js';

/** How long published rows are kept; pruned at start-up. */
const PUBLISHED_RETENTION_MS = 24 * 3600_000;

/** A transactions event with its stable id: what the outbox stores and publishes. */
export type OutboxEvent = TransactionsEvent & { id: string };

export interface TransactionOutboxDeps {
  db: Kysely<TransactionsTables>;
  bus: EventBus;
  /** Marking rows published failed; they are published again at the next start (same ids). */
  onMarkError: (err: unknown) => void;
  /** How long published ids wait to share one UPDATE. */
  markLingerMs?: number;
}

/**
 * Transactional outbox (ADR 008). A transaction message's record and the domain events it causes
 * are written in one database transaction; the events are handed to the bus after the commit and
 * marked published a moment later (written behind). A crash between commit and publish leaves
 * the rows unpublished and `relay()` publishes them at the next start; a crash between publish
 * and mark publishes them again with the same ids. So every event is published at least once,
 * and a consumer that must see it once dedupes on `event.id`.
 */
export class TransactionOutbox {
  private readonly marks: GroupCommit<string, void>;

  constructor(private readonly deps: TransactionOutboxDeps) {
    this.marks = new GroupCommit<string, void>(
      async (ids) => {
        await deps.db.updateTable('transaction_outbox').set({ published_at: new Date() }).where('id', 'in', ids).execute();
        return ids.map((): void => undefined);
      },
      // Marks are write-behind (a crash before one only republishes, same id): a longer wait shares one UPDATE among more events.
      deps.markLingerMs ?? 100,
    );
  }

  /**
   * Runs `work` in one database transaction with a store bound to it, stages the events it
   * returns in the same transaction, and publishes them once it has committed. An event whose id
   * is already staged (the retry of a recorded message) is neither staged nor published again.
   */
  async record<T>(work: (store: TransactionsStore) => Promise<{ value: T; events: readonly OutboxEvent[] }>): Promise<T> {
    const { value, staged } = await this.deps.db.transaction().execute(async (trx) => {
      const { value: result, events } = await work(new TransactionsStore(trx));
      return { value: result, staged: await stage(trx, events) };
    });
    this.publish(staged);
    return value;
  }

  /**
   * Start-up: publishes, in staging order, every event a previous process committed but did not
   * mark published (it died first), after pruning rows published more than a day ago. Returns
   * how many it published. Call it after every subscriber is in place.
   */
  async relay(batch = 500): Promise<number> {
    // Rows published a day ago serve no one (a consumer dedupes what it saw recently); keep the table small.
    await this.deps.db
      .deleteFrom('transaction_outbox')
      .where('published_at', '<', new Date(Date.now() - PUBLISHED_RETENTION_MS))
      .execute();
    let relayed = 0;
    let after = 0;
    for (;;) {
      const rows = await this.deps.db
        .selectFrom('transaction_outbox')
        .selectAll()
        .where('published_at', 'is', null)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(batch)
        .execute();
      if (rows.length === 0) break;
      this.publish(
        rows.map((r) => ({ id: r.id, type: r.type, tenantId: r.tenant_id, occurredAt: r.occurred_at, payload: r.payload }) as OutboxEvent),
      );
      relayed += rows.length;
      after = Number(rows[rows.length - 1]?.seq ?? after);
      await this.marks.flush();
    }
    return relayed;
  }

  /** Writes pending "published" marks (shutdown, tests). */
  flush(): Promise<void> {
    return this.marks.flush();
  }

  private publish(events: readonly OutboxEvent[]): void {
    for (const event of events) {
      this.deps.bus.publish(event);
      this.marks.submit(event.id).catch((err: unknown) => this.deps.onMarkError(err));
    }
  }
}

/** Inserts the events not staged before (by id); returns those, in order. */
async function stage(db: Kysely<TransactionsTables>, events: readonly OutboxEvent[]): Promise<OutboxEvent[]> {
  const unique = [...new Map(events.map((e) => [e.id, e])).values()];
  if (unique.length === 0) return [];
  const inserted = await db
    .insertInto('transaction_outbox')
    .values(
      unique.map((e) => ({ id: e.id, tenant_id: e.tenantId, type: e.type, payload: JSON.stringify(e.payload), occurred_at: e.occurredAt })),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .execute();
  const fresh = new Set(inserted.map((r) => r.id));
  return unique.filter((e) => fresh.has(e.id));
}
