import { sql, type Kysely } from 'kysely';
import type { NamedMigration } from '../../platform/db/migrate.js';

export const sitesMigrations: NamedMigration[] = [
  {
    name: '0003_sites',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('sites')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('street', 'text')
          .addColumn('city', 'text')
          .addColumn('postal_code', 'text')
          .addColumn('country', 'text')
          .addColumn('latitude', 'double precision')
          .addColumn('longitude', 'double precision')
          .addColumn('time_zone', 'text', (c) => c.notNull())
          .addColumn('opening_hours', 'jsonb', (c) => c.notNull())
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.schema.createIndex('sites_tenant_idx').on('sites').columns(['tenant_id', 'name']).execute();
      },
    },
  },
];
