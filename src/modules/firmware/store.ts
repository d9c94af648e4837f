import type { Kysely, Selectable } from 'kysely';
import type { FirmwareImagesTable, FirmwareTables, FirmwareUpdatesTable } from './tables.js';
import type { FirmwareImageView, FirmwareUpdateView, UpdateProgress } from './types.js';
import type { SortedWindow } from '../../platform/list-sort.js';

export type ImageMeta = Omit<Selectable<FirmwareImagesTable>, 'data'>;

const IMAGE_META = ['id', 'tenant_id', 'name', 'version', 'file_name', 'content_type', 'size_bytes', 'sha256', 'signature', 'signing_certificate', 'created_at'] as const;

/** The firmware module's SQL: images, updates sent to stations and their status history. */
export class FirmwareStore {
  constructor(private readonly db: Kysely<FirmwareTables>) {}

  async insertImage(row: FirmwareImagesTable): Promise<void> {
    await this.db.insertInto('firmware_images').values(row).execute();
  }

  async imageMeta(tenantId: string, id: string): Promise<ImageMeta | undefined> {
    return this.db.selectFrom('firmware_images').select(IMAGE_META).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  }

  /** By id alone: the signed link already proves which tenant's image it is. */
  async imageData(id: string): Promise<{ data: Uint8Array; file_name: string; content_type: string; sha256: string } | undefined> {
    return this.db.selectFrom('firmware_images').select(['data', 'file_name', 'content_type', 'sha256']).where('id', '=', id).executeTakeFirst();
  }

  /** In the window's order, `window.limit + 1` rows at most (the extra one tells that more exist). */
  async listImages(tenantId: string, window: SortedWindow<ImageMeta>): Promise<ImageMeta[]> {
    const query = this.db.selectFrom('firmware_images').select(IMAGE_META).where('tenant_id', '=', tenantId);
    return window.apply(query).limit(window.limit + 1).execute();
  }

  async deleteImage(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('firmware_images').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async imageInUse(tenantId: string, id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('firmware_campaigns')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('image_id', '=', id)
      .where('status', 'in', ['running', 'paused'])
      .executeTakeFirst();
    return row !== undefined;
  }

  async insertUpdate(row: Omit<FirmwareUpdatesTable, 'id'>): Promise<number> {
    const { id } = await this.db.insertInto('firmware_updates').values(row).returning('id').executeTakeFirstOrThrow();
    return id;
  }

  async setUpdateStatus(id: number, status: string, progress: UpdateProgress, at: Date): Promise<void> {
    await this.db.updateTable('firmware_updates').set({ status, progress, updated_at: at }).where('id', '=', id).execute();
  }

  async update(tenantId: string, stationId: string, requestId: number): Promise<Selectable<FirmwareUpdatesTable> | undefined> {
    return this.db
      .selectFrom('firmware_updates')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('station_id', '=', stationId)
      .where('id', '=', requestId)
      .executeTakeFirst();
  }

  async latestUpdate(tenantId: string, stationId: string): Promise<Selectable<FirmwareUpdatesTable> | undefined> {
    return this.db
      .selectFrom('firmware_updates')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('station_id', '=', stationId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async insertStatusEvent(row: { tenant_id: string; station_id: string; update_id: number | null; status: string; at: Date }): Promise<void> {
    await this.db.insertInto('firmware_status_events').values(row).execute();
  }

  async statusHistory(tenantId: string, stationId: string, limit: number) {
    return this.db
      .selectFrom('firmware_status_events')
      .select(['update_id', 'status', 'at'])
      .where('tenant_id', '=', tenantId)
      .where('station_id', '=', stationId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /** The key that signs file links; created once and shared by every node reading this database. */
  async linkKey(id: string, generate: () => string): Promise<string> {
    await this.db.insertInto('file_link_keys').values({ id, secret: generate() }).onConflict((oc) => oc.column('id').doNothing()).execute();
    const row = await this.db.selectFrom('file_link_keys').select('secret').where('id', '=', id).executeTakeFirstOrThrow();
    return row.secret;
  }
}

export function toImageView(row: ImageMeta): FirmwareImageView {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    fileName: row.file_name,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    signed: row.signature !== null,
    createdAt: row.created_at.toISOString(),
  };
}

export function toUpdateView(row: Selectable<FirmwareUpdatesTable>): FirmwareUpdateView {
  return {
    requestId: row.id,
    stationId: row.station_id,
    imageId: row.image_id,
    campaignId: row.campaign_id,
    action: row.action,
    status: row.status,
    progress: row.progress as UpdateProgress,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
