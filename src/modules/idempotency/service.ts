import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { IdempotencyTables } from './tables.js';

export interface StoredAnswer {
  statusCode: number;
  contentType: string | null;
  body: string;
}

/** What a request carrying an Idempotency-Key may do. */
export type Claim =
  | { kind: 'first' }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'mismatch' }
  | { kind: 'in-progress' };

/** Keys are kept this long; a repeat after that is treated as a new request. */
export const KEY_RETENTION_MS = 24 * 3600_000;

/**
 * Idempotency keys (as in the IETF httpapi Idempotency-Key draft): the first request with a key
 * claims it, its answer is stored, and a repeat with the same request gets that answer back.
 */
export class IdempotencyService {
  constructor(private readonly deps: { db: Kysely<IdempotencyTables>; clock: Clock }) {}

  async claim(tenantId: string, key: string, requestHash: string): Promise<Claim> {
    const { db, clock } = this.deps;
    const now = clock.now();
    await db.deleteFrom('idempotency_keys').where('created_at', '<', new Date(now.getTime() - KEY_RETENTION_MS)).execute();
    const inserted = await db
      .insertInto('idempotency_keys')
      .values({ tenant_id: tenantId, key, request_hash: requestHash, status_code: null, content_type: null, response: null, created_at: now })
      .onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing())
      .executeTakeFirst();
    if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) return { kind: 'first' };
    const row = await db.selectFrom('idempotency_keys').selectAll().where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst();
    if (!row) return this.claim(tenantId, key, requestHash);
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.status_code === null || row.response === null) return { kind: 'in-progress' };
    return { kind: 'replay', answer: { statusCode: row.status_code, contentType: row.content_type, body: row.response } };
  }

  async complete(tenantId: string, key: string, answer: StoredAnswer): Promise<void> {
    await this.deps.db
      .updateTable('idempotency_keys')
      .set({ status_code: answer.statusCode, content_type: answer.contentType, response: answer.body })
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .execute();
  }

  /** The first request died without an answer: let the client try again with the same key. */
  async release(tenantId: string, key: string): Promise<void> {
    await this.deps.db.deleteFrom('idempotency_keys').where('tenant_id', '=', tenantId).where('key', '=', key).where('status_code', 'is', null).execute();
  }
}
