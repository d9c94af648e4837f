import type { Kysely, Selectable } from 'kysely';
import type { WebhookDeliveriesTable, WebhookSubscriptionsTable, WebhooksTables } from './tables.js';
import type { DeliveryStatus, DeliveryView, SubscriptionView } from './types.js';
import type { SortedWindow } from '../../platform/list-sort.js';

export type SubscriptionRow = Selectable<WebhookSubscriptionsTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;

/** The webhooks module's SQL. */
export class WebhooksStore {
  constructor(private readonly db: Kysely<WebhooksTables>) {}

  async insertSubscription(row: Omit<SubscriptionRow, 'enabled' | 'created_at' | 'event_types' | 'station_ids'> & { event_types: string[]; station_ids: string[] | null }): Promise<void> {
    await this.db
      .insertInto('webhook_subscriptions')
      .values({ ...row, event_types: JSON.stringify(row.event_types), station_ids: row.station_ids ? JSON.stringify(row.station_ids) : null })
      .execute();
  }

  async updateSubscription(
    tenantId: string,
    id: string,
    patch: { url?: string; event_types?: string[]; station_ids?: string[] | null; description?: string | null; enabled?: boolean },
  ): Promise<void> {
    const { event_types, station_ids, ...rest } = patch;
    await this.db
      .updateTable('webhook_subscriptions')
      .set({
        ...rest,
        ...(event_types ? { event_types: JSON.stringify(event_types) } : {}),
        ...(station_ids !== undefined ? { station_ids: station_ids ? JSON.stringify(station_ids) : null } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  async deleteSubscription(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('webhook_subscriptions').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  subscription(tenantId: string, id: string): Promise<SubscriptionRow | undefined> {
    return this.db.selectFrom('webhook_subscriptions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  }

  /** In the window's order, `window.limit + 1` rows at most (the extra one tells that more exist). */
  listSubscriptions(tenantId: string, window: SortedWindow<SubscriptionRow>): Promise<SubscriptionRow[]> {
    const query = this.db.selectFrom('webhook_subscriptions').selectAll().where('tenant_id', '=', tenantId);
    return window.apply(query).limit(window.limit + 1).execute();
  }

  enabledSubscriptions(): Promise<SubscriptionRow[]> {
    return this.db.selectFrom('webhook_subscriptions').selectAll().where('enabled', '=', true).execute();
  }

  async insertDeliveries(rows: Omit<DeliveryRow, 'seq' | 'attempts'>[]): Promise<void> {
    if (rows.length > 0) await this.db.insertInto('webhook_deliveries').values(rows).execute();
  }

  /** Pending deliveries whose time has come, oldest first, with their subscription's URL and key. */
  due(now: Date, limit: number): Promise<(DeliveryRow & { url: string; secret: string })[]> {
    return this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
      .selectAll('d')
      .select(['s.url', 's.secret'])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .orderBy('d.next_attempt_at')
      .orderBy('d.seq')
      .limit(limit)
      .execute();
  }

  async recordAttempt(
    id: string,
    outcome: { status: DeliveryStatus; attempts: number; at: Date; nextAttemptAt: Date | null; statusCode: number | null; error: string | null },
  ): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({
        status: outcome.status,
        attempts: outcome.attempts,
        last_attempt_at: outcome.at,
        next_attempt_at: outcome.nextAttemptAt,
        last_status_code: outcome.statusCode,
        last_error: outcome.error,
      })
      .where('id', '=', id)
      .execute();
  }

  delivery(id: string): Promise<DeliveryRow | undefined> {
    return this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** In the window's order, `window.limit + 1` rows at most. */
  listDeliveries(tenantId: string, subscriptionId: string, status: DeliveryStatus | undefined, window: SortedWindow<DeliveryRow>): Promise<DeliveryRow[]> {
    let query = this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('subscription_id', '=', subscriptionId);
    if (status !== undefined) query = query.where('status', '=', status);
    return window.apply(query).limit(window.limit + 1).execute();
  }
}

export function subscriptionView(row: SubscriptionRow): SubscriptionView {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.event_types,
    filters: row.station_ids ? { stationId: row.station_ids } : {},
    description: row.description,
    enabled: row.enabled,
    createdAt: row.created_at.toISOString(),
  };
}

export function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
  };
}
