import type { Kysely } from 'kysely';
import type { DeviceModelTables, DeviceEventsTable, DeviceMonitorsTable, DeviceVariablesTable } from './tables.js';
import type { SortedWindow } from '../../platform/list-sort.js';
import type { Insertable, Selectable } from 'kysely';

export type VariableRow = Selectable<DeviceVariablesTable>;
export type MonitorRow = Selectable<DeviceMonitorsTable>;
export type EventRow = Selectable<DeviceEventsTable>;

/** The device-model module's SQL; nothing else reads these tables. */
export class DeviceModelStore {
  constructor(private readonly db: Kysely<DeviceModelTables>) {}

  async putConfiguration(
    rows: { tenant_id: string; station_id: string; key: string; value: string | null; readonly: boolean; reboot_required: boolean; updated_at: Date }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('device_configuration')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['station_id', 'key']).doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          readonly: eb.ref('excluded.readonly'),
          reboot_required: eb.ref('excluded.reboot_required'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }

  configuration(tenantId: string, stationId: string) {
    return this.db
      .selectFrom('device_configuration')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('station_id', '=', stationId)
      .orderBy('key')
      .execute();
  }

  variables(tenantId: string, stationId: string, filter: { component?: string | undefined; variable?: string | undefined; refs?: string[] } = {}) {
    let query = this.db.selectFrom('device_variables').selectAll().where('tenant_id', '=', tenantId).where('station_id', '=', stationId);
    if (filter.component) query = query.where('component_name', '=', filter.component);
    if (filter.variable) query = query.where('variable_name', '=', filter.variable);
    if (filter.refs) {
      if (filter.refs.length === 0) return Promise.resolve([]);
      query = query.where('ref', 'in', filter.refs);
    }
    return query.orderBy('ref').execute();
  }

  async putVariables(rows: Insertable<DeviceVariablesTable>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('device_variables')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['station_id', 'ref']).doUpdateSet((eb) => ({
          attributes: eb.ref('excluded.attributes'),
          characteristics: eb.ref('excluded.characteristics'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }

  async putMonitors(rows: DeviceMonitorsTable[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('device_monitors')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['station_id', 'monitor_id']).doUpdateSet((eb) => ({
          component: eb.ref('excluded.component'),
          variable: eb.ref('excluded.variable'),
          type: eb.ref('excluded.type'),
          value: eb.ref('excluded.value'),
          severity: eb.ref('excluded.severity'),
          transaction: eb.ref('excluded.transaction'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }

  async deleteMonitors(tenantId: string, stationId: string, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom('device_monitors').where('tenant_id', '=', tenantId).where('station_id', '=', stationId).where('monitor_id', 'in', ids).execute();
  }

  monitors(tenantId: string, stationId: string) {
    return this.db.selectFrom('device_monitors').selectAll().where('tenant_id', '=', tenantId).where('station_id', '=', stationId).orderBy('monitor_id').execute();
  }

  async addEvents(rows: Insertable<DeviceEventsTable>[]): Promise<EventRow[]> {
    if (rows.length === 0) return [];
    return this.db.insertInto('device_events').values(rows).returningAll().execute();
  }

  /** In the window's order, `window.limit + 1` rows at most (the extra one tells that more exist). */
  events(tenantId: string, stationId: string, window: SortedWindow<EventRow>): Promise<EventRow[]> {
    const query = this.db.selectFrom('device_events').selectAll().where('tenant_id', '=', tenantId).where('station_id', '=', stationId);
    return window.apply(query).limit(window.limit + 1).execute();
  }
}
