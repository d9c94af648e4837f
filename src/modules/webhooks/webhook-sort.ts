import { columnKey, ListSort, timestampKey } from '../../platform/list-sort.js';
import type { DeliveryRow, SubscriptionRow } from './store.js';

/** `?sort=` on /api/v1/webhooks (ADR 025). Default by id, as before sorting existed. */
export const SUBSCRIPTION_SORT = new ListSort<SubscriptionRow>({
  defaultSort: 'id',
  id: columnKey('id', 'text', (row) => row.id),
  fields: {
    id: columnKey('id', 'text', (row) => row.id),
    url: columnKey('url', 'text', (row) => row.url),
    createdAt: timestampKey('created_at', (row) => row.created_at),
  },
});

/**
 * `?sort=` on /api/v1/webhooks/{id}/deliveries (ADR 025). Default newest first; deliveries of one
 * instant keep the order they were queued in (seq), as the log ordered before sorting existed.
 */
export const DELIVERY_SORT = new ListSort<DeliveryRow>({
  defaultSort: '-createdAt',
  id: columnKey('seq', 'integer', (row) => row.seq),
  fields: {
    createdAt: timestampKey('created_at', (row) => row.created_at),
    status: columnKey('status', 'text', (row) => row.status),
    eventType: columnKey('event_type', 'text', (row) => row.event_type),
    attempts: columnKey('attempts', 'integer', (row) => row.attempts),
  },
});
