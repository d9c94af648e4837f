import type { Kysely } from 'kysely';
import type { NamedMigration } from '../../platform/db/migrate.js';

export const idempotencyMigrations: NamedMigration[] = [
  {
    name: '0072_idempotency_keys',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('idempotency_keys')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('request_hash', 'text', (c) => c.notNull())
          // Null while the first request is still being answered.
          .addColumn('status_code', 'integer')
          .addColumn('content_type', 'text')
          .addColumn('response', 'text')
          .addColumn('created_at', 'timestamptz', (c) => c.notNull())
          .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'key'])
          .execute();
        await db.schema.createIndex('idempotency_keys_created_idx').on('idempotency_keys').column('created_at').execute();
      },
    },
  },
];
