import { sql, type Kysely } from 'kysely';
import type { NamedMigration } from '../../platform/db/migrate.js';

export const webhooksMigrations: NamedMigration[] = [
  {
    name: '0071_webhooks',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('webhook_subscriptions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('event_types', 'jsonb', (c) => c.notNull())
          .addColumn('station_ids', 'jsonb')
          .addColumn('description', 'text')
          // The signing key itself: the sender needs it to compute each HMAC (ADR 023).
          .addColumn('secret', 'text', (c) => c.notNull())
          .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.schema.createIndex('webhook_subscriptions_tenant_idx').on('webhook_subscriptions').columns(['tenant_id', 'id']).execute();
        await db.schema
          .createTable('webhook_deliveries')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('subscription_id', 'text', (c) => c.notNull().references('webhook_subscriptions.id').onDelete('cascade'))
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('event_type', 'text', (c) => c.notNull())
          // The exact bytes that are signed and sent, so every retry carries the same body.
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_attempt_at', 'timestamptz')
          .addColumn('last_attempt_at', 'timestamptz')
          .addColumn('last_status_code', 'integer')
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'timestamptz', (c) => c.notNull())
          .addColumn('seq', 'bigserial')
          .execute();
        await db.schema.createIndex('webhook_deliveries_due_idx').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
        await db.schema
          .createIndex('webhook_deliveries_subscription_idx')
          .on('webhook_deliveries')
          .columns(['subscription_id', 'seq'])
          .execute();
      },
    },
  },
];
