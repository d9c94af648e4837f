import type { Kysely } from 'kysely';
import type { NamedMigration } from '../../platform/db/migrate.js';

export const commandsMigrations: NamedMigration[] = [
  {
    name: '0040_station_command_history',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('station_commands')
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('request', 'jsonb', (c) => c.notNull())
          .addColumn('requested_by', 'text', (c) => c.notNull())
          .addColumn('started_at', 'timestamptz', (c) => c.notNull())
          .addColumn('duration_ms', 'integer', (c) => c.notNull())
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('error', 'text')
          .addColumn('response', 'jsonb')
          .execute();
        await db.schema.createIndex('station_commands_station_idx').on('station_commands').columns(['tenant_id', 'station_id', 'id']).execute();
      },
    },
  },
  {
    name: '0041_station_local_lists',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('station_local_lists')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('sent_version', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('accepted_version', 'integer')
          .addColumn('reported_version', 'integer')
          .addColumn('reported_at', 'timestamptz')
          .addColumn('last_update_type', 'text')
          .addColumn('last_status', 'text')
          .addColumn('synced_at', 'timestamptz')
          .addPrimaryKeyConstraint('station_local_lists_pk', ['tenant_id', 'station_id'])
          .execute();
        await db.schema
          .createTable('station_local_list_entries')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('entry', 'jsonb', (c) => c.notNull())
          .addPrimaryKeyConstraint('station_local_list_entries_pk', ['tenant_id', 'station_id', 'key'])
          .execute();
      },
    },
  },
  {
    name: '0042_customer_information_reports',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('customer_information_reports')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('request_id', 'integer', (c) => c.notNull())
          .addColumn('requested_by', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('parts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('generated_at', 'timestamptz')
          .addColumn('completed_at', 'timestamptz')
          .addColumn('created_at', 'timestamptz', (c) => c.notNull())
          .addPrimaryKeyConstraint('customer_information_reports_pk', ['tenant_id', 'station_id', 'request_id'])
          .execute();
      },
    },
  },
  {
    // Retention (ADR 030) deletes by age across all stations; without this each batch scans the table.
    name: '0101_station_commands_started_at_idx',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema.createIndex('station_commands_started_at_idx').on('station_commands').column('started_at').execute();
      },
    },
  },
];
