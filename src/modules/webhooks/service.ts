import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { DomainEvent, EventBus } from '../../platform/bus.js';
import type { IdSource } from '../../platform/ids.js';
import { DomainError } from '../../platform/errors.js';
import type { Page } from '../../platform/pagination.js';
import { mapPage, type ListWindowQuery } from '../../platform/list-sort.js';
import { DELIVERY_SORT, SUBSCRIPTION_SORT } from './webhook-sort.js';
import { WebhookSender, DEFAULT_RETRY_POLICY, type RetryPolicy } from './sender.js';
import { WebhooksStore, deliveryView, subscriptionView, type SubscriptionRow } from './store.js';
import type { WebhooksTables } from './tables.js';
import type { CreatedSubscription, DeliveryStatus, DeliveryView, SubscriptionInput, SubscriptionPatch, SubscriptionView, WebhookEnvelope } from './types.js';

export interface WebhooksServiceDeps {
  db: Kysely<WebhooksTables>;
  bus: EventBus;
  clock: Clock;
  ids: IdSource;
  policy?: Partial<RetryPolicy>;
  /** How often due retries are looked for; 0 turns the timer off (tests drive deliverDue). */
  pollMs?: number;
  onError: (err: unknown, context: Record<string, unknown>) => void;
}

export const TEST_EVENT_TYPE = 'WebhookTest';

/**
 * Webhooks per tenant: subscriptions, and the fan-out of bus events into durable deliveries.
 * Every piece of work (enqueue, send) runs on one promise chain, so deliveries leave in event
 * order and a test can await `deliverDue()` to see everything published before it handled.
 */
export class WebhooksService {
  private readonly store: WebhooksStore;
  private readonly sender: WebhookSender;
  /** Enabled subscriptions by tenant: the bus is hot (meter values), so matching must not query. */
  private readonly active = new Map<string, SubscriptionRow[]>();
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: WebhooksServiceDeps) {
    this.store = new WebhooksStore(deps.db);
    this.sender = new WebhookSender({
      store: this.store,
      clock: deps.clock,
      policy: { ...DEFAULT_RETRY_POLICY, ...deps.policy },
      onError: (err, context) => deps.onError(err, context),
    });
  }

  async start(): Promise<void> {
    for (const row of await this.store.enabledSubscriptions()) this.cache(row);
    this.unsubscribe = this.deps.bus.subscribe('*', (event) => this.onEvent(event));
    const pollMs = this.deps.pollMs ?? 1000;
    if (pollMs > 0) {
      this.timer = setInterval(() => void this.deliverDue(), pollMs);
      this.timer.unref();
    }
    void this.deliverDue();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await this.chain;
  }

  /** Sends whatever is due now (after anything queued before); resolves when done. */
  deliverDue(): Promise<void> {
    return this.enqueueWork(async () => {
      while ((await this.sender.sendDue()) > 0) {
        // keep going while whole batches come back due
      }
    });
  }

  async create(tenantId: string, input: SubscriptionInput): Promise<CreatedSubscription> {
    checkUrl(input.url);
    const id = this.deps.ids.uuid();
    const secret = `whsec_${this.deps.ids.secret(24)}`;
    await this.store.insertSubscription({
      id,
      tenant_id: tenantId,
      url: input.url,
      event_types: unique(input.eventTypes),
      station_ids: input.filters?.stationId ? unique(input.filters.stationId) : null,
      description: input.description ?? null,
      secret,
    });
    const row = await this.row(tenantId, id);
    this.cache(row);
    return { ...subscriptionView(row), secret };
  }

  async get(tenantId: string, id: string): Promise<SubscriptionView> {
    return subscriptionView(await this.row(tenantId, id));
  }

  async list(tenantId: string, query: ListWindowQuery): Promise<Page<SubscriptionView>> {
    const window = SUBSCRIPTION_SORT.window(query);
    return mapPage(window.page(await this.store.listSubscriptions(tenantId, window)), subscriptionView);
  }

  async update(tenantId: string, id: string, patch: SubscriptionPatch): Promise<SubscriptionView> {
    await this.row(tenantId, id);
    if (patch.url !== undefined) checkUrl(patch.url);
    await this.store.updateSubscription(tenantId, id, {
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.eventTypes !== undefined ? { event_types: unique(patch.eventTypes) } : {}),
      ...(patch.filters !== undefined ? { station_ids: patch.filters?.stationId ? unique(patch.filters.stationId) : null } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
    });
    const row = await this.row(tenantId, id);
    this.uncache(tenantId, id);
    if (row.enabled) this.cache(row);
    return subscriptionView(row);
  }

  async remove(tenantId: string, id: string): Promise<void> {
    if (!(await this.store.deleteSubscription(tenantId, id))) throw new DomainError('NotFound', `webhook ${id} not found`);
    this.uncache(tenantId, id);
  }

  async deliveries(
    tenantId: string,
    subscriptionId: string,
    query: ListWindowQuery & { status?: DeliveryStatus | undefined },
  ): Promise<Page<DeliveryView>> {
    const window = DELIVERY_SORT.window(query);
    await this.row(tenantId, subscriptionId);
    return mapPage(window.page(await this.store.listDeliveries(tenantId, subscriptionId, query.status, window)), deliveryView);
  }

  /** The API's test-send button: one WebhookTest event to this subscription only, attempted now. */
  async sendTest(tenantId: string, subscriptionId: string): Promise<DeliveryView> {
    const row = await this.row(tenantId, subscriptionId);
    const event: DomainEvent = { type: TEST_EVENT_TYPE, tenantId, occurredAt: this.deps.clock.now(), payload: { subscriptionId, message: 'test delivery from Ampline' } };
    const deliveryId = await this.enqueueWork(() => this.insertDeliveries(event, [row]));
    await this.deliverDue();
    const delivery = deliveryId[0] ? await this.store.delivery(deliveryId[0]) : undefined;
    if (!delivery) throw new DomainError('NotFound', 'test delivery vanished (subscription deleted meanwhile?)');
    return deliveryView(delivery);
  }

  private onEvent(event: DomainEvent): void {
    if (event.type === TEST_EVENT_TYPE) return;
    const matching = (this.active.get(event.tenantId) ?? []).filter((row) => matches(row, event));
    if (matching.length === 0) return;
    void this.enqueueWork(() => this.insertDeliveries(event, matching));
    void this.deliverDue();
  }

  private async insertDeliveries(event: DomainEvent, subscriptions: SubscriptionRow[]): Promise<string[]> {
    const now = this.deps.clock.now();
    const envelope: WebhookEnvelope = {
      id: this.deps.ids.uuid(),
      type: event.type,
      tenantId: event.tenantId,
      occurredAt: event.occurredAt.toISOString(),
      data: event.payload,
    };
    const body = JSON.stringify(envelope);
    const rows = subscriptions.map((subscription) => ({
      id: this.deps.ids.uuid(),
      tenant_id: event.tenantId,
      subscription_id: subscription.id,
      event_id: envelope.id,
      event_type: event.type,
      body,
      status: 'pending' as const,
      next_attempt_at: now,
      last_attempt_at: null,
      last_status_code: null,
      last_error: null,
      created_at: now,
    }));
    await this.store.insertDeliveries(rows);
    return rows.map((row) => row.id);
  }

  private enqueueWork<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch((err: unknown) => this.deps.onError(err, { component: 'webhooks' }));
    return run;
  }

  private async row(tenantId: string, id: string): Promise<SubscriptionRow> {
    const row = await this.store.subscription(tenantId, id);
    if (!row) throw new DomainError('NotFound', `webhook ${id} not found`);
    return row;
  }

  private cache(row: SubscriptionRow): void {
    if (!row.enabled) return;
    this.active.set(row.tenant_id, [...(this.active.get(row.tenant_id) ?? []), row]);
  }

  private uncache(tenantId: string, id: string): void {
    this.active.set(tenantId, (this.active.get(tenantId) ?? []).filter((row) => row.id !== id));
  }
}

function matches(row: SubscriptionRow, event: DomainEvent): boolean {
  if (!row.event_types.includes('*') && !row.event_types.includes(event.type)) return false;
  if (!row.station_ids) return true;
  const stationId = (event.payload as { stationId?: unknown } | null)?.stationId;
  return typeof stationId === 'string' && row.station_ids.includes(stationId);
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DomainError('InvalidInput', `"${url}" is not a URL`, { field: 'url' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new DomainError('InvalidInput', 'a webhook URL must be http: or https:', { field: 'url' });
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
