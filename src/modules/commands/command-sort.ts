import type { Selectable } from 'kysely';
import { columnKey, ListSort, timestampKey } from '../../platform/list-sort.js';
import type { CustomerInformationReportsTable, StationCommandsTable } from './tables.js';

/**
 * `?sort=` on /api/v1/stations/{id}/commands (ADR 025). Default newest record first (by id), as
 * before sorting existed; `before=<id>`, the old cursor, still continues that order.
 */
export const COMMAND_SORT = new ListSort<Selectable<StationCommandsTable>>({
  defaultSort: '-id',
  id: columnKey('id', 'integer', (row) => row.id),
  fields: {
    id: columnKey('id', 'integer', (row) => row.id),
    startedAt: timestampKey('started_at', (row) => row.started_at),
    action: columnKey('action', 'text', (row) => row.action),
    outcome: columnKey('outcome', 'text', (row) => row.outcome),
    durationMs: columnKey('duration_ms', 'integer', (row) => row.duration_ms),
  },
  legacyIdCursor: (raw) => /^[0-9]{1,18}$/.test(raw),
});

/** `?sort=` on /api/v1/stations/{id}/customer-information (ADR 025). Default newest first, as before. */
export const CUSTOMER_INFORMATION_SORT = new ListSort<Selectable<CustomerInformationReportsTable>>({
  defaultSort: '-createdAt',
  // Unique per station (the OCPP requestId), and every list is of one station.
  id: columnKey('request_id', 'integer', (row) => row.request_id),
  fields: {
    createdAt: timestampKey('created_at', (row) => row.created_at),
    requestId: columnKey('request_id', 'integer', (row) => row.request_id),
    status: columnKey('status', 'text', (row) => row.status),
  },
});
