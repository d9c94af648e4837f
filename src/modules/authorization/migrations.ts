import { sql, type Kysely } from 'kysely';
import type { NamedMigration } from '../../platform/db/migrate.js';

export const authorizationMigrations: NamedMigration[] = [
  {
    name: '0004_authorization_tokens',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('id_tokens')
          .addColumn('id', 'uuid', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
          .addColumn('uid', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull().defaultTo('Accepted'))
          .addColumn('expires_at', 'timestamptz')
          .addColumn('group_id', 'text')
          .addColumn('driver_id', 'text')
          .addColumn('master_pass', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('allow_concurrent', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('evse_restrictions', 'jsonb')
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        // idTokens are case-insensitive in both 1.6 (CiString20) and 2.0.1 (IdTokenType), so
        // uniqueness and lookups go through upper(uid).
        await sql`create unique index id_tokens_uid_key on id_tokens (tenant_id, upper(uid), type)`.execute(db);
        await sql`create index id_tokens_group_idx on id_tokens (tenant_id, upper(group_id)) where group_id is not null`.execute(db);
        await db.schema.createIndex('id_tokens_driver_idx').on('id_tokens').columns(['tenant_id', 'driver_id']).where(sql.ref('driver_id'), 'is not', null).execute();
      },
    },
  },
];
