import type { Kysely, Selectable } from 'kysely';
import type { FirmwareCampaignTargetsTable, FirmwareCampaignsTable, FirmwareTables } from './tables.js';
import type { SortedWindow } from '../../platform/list-sort.js';

export type CampaignRow = Selectable<FirmwareCampaignsTable>;
export type TargetRow = Selectable<FirmwareCampaignTargetsTable>;

/** The SQL of firmware campaigns and their per-station targets. */
export class CampaignStore {
  constructor(private readonly db: Kysely<FirmwareTables>) {}

  async insert(campaign: FirmwareCampaignsTable, targets: FirmwareCampaignTargetsTable[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('firmware_campaigns').values(campaign).execute();
      for (let i = 0; i < targets.length; i += 500) await trx.insertInto('firmware_campaign_targets').values(targets.slice(i, i + 500)).execute();
    });
  }

  async get(tenantId: string, id: string): Promise<CampaignRow | undefined> {
    return this.db.selectFrom('firmware_campaigns').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  }

  async byId(id: string): Promise<CampaignRow | undefined> {
    return this.db.selectFrom('firmware_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** In the window's order, `window.limit + 1` rows at most (the extra one tells that more exist). */
  async list(tenantId: string, window: SortedWindow<CampaignRow>): Promise<CampaignRow[]> {
    return window.apply(this.db.selectFrom('firmware_campaigns').selectAll().where('tenant_id', '=', tenantId)).limit(window.limit + 1).execute();
  }

  async running(): Promise<CampaignRow[]> {
    return this.db.selectFrom('firmware_campaigns').selectAll().where('status', '=', 'running').execute();
  }

  async patch(id: string, changes: Partial<FirmwareCampaignsTable>): Promise<void> {
    await this.db.updateTable('firmware_campaigns').set(changes).where('id', '=', id).execute();
  }

  async targets(campaignId: string): Promise<TargetRow[]> {
    return this.db.selectFrom('firmware_campaign_targets').selectAll().where('campaign_id', '=', campaignId).orderBy('batch').orderBy('station_id').execute();
  }

  async target(campaignId: string, stationId: string): Promise<TargetRow | undefined> {
    return this.db
      .selectFrom('firmware_campaign_targets')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .where('station_id', '=', stationId)
      .executeTakeFirst();
  }

  async patchTarget(campaignId: string, stationId: string, changes: Partial<FirmwareCampaignTargetsTable>): Promise<void> {
    await this.db.updateTable('firmware_campaign_targets').set(changes).where('campaign_id', '=', campaignId).where('station_id', '=', stationId).execute();
  }

  async cancelPending(campaignId: string, at: Date): Promise<void> {
    await this.db
      .updateTable('firmware_campaign_targets')
      .set({ progress: 'cancelled', detail: 'campaign cancelled', updated_at: at })
      .where('campaign_id', '=', campaignId)
      .where('progress', '=', 'pending')
      .execute();
  }

  /** Running campaigns in which this station still waits to be sent the update. */
  async waitingFor(tenantId: string, stationId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('firmware_campaign_targets as t')
      .innerJoin('firmware_campaigns as c', 'c.id', 't.campaign_id')
      .select('c.id')
      .where('t.tenant_id', '=', tenantId)
      .where('t.station_id', '=', stationId)
      .where('t.progress', '=', 'pending')
      .where('c.status', '=', 'running')
      .whereRef('t.batch', '<=', 'c.current_batch')
      .execute();
    return rows.map((r) => r.id);
  }
}
