import type { Kysely, Selectable } from 'kysely';
import type { StationConnectorsTable, StationsTable, StationsTables } from './tables.js';
import type { SecurityEventQuery } from './types.js';
import type { SortedWindow } from '../../platform/list-sort.js';
import type { SecurityEventRow } from './station-sort.js';

export type StationRow = Selectable<StationsTable>;

export interface StationFilter {
  siteId?: string | undefined;
  /** Caller scoping (site-scoped users, ADR 021): only these stations. */
  ids?: readonly string[] | undefined;
}
export type ConnectorRow = Selectable<StationConnectorsTable>;

export interface NewStationRow {
  id: string;
  tenant_id: string;
  site_id: string | null;
  password_hash: string | null;
  security_profile: number;
  boot_policy: string;
  ocpp_version: string | null;
  registered_by: string;
}

const EMPTY_FACTS = {
  vendor: null,
  model: null,
  serial_number: null,
  firmware_version: null,
  iccid: null,
  imsi: null,
  last_boot_status: null,
  last_boot_at: null,
  connected_at: null,
  disconnected_at: null,
  last_seen_at: null,
};

/** The stations module's SQL; every query that a tenant can reach filters by tenant. */
export class StationsStore {
  constructor(private readonly db: Kysely<StationsTables>) {}

  /** By identity alone: a WebSocket arrives before anyone knows its tenant. */
  findMany(ids: readonly string[]): Promise<StationRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('stations').selectAll().where('id', 'in', ids).execute();
  }

  /** Inserts what is not there yet; returns the ids it inserted. */
  async insertMissing(rows: NewStationRow[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const inserted = await this.db
      .insertInto('stations')
      .values(rows.map((row) => ({ ...row, ...EMPTY_FACTS })))
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    return new Set(inserted.map((r) => r.id));
  }

  find(tenantId: string, id: string): Promise<StationRow | undefined> {
    return this.db.selectFrom('stations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  }

  /** Fetches `window.limit + 1` rows: the extra one tells whether another page exists. */
  list(tenantId: string, options: StationFilter, window: SortedWindow<StationRow>): Promise<StationRow[]> {
    if (options.ids?.length === 0) return Promise.resolve([]);
    let query = this.db.selectFrom('stations').selectAll().where('tenant_id', '=', tenantId);
    if (options.ids) query = query.where('id', 'in', options.ids);
    if (options.siteId) query = query.where('site_id', '=', options.siteId);
    return window.apply(query).limit(window.limit + 1).execute();
  }

  /** Station ids on these sites (site-scoped users, ADR 021). */
  async idsOfSites(tenantId: string, siteIds: readonly string[]): Promise<string[]> {
    if (siteIds.length === 0) return [];
    const rows = await this.db.selectFrom('stations').select('id').where('tenant_id', '=', tenantId).where('site_id', 'in', siteIds).execute();
    return rows.map((r) => r.id);
  }

  async insert(row: NewStationRow): Promise<boolean> {
    const result = await this.db
      .insertInto('stations')
      .values({ ...row, ...EMPTY_FACTS })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async update(tenantId: string, id: string, changes: Partial<Omit<StationRow, 'id' | 'tenant_id' | 'created_at'>>): Promise<boolean> {
    const result = await this.db.updateTable('stations').set(changes).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async markAllOffline(at: Date): Promise<void> {
    await this.db.updateTable('stations').set({ online: false, disconnected_at: at }).where('online', '=', true).execute();
  }

  connectors(tenantId: string, stationIds: readonly string[]): Promise<ConnectorRow[]> {
    if (stationIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('station_connectors')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('station_id', 'in', stationIds)
      .orderBy('station_id')
      .orderBy('evse_id')
      .orderBy('connector_id')
      .execute();
  }

  async addSecurityEvent(row: { tenant_id: string; station_id: string; type: string; tech_info: string | null; occurred_at: Date }): Promise<void> {
    await this.db.insertInto('station_security_events').values(row).execute();
  }

  /** Security events across the tenant's stations, filtered by what is given, in the window's order. */
  searchSecurityEvents(tenantId: string, query: SecurityEventQuery, window: SortedWindow<SecurityEventRow>): Promise<SecurityEventRow[]> {
    let q = this.db
      .selectFrom('station_security_events')
      .select(['id', 'station_id', 'type', 'tech_info', 'occurred_at'])
      .where('tenant_id', '=', tenantId);
    if (query.stationId) q = q.where('station_id', '=', query.stationId);
    if (query.type) q = q.where('type', '=', query.type);
    if (query.from) q = q.where('occurred_at', '>=', query.from);
    if (query.to) q = q.where('occurred_at', '<', query.to);
    return window.apply(q).limit(window.limit + 1).execute();
  }
}
