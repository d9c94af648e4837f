import { columnKey, ListSort, timestampKey } from '../../platform/list-sort.js';
import type { EventRow } from './store.js';

/**
 * `?sort=` on /api/v1/stations/{id}/events (ADR 025). Default newest record first (by id), as
 * before; `before=<id>`, the old cursor, still continues that order.
 */
export const DEVICE_EVENT_SORT = new ListSort<EventRow>({
  defaultSort: '-id',
  id: columnKey('id', 'integer', (row) => row.id),
  fields: {
    id: columnKey('id', 'integer', (row) => row.id),
    eventAt: timestampKey('event_at', (row) => row.event_at),
    trigger: columnKey('trigger', 'text', (row) => row.trigger),
  },
  legacyIdCursor: (raw) => /^[0-9]{1,18}$/.test(raw),
});
