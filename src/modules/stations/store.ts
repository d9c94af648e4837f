import { sql, type Kysely, type Selectable } from 'kysely';
import type { StationConnectorsTable, StationsTable, StationsTables } from './tables.js';

export type StationRow = Selectable<StationsTable>;
export type ConnectorRow = Selectable<StationConnectorsTable>;

/** The stations module's SQL; every query that a tenant can reach filters by tenant. */
export class StationsStore {
  constructor(private readonly db: Kysely<StationsTables>) {}

  /** By identity alone: a WebSocket arrives before anyone knows its tenant. */
  findById(id: string): Promise<StationRow | undefined> {
    return this.db.selectFrom('stations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  find(tenantId: string, id: string): Promise<StationRow | undefined> {
    return this.db.selectFrom('stations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  }

  list(tenantId: string, options: { limit: number; after?: string | undefined; siteId?: string | undefined }): Promise<StationRow[]> {
    let query = this.db.selectFrom('stations').selectAll().where('tenant_id', '=', tenantId);
    if (options.after) query = query.where('id', '>', options.after);
    if (options.siteId) query = query.where('site_id', '=', options.siteId);
    return query.orderBy('id').limit(options.limit).execute();
  }

  async insert(row: {
    id: string;
    tenant_id: string;
    site_id: string | null;
    password_hash: string | null;
    security_profile: number;
    boot_policy: string;
    ocpp_version: string | null;
    registered_by: string;
  }): Promise<boolean> {
    const result = await this.db
      .insertInto('stations')
      .values({
        ...row,
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
      })
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

  /** Upserts a connector's status unless a newer report is already stored; returns the previous status. */
  async upsertConnectorStatus(row: ConnectorRow): Promise<{ previousStatus: string | null; applied: boolean }> {
    const result = await sql<{ previous_status: string | null; applied: boolean }>`
      with previous as (
        select status, status_at from station_connectors
        where station_id = ${row.station_id} and evse_id = ${row.evse_id} and connector_id = ${row.connector_id}
      ), upserted as (
        insert into station_connectors (tenant_id, station_id, evse_id, connector_id, status, error_code, info, vendor_error_code, status_at)
        values (${row.tenant_id}, ${row.station_id}, ${row.evse_id}, ${row.connector_id}, ${row.status}, ${row.error_code}, ${row.info}, ${row.vendor_error_code}, ${row.status_at})
        on conflict (station_id, evse_id, connector_id) do update set
          status = excluded.status, error_code = excluded.error_code, info = excluded.info,
          vendor_error_code = excluded.vendor_error_code, status_at = excluded.status_at
        where station_connectors.status_at <= excluded.status_at
        returning 1
      )
      select (select status from previous) as previous_status, exists (select 1 from upserted) as applied
    `.execute(this.db);
    const first = result.rows[0];
    return { previousStatus: first?.previous_status ?? null, applied: first?.applied ?? false };
  }

  async addSecurityEvent(row: { tenant_id: string; station_id: string; type: string; tech_info: string | null; occurred_at: Date }): Promise<void> {
    await this.db.insertInto('station_security_events').values(row).execute();
  }

  securityEvents(tenantId: string, stationId: string, limit: number) {
    return this.db
      .selectFrom('station_security_events')
      .select(['id', 'type', 'tech_info', 'occurred_at'])
      .where('tenant_id', '=', tenantId)
      .where('station_id', '=', stationId)
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }
}
