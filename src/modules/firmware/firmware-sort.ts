import { columnKey, ListSort, timestampKey } from '../../platform/list-sort.js';
import type { CampaignRow } from './campaign-store.js';
import type { ImageMeta } from './store.js';

/** `?sort=` on /api/v1/firmware (ADR 025). Default newest first, as the list ordered before. */
export const IMAGE_SORT = new ListSort<ImageMeta>({
  defaultSort: '-createdAt',
  id: columnKey('id', 'text', (row) => row.id),
  fields: {
    createdAt: timestampKey('created_at', (row) => row.created_at),
    name: columnKey('name', 'text', (row) => row.name),
    sizeBytes: columnKey('size_bytes', 'integer', (row) => row.size_bytes),
  },
});

/** `?sort=` on /api/v1/firmware-campaigns (ADR 025). Default newest first, as the list ordered before. */
export const CAMPAIGN_SORT = new ListSort<CampaignRow>({
  defaultSort: '-createdAt',
  id: columnKey('id', 'text', (row) => row.id),
  fields: {
    createdAt: timestampKey('created_at', (row) => row.created_at),
    updatedAt: timestampKey('updated_at', (row) => row.updated_at),
    status: columnKey('status', 'text', (row) => row.status),
  },
});
