import type { Selectable } from 'kysely';
import { columnKey, ListSort, timestampKey } from '../../platform/list-sort.js';
import type { LogRequestsTable } from './tables.js';

/** `?sort=` on /api/v1/stations/{id}/logs (ADR 025). Default newest request first, as before. */
export const LOG_REQUEST_SORT = new ListSort<Selectable<LogRequestsTable>>({
  defaultSort: '-id',
  id: columnKey('id', 'integer', (row) => row.id),
  fields: {
    id: columnKey('id', 'integer', (row) => row.id),
    createdAt: timestampKey('created_at', (row) => row.created_at),
    updatedAt: timestampKey('updated_at', (row) => row.updated_at),
    status: columnKey('status', 'text', (row) => row.status),
  },
});
