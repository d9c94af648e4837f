import type { Kysely, Selectable } from 'kysely';
import type { CommandsTables, StationLocalListsTable } from './tables.js';
import type { LocalListEntry } from './local-list-plan.js';

export type LocalListStateRow = Selectable<StationLocalListsTable>;

/** The local list module's SQL; every query filters by tenant and station. */
export class LocalListStore {
  constructor(private readonly db: Kysely<CommandsTables>) {}

  state(tenantId: string, stationId: string): Promise<LocalListStateRow | undefined> {
    return this.db.selectFrom('station_local_lists').selectAll().where('tenant_id', '=', tenantId).where('station_id', '=', stationId).executeTakeFirst();
  }

  async entries(tenantId: string, stationId: string): Promise<Map<string, LocalListEntry>> {
    const rows = await this.db
      .selectFrom('station_local_list_entries')
      .select(['key', 'entry'])
      .where('tenant_id', '=', tenantId)
      .where('station_id', '=', stationId)
      .execute();
    return new Map(rows.map((r) => [r.key, r.entry as LocalListEntry]));
  }

  async saveState(tenantId: string, stationId: string, changes: Partial<Omit<LocalListStateRow, 'tenant_id' | 'station_id'>>): Promise<void> {
    await this.db
      .insertInto('station_local_lists')
      .values({ tenant_id: tenantId, station_id: stationId, sent_version: 0, ...changes })
      .onConflict((oc) => oc.columns(['tenant_id', 'station_id']).doUpdateSet(changes))
      .execute();
  }

  /** Replaces the snapshot of what the station holds, with the state that goes with it. */
  async saveAccepted(tenantId: string, stationId: string, list: Map<string, LocalListEntry>, state: Partial<Omit<LocalListStateRow, 'tenant_id' | 'station_id'>>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('station_local_list_entries').where('tenant_id', '=', tenantId).where('station_id', '=', stationId).execute();
      const rows = [...list].map(([key, entry]) => ({ tenant_id: tenantId, station_id: stationId, key, entry: JSON.stringify(entry) }));
      for (let i = 0; i < rows.length; i += 1000) await trx.insertInto('station_local_list_entries').values(rows.slice(i, i + 1000)).execute();
      await new LocalListStore(trx).saveState(tenantId, stationId, state);
    });
  }
}
