import { sql, type Kysely } from 'kysely';
import type { NamedMigration } from '../../platform/db/migrate.js';

export const stationsMigrations: NamedMigration[] = [
  {
    name: '0002_stations_registry',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('stations')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
          .addColumn('site_id', 'text')
          .addColumn('password_hash', 'text')
          .addColumn('security_profile', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('boot_policy', 'text', (c) => c.notNull().defaultTo('Accepted'))
          .addColumn('ocpp_version', 'text')
          .addColumn('registered_by', 'text', (c) => c.notNull().defaultTo('operator'))
          .addColumn('vendor', 'text')
          .addColumn('model', 'text')
          .addColumn('serial_number', 'text')
          .addColumn('firmware_version', 'text')
          .addColumn('iccid', 'text')
          .addColumn('imsi', 'text')
          .addColumn('last_boot_status', 'text')
          .addColumn('last_boot_at', 'timestamptz')
          .addColumn('online', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('connected_at', 'timestamptz')
          .addColumn('disconnected_at', 'timestamptz')
          .addColumn('last_seen_at', 'timestamptz')
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.schema.createIndex('stations_tenant_idx').on('stations').columns(['tenant_id', 'id']).execute();
        await db.schema.createIndex('stations_site_idx').on('stations').columns(['tenant_id', 'site_id']).execute();
        await db.schema
          .createTable('station_connectors')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
          .addColumn('evse_id', 'integer', (c) => c.notNull())
          .addColumn('connector_id', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('error_code', 'text')
          .addColumn('info', 'text')
          .addColumn('vendor_error_code', 'text')
          .addColumn('status_at', 'timestamptz', (c) => c.notNull())
          .addPrimaryKeyConstraint('station_connectors_pk', ['station_id', 'evse_id', 'connector_id'])
          .execute();
        await db.schema
          .createTable('station_security_events')
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('tech_info', 'text')
          .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('station_security_events_station_idx')
          .on('station_security_events')
          .columns(['tenant_id', 'station_id', 'occurred_at'])
          .execute();
      },
    },
  },
  {
    // Numbered after the modules that came before it, so it runs last on existing databases.
    name: '0009_station_frames',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('station_frames')
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('at', 'timestamptz', (c) => c.notNull())
          .addColumn('direction', 'text', (c) => c.notNull())
          .addColumn('frame', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('station_frames_station_idx').on('station_frames').columns(['tenant_id', 'station_id', 'at']).execute();
      },
    },
  },
  {
    // Retention (ADR 030) deletes by age across all stations; the (tenant, station, at) index cannot serve that.
    name: '0100_station_frames_at_idx',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema.createIndex('station_frames_at_idx').on('station_frames').column('at').execute();
      },
    },
  },
];
