import type { Selectable } from 'kysely';
import { columnKey, ListSort, timestampKey } from '../../platform/list-sort.js';
import type { SitesTable } from './tables.js';

/** `?sort=` on /api/v1/sites (ADR 025). Default by id, as before sorting existed. */
export const SITE_SORT = new ListSort<Selectable<SitesTable>>({
  defaultSort: 'id',
  id: columnKey('id', 'text', (row) => row.id),
  fields: {
    id: columnKey('id', 'text', (row) => row.id),
    name: columnKey('name', 'text', (row) => row.name),
    createdAt: timestampKey('created_at', (row) => row.created_at),
  },
  // Before sorting, the cursor was the last site's id.
  legacyIdCursor: (raw) => raw.length <= 64,
});
