import type { Selectable } from 'kysely';
import { columnKey, ListSort, timestampKey } from '../../platform/list-sort.js';
import type { AuditLogTable } from './tables.js';

/**
 * `?sort=` on /api/v1/audit (ADR 025). Default newest first; entries of one instant keep the
 * order they were written in (id). `at` is written from the server clock only, so it is compared
 * as stored and index 0073 serves both directions.
 */
export const AUDIT_SORT = new ListSort<Selectable<AuditLogTable>>({
  defaultSort: '-at',
  id: columnKey('id', 'integer', (row) => row.id),
  fields: {
    at: timestampKey('at', (row) => row.at, { exact: true }),
    action: columnKey('action', 'text', (row) => row.action),
    actor: columnKey('actor_name', 'text', (row) => row.actor_name),
    statusCode: columnKey('status_code', 'integer', (row) => row.status_code),
  },
});
