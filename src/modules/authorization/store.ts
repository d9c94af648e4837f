import { sql, type Kysely, type Selectable } from 'kysely';
import type { AuthorizationTables, IdTokensTable } from './tables.js';
import type { EvseRestriction, TokenFilter } from './types.js';
import type { SortedWindow } from '../../platform/list-sort.js';

export type IdTokenRow = Selectable<IdTokensTable>;

/** A whole row, as the service builds it before the insert. */
export type NewIdTokenRow = IdTokenRow;

export type IdTokenChanges = Partial<Omit<NewIdTokenRow, 'id' | 'tenant_id' | 'uid' | 'type' | 'created_at'>>;

/** Rows per INSERT in an import: 13 parameters a row stays far below PostgreSQL's 65,535. */
const IMPORT_CHUNK = 1000;

const upperUid = sql<string>`upper(uid)`;

/** Thrown inside an import transaction to roll it back; never leaves this file. */
class RollbackImport extends Error {}

/** The authorization module's SQL; every query filters by tenant. uid comparisons ignore case. */
export class TokensStore {
  constructor(private readonly db: Kysely<AuthorizationTables>) {}

  /**
   * The token presented as (uid, type). Without a type (a 1.6 idTag) any type matches, ISO14443
   * first (what a 1.6 RFID reader presents), then the rest in a fixed order.
   */
  match(tenantId: string, uid: string, type: string | undefined): Promise<IdTokenRow | undefined> {
    let query = this.db.selectFrom('id_tokens').selectAll().where('tenant_id', '=', tenantId).where(upperUid, '=', sql<string>`upper(${uid})`);
    if (type !== undefined) return query.where('type', '=', type).executeTakeFirst();
    query = query.orderBy(sql`case when type = 'ISO14443' then 0 else 1 end`).orderBy('type');
    return query.limit(1).executeTakeFirst();
  }

  find(tenantId: string, id: string): Promise<IdTokenRow | undefined> {
    return this.db.selectFrom('id_tokens').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  }

  /** Fetches `window.limit + 1` rows: the extra one tells whether another page exists. */
  list(tenantId: string, options: TokenFilter, window: SortedWindow<IdTokenRow>): Promise<IdTokenRow[]> {
    let query = this.db.selectFrom('id_tokens').selectAll().where('tenant_id', '=', tenantId);
    if (options.uid !== undefined) query = query.where(upperUid, '=', sql<string>`upper(${options.uid})`);
    if (options.type !== undefined) query = query.where('type', '=', options.type);
    if (options.status !== undefined) query = query.where('status', '=', options.status);
    if (options.groupId !== undefined) query = query.where(sql<string>`upper(group_id)`, '=', sql<string>`upper(${options.groupId})`);
    if (options.driverId !== undefined) query = query.where('driver_id', '=', options.driverId);
    return window.apply(query).limit(window.limit + 1).execute();
  }

  /** False when (tenant, uid, type) exists already. */
  async insert(row: NewIdTokenRow): Promise<boolean> {
    const result = await this.db
      .insertInto('id_tokens')
      .values(toInsert(row))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /**
   * Inserts every row in one transaction, or none: returns the rows that already existed (then
   * nothing was written).
   */
  async insertAllOrNothing(rows: readonly NewIdTokenRow[]): Promise<NewIdTokenRow[]> {
    let conflicts: NewIdTokenRow[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (let start = 0; start < rows.length; start += IMPORT_CHUNK) {
          const chunk = rows.slice(start, start + IMPORT_CHUNK);
          const inserted = await trx
            .insertInto('id_tokens')
            .values(chunk.map(toInsert))
            .onConflict((oc) => oc.doNothing())
            .returning('id')
            .execute();
          if (inserted.length < chunk.length) {
            const ids = new Set(inserted.map((r) => r.id));
            conflicts = chunk.filter((row) => !ids.has(row.id));
            throw new RollbackImport();
          }
        }
      });
    } catch (err) {
      if (err instanceof RollbackImport) return conflicts;
      throw err;
    }
    return [];
  }

  async update(tenantId: string, id: string, changes: IdTokenChanges): Promise<boolean> {
    const { evse_restrictions, ...plain } = changes;
    const result = await this.db
      .updateTable('id_tokens')
      .set({ ...plain, ...(evse_restrictions !== undefined ? { evse_restrictions: jsonOrNull(evse_restrictions) } : {}) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('id_tokens').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function jsonOrNull(value: EvseRestriction[] | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

function toInsert(row: NewIdTokenRow) {
  return { ...row, evse_restrictions: jsonOrNull(row.evse_restrictions) };
}
