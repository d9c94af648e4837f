export interface SubscriptionInput {
  url: string;
  /** Domain event types (e.g. "TransactionEnded") or "*" for all. */
  eventTypes: string[];
  filters?: { stationId?: string[] | undefined } | undefined;
  description?: string | undefined;
}

export interface SubscriptionPatch {
  url?: string | undefined;
  eventTypes?: string[] | undefined;
  filters?: { stationId?: string[] | undefined } | null | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}

export interface SubscriptionView {
  id: string;
  url: string;
  eventTypes: string[];
  filters: { stationId?: string[] };
  description: string | null;
  enabled: boolean;
  createdAt: string;
}

/** Create answers once with the signing secret; it is never shown again. */
export interface CreatedSubscription extends SubscriptionView {
  secret: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
}

/** What a receiver gets as the request body. */
export interface WebhookEnvelope {
  id: string;
  type: string;
  tenantId: string;
  occurredAt: string;
  data: unknown;
}
