import { sql } from 'kysely';
import { columnKey, EARLIEST, ListSort, timestampKey } from '../../platform/list-sort.js';
import type { StationRow } from './store.js';

/**
 * `?sort=` on /api/v1/stations (ADR 025). Default by id, as before sorting existed. A station
 * never seen sorts as seen at the epoch (first ascending, last descending).
 */
export const STATION_SORT = new ListSort<StationRow>({
  defaultSort: 'id',
  id: columnKey('id', 'text', (row) => row.id),
  fields: {
    id: columnKey('id', 'text', (row) => row.id),
    createdAt: timestampKey('created_at', (row) => row.created_at),
    lastSeen: timestampKey('last_seen_at', (row) => row.last_seen_at, { whenNull: EARLIEST }),
    online: { expression: sql`${sql.ref('online')}::int`, kind: 'integer', value: (row) => (row.online ? 1 : 0) },
  },
  // Before sorting, the cursor was the last station's id.
  legacyIdCursor: (raw) => raw.length <= 48,
});

/** The columns a security event list reads. */
export interface SecurityEventRow {
  /** bigserial: typed a number, read as a string by some drivers. */
  id: number | string;
  station_id: string;
  type: string;
  tech_info: string | null;
  occurred_at: Date;
}

/**
 * `?sort=` on /api/v1/security-events and /api/v1/stations/{id}/security-events (ADR 025).
 * Default newest first, as before; occurred_at is written from the server clock only.
 */
export const SECURITY_EVENT_SORT = new ListSort<SecurityEventRow>({
  defaultSort: '-occurredAt',
  id: columnKey('id', 'integer', (row) => row.id),
  fields: {
    occurredAt: timestampKey('occurred_at', (row) => row.occurred_at, { exact: true }),
    type: columnKey('type', 'text', (row) => row.type),
    stationId: columnKey('station_id', 'text', (row) => row.station_id),
  },
});
