import type { ColumnType, Generated } from 'kysely';

export interface WebhookSubscriptionsTable {
  id: string;
  tenant_id: string;
  url: string;
  event_types: ColumnType<string[], string, string>;
  station_ids: ColumnType<string[] | null, string | null, string | null>;
  description: string | null;
  secret: string;
  enabled: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface WebhookDeliveriesTable {
  id: string;
  tenant_id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  body: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: Generated<number>;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  seq: Generated<string>;
}

export interface WebhooksTables {
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
