import type { Kysely, Selectable } from 'kysely';
import type { ConfigTemplatesTable, DeviceModelTables } from './tables.js';
import type { SortedWindow } from '../../platform/list-sort.js';

/** Configuration templates and who they are assigned to. */
export class TemplateStore {
  constructor(private readonly db: Kysely<DeviceModelTables>) {}

  async insert(row: { id: string; tenant_id: string; name: string; ocpp_version: string; settings: string; created_at: Date }): Promise<void> {
    await this.db.insertInto('config_templates').values(row).execute();
  }

  find(tenantId: string, id: string) {
    return this.db.selectFrom('config_templates').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  }

  /** In the window's order, `window.limit + 1` rows at most (the extra one tells that more exist). */
  list(tenantId: string, window: SortedWindow<Selectable<ConfigTemplatesTable>>) {
    return window.apply(this.db.selectFrom('config_templates').selectAll().where('tenant_id', '=', tenantId)).limit(window.limit + 1).execute();
  }

  async updateSettings(tenantId: string, id: string, settings: string): Promise<void> {
    await this.db.updateTable('config_templates').set({ settings }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('config_templates').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async assign(tenantId: string, templateId: string, scope: 'station' | 'site', targets: string[]): Promise<void> {
    if (targets.length === 0) return;
    await this.db
      .insertInto('config_template_assignments')
      .values(targets.map((target_id) => ({ tenant_id: tenantId, scope, target_id, template_id: templateId })))
      .onConflict((oc) => oc.columns(['tenant_id', 'scope', 'target_id']).doUpdateSet((eb) => ({ template_id: eb.ref('excluded.template_id') })))
      .execute();
  }

  assignments(tenantId: string, templateId: string) {
    return this.db.selectFrom('config_template_assignments').selectAll().where('tenant_id', '=', tenantId).where('template_id', '=', templateId).execute();
  }

  async anyAssignment(tenantId: string): Promise<boolean> {
    const row = await this.db.selectFrom('config_template_assignments').select('template_id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** The template assigned to the station itself, else to its site. */
  async templateIdFor(tenantId: string, stationId: string, siteId: string | null | undefined): Promise<string | undefined> {
    const rows = await this.db
      .selectFrom('config_template_assignments')
      .select(['scope', 'template_id'])
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or([
          eb.and([eb('scope', '=', 'station'), eb('target_id', '=', stationId)]),
          ...(siteId ? [eb.and([eb('scope', '=', 'site'), eb('target_id', '=', siteId)])] : []),
        ]),
      )
      .execute();
    return (rows.find((r) => r.scope === 'station') ?? rows[0])?.template_id;
  }
}
