import { sql, type Kysely } from 'kysely';
import type { NamedMigration } from '../../platform/db/migrate.js';

export const firmwareMigrations: NamedMigration[] = [
  {
    name: '0050_firmware_images_and_updates',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('firmware_images')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('version', 'text')
          .addColumn('file_name', 'text', (c) => c.notNull())
          .addColumn('content_type', 'text', (c) => c.notNull())
          .addColumn('size_bytes', 'integer', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('data', 'bytea', (c) => c.notNull())
          .addColumn('signature', 'text')
          .addColumn('signing_certificate', 'text')
          .addColumn('created_at', 'timestamptz', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('firmware_images_tenant_idx').on('firmware_images').columns(['tenant_id', 'created_at']).execute();
        await db.schema
          .createTable('firmware_updates')
          .addColumn('id', 'serial', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('image_id', 'text', (c) => c.notNull())
          .addColumn('campaign_id', 'text')
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('progress', 'text', (c) => c.notNull())
          .addColumn('created_at', 'timestamptz', (c) => c.notNull())
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('firmware_updates_station_idx').on('firmware_updates').columns(['tenant_id', 'station_id', 'id']).execute();
        await db.schema
          .createTable('firmware_status_events')
          .addColumn('id', 'serial', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('update_id', 'integer')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('at', 'timestamptz', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('firmware_status_events_station_idx').on('firmware_status_events').columns(['tenant_id', 'station_id', 'id']).execute();
        await db.schema
          .createTable('file_link_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('secret', 'text', (c) => c.notNull())
          .execute();
      },
    },
  },
  {
    name: '0051_firmware_campaigns',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('firmware_campaigns')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('image_id', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('canary_size', 'integer', (c) => c.notNull())
          .addColumn('batch_size', 'integer', (c) => c.notNull())
          .addColumn('failure_threshold_percent', 'integer', (c) => c.notNull())
          .addColumn('install_timeout_s', 'integer', (c) => c.notNull())
          .addColumn('current_batch', 'integer', (c) => c.notNull())
          .addColumn('paused_reason', 'text')
          .addColumn('acknowledged_failed', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('acknowledged_finished', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('firmware_campaign_targets')
          .addColumn('campaign_id', 'text', (c) => c.notNull().references('firmware_campaigns.id').onDelete('cascade'))
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('batch', 'integer', (c) => c.notNull())
          .addColumn('progress', 'text', (c) => c.notNull())
          .addColumn('update_id', 'integer')
          .addColumn('detail', 'text')
          .addColumn('deadline_at', 'timestamptz')
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
          .addPrimaryKeyConstraint('firmware_campaign_targets_pk', ['campaign_id', 'station_id'])
          .execute();
        await db.schema.createIndex('firmware_campaign_targets_station_idx').on('firmware_campaign_targets').columns(['station_id', 'progress']).execute();
      },
    },
  },
];
