import type { Kysely } from 'kysely';
import type { OutboxEvent } from './outbox.js';
import type { TransactionsTables } from './tables.js';

/** Events staged in one outbox row (ADR 008, 026), in the transaction that caused them. */
export interface StagedEvents {
  seq: number;
  events: OutboxEvent[];
}

/** An event as its outbox row keeps it. */
export interface StoredEvent {
  id: string;
  type: OutboxEvent['type'];
  tenantId: string;
  occurredAt: string;
  payload: unknown;
}

/** Stages events (one per id) as one outbox row in `db`'s transaction; none, no row. */
export async function stageEvents(db: Kysely<TransactionsTables>, events: readonly OutboxEvent[]): Promise<StagedEvents | undefined> {
  const unique = [...new Map(events.map((e) => [e.id, e])).values()];
  if (unique.length === 0) return undefined;
  const stored: StoredEvent[] = unique.map((e) => ({ id: e.id, type: e.type, tenantId: e.tenantId, occurredAt: e.occurredAt.toISOString(), payload: e.payload }));
  const row = await db.insertInto('transaction_outbox_batches').values({ events: JSON.stringify(stored) }).returning('seq').executeTakeFirstOrThrow();
  return { seq: Number(row.seq), events: unique };
}
