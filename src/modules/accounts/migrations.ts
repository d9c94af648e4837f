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
  {
    // ADR 021: operator users, driver accounts, login sessions, reset links; API tokens gain scopes and expiry.
    name: '0060_accounts_users_and_logins',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text')
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('site_ids', 'jsonb')
          .addColumn('driver_id', 'text')
          .addColumn('oidc_subject', 'text')
          .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        // One account per address across the installation: login needs no tenant picker.
        await sql`create unique index users_email_key on users (lower(email))`.execute(db);
        await db.schema.createIndex('users_tenant_idx').on('users').columns(['tenant_id', 'kind', 'id']).execute();
        await db.schema
          .createTable('login_sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('created_at', 'timestamptz', (c) => c.notNull())
          .addColumn('revoked_at', 'timestamptz')
          .execute();
        await db.schema
          .createTable('login_tokens')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('session_id', 'text', (c) => c.notNull().references('login_sessions.id').onDelete('cascade'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
          .addColumn('used_at', 'timestamptz')
          .execute();
        await db.schema.createIndex('login_tokens_session_idx').on('login_tokens').column('session_id').execute();
        await db.schema
          .createTable('password_resets')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
          .addColumn('used_at', 'timestamptz')
          .execute();
        await db.schema.alterTable('api_tokens').addColumn('scopes', 'jsonb').execute();
        await db.schema.alterTable('api_tokens').addColumn('expires_at', 'timestamptz').execute();
        await db.schema.alterTable('api_tokens').addColumn('revoked_at', 'timestamptz').execute();
      },
    },
  },
];
