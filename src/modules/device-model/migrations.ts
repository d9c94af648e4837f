import type { Kysely } from 'kysely';
import type { NamedMigration } from '../../platform/db/migrate.js';

export const deviceModelMigrations: NamedMigration[] = [
  {
    name: '0030_device_model',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('device_configuration')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('value', 'text')
          .addColumn('readonly', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('reboot_required', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
          .addPrimaryKeyConstraint('device_configuration_pk', ['station_id', 'key'])
          .execute();
        await db.schema
          .createTable('device_variables')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('ref', 'text', (c) => c.notNull())
          .addColumn('component_name', 'text', (c) => c.notNull())
          .addColumn('variable_name', 'text', (c) => c.notNull())
          .addColumn('component', 'text', (c) => c.notNull())
          .addColumn('variable', 'text', (c) => c.notNull())
          .addColumn('attributes', 'text', (c) => c.notNull())
          .addColumn('characteristics', 'text')
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
          .addPrimaryKeyConstraint('device_variables_pk', ['station_id', 'ref'])
          .execute();
        await db.schema
          .createTable('device_monitors')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('monitor_id', 'integer', (c) => c.notNull())
          .addColumn('component', 'text', (c) => c.notNull())
          .addColumn('variable', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('value', 'double precision', (c) => c.notNull())
          .addColumn('severity', 'integer', (c) => c.notNull())
          .addColumn('transaction', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
          .addPrimaryKeyConstraint('device_monitors_pk', ['station_id', 'monitor_id'])
          .execute();
        await db.schema
          .createTable('device_events')
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('event_id', 'integer', (c) => c.notNull())
          .addColumn('event_at', 'timestamptz', (c) => c.notNull())
          .addColumn('trigger', 'text', (c) => c.notNull())
          .addColumn('notification_type', 'text', (c) => c.notNull())
          .addColumn('component', 'text', (c) => c.notNull())
          .addColumn('variable', 'text', (c) => c.notNull())
          .addColumn('actual_value', 'text', (c) => c.notNull())
          .addColumn('cleared', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('tech_code', 'text')
          .addColumn('tech_info', 'text')
          .addColumn('cause', 'integer')
          .addColumn('transaction_id', 'text')
          .addColumn('monitoring_id', 'integer')
          .addColumn('received_at', 'timestamptz', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('device_events_station_idx').on('device_events').columns(['tenant_id', 'station_id', 'id']).execute();
        await db.schema
          .createTable('config_templates')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('ocpp_version', 'text', (c) => c.notNull())
          .addColumn('settings', 'text', (c) => c.notNull())
          .addColumn('created_at', 'timestamptz', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('config_template_assignments')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('target_id', 'text', (c) => c.notNull())
          .addColumn('template_id', 'text', (c) => c.notNull().references('config_templates.id').onDelete('cascade'))
          .addPrimaryKeyConstraint('config_template_assignments_pk', ['tenant_id', 'scope', 'target_id'])
          .execute();
      },
    },
  },
];
