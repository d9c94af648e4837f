import type { Kysely } from 'kysely';
import type { NamedMigration } from '../../platform/db/migrate.js';

export const diagnosticsMigrations: NamedMigration[] = [
  {
    name: '0052_station_logs',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('log_requests')
          .addColumn('id', 'serial', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('log_type', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('file_name', 'text')
          .addColumn('created_at', 'timestamptz', (c) => c.notNull())
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('log_requests_station_idx').on('log_requests').columns(['tenant_id', 'station_id', 'id']).execute();
        await db.schema
          .createTable('log_status_events')
          .addColumn('id', 'serial', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('request_id', 'integer')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('at', 'timestamptz', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('log_status_events_station_idx').on('log_status_events').columns(['tenant_id', 'station_id', 'id']).execute();
        await db.schema
          .createTable('log_files')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('request_id', 'integer', (c) => c.notNull())
          .addColumn('file_name', 'text', (c) => c.notNull())
          .addColumn('content_type', 'text', (c) => c.notNull())
          .addColumn('size_bytes', 'integer', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('data', 'bytea', (c) => c.notNull())
          .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('log_files_station_idx').on('log_files').columns(['tenant_id', 'station_id', 'uploaded_at']).execute();
      },
    },
  },
];
