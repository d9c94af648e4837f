import { sql } from 'kysely';
import { columnKey, LATEST, ListSort, timestampKey } from '../../platform/list-sort.js';
import type { SessionRow } from './session-rows.js';

/**
 * `?sort=` on /api/v1/sessions (ADR 025). Default newest first, as before sorting existed. A
 * session still running has no stop time: it sorts as stopping at the end of time (last
 * ascending, first descending), and its energy so far counts as 0 until a reading arrives, as
 * the view shows it.
 */
export const SESSION_SORT = new ListSort<SessionRow>({
  defaultSort: '-startedAt',
  id: columnKey('id', 'text', (row) => row.id),
  fields: {
    startedAt: timestampKey('started_at', (row) => row.started_at, { exact: true }),
    stoppedAt: timestampKey('stopped_at', (row) => row.stopped_at, { whenNull: LATEST }),
    energyWh: { expression: sql`coalesce(${sql.ref('energy_wh')}, 0)`, kind: 'integer', value: (row) => String(row.energy_wh ?? 0) },
    stationId: columnKey('station_id', 'text', (row) => row.station_id),
    status: columnKey('status', 'text', (row) => row.status),
  },
});
