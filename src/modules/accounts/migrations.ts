import { sql, type Kysely } from 'kysely';
import type { NamedMigration } from '../../platform/db/migrate.js';

export const DEFAULT_TENANT_ID = 'default';

export const accountsMigrations: NamedMigration[] = [
  {
    name: '0001_accounts_tenants_and_api_tokens',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('tenants')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await sql`insert into tenants (id, name) values (${DEFAULT_TENANT_ID}, 'Default operator')`.execute(db);
        await db.schema
          .createTable('api_tokens')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('last_used_at', 'timestamptz')
          .execute();
        await db.schema.createIndex('api_tokens_tenant_idx').on('api_tokens').column('tenant_id').execute();
      },
    },
  },
];
