import { columnKey, ListSort, timestampKey } from '../../platform/list-sort.js';
import type { IdTokenRow } from './store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `?sort=` on /api/v1/tokens (ADR 025). Default by id, as the list ordered before sorting existed. */
export const TOKEN_SORT = new ListSort<IdTokenRow>({
  defaultSort: 'id',
  id: columnKey('id', 'uuid', (row) => row.id),
  fields: {
    id: columnKey('id', 'uuid', (row) => row.id),
    uid: columnKey('uid', 'text', (row) => row.uid),
    type: columnKey('type', 'text', (row) => row.type),
    status: columnKey('status', 'text', (row) => row.status),
    createdAt: timestampKey('created_at', (row) => row.created_at),
  },
  // Before sorting, the cursor was the last token's id.
  legacyIdCursor: (raw) => UUID.test(raw),
});
