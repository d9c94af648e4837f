import type { Selectable } from 'kysely';
import { columnKey, ListSort, timestampKey } from '../../platform/list-sort.js';
import type { ConfigTemplatesTable } from './tables.js';

/** `?sort=` on /api/v1/configuration-templates (ADR 025). Default oldest first, as before. */
export const TEMPLATE_SORT = new ListSort<Selectable<ConfigTemplatesTable>>({
  defaultSort: 'createdAt',
  id: columnKey('id', 'text', (row) => row.id),
  fields: {
    createdAt: timestampKey('created_at', (row) => row.created_at),
    name: columnKey('name', 'text', (row) => row.name),
  },
});
