import { sql, type Kysely } from 'kysely';
import type { NamedMigration } from '../../platform/db/migrate.js';

export const auditMigrations: NamedMigration[] = [
  {
    name: '0070_audit_log',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('audit_log')
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('at', 'timestamptz', (c) => c.notNull())
          .addColumn('actor_kind', 'text', (c) => c.notNull())
          .addColumn('actor_id', 'text', (c) => c.notNull())
          .addColumn('actor_name', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('method', 'text', (c) => c.notNull())
          .addColumn('route', 'text', (c) => c.notNull())
          .addColumn('params', 'jsonb', (c) => c.notNull())
          .addColumn('body', 'jsonb')
          .addColumn('ip', 'text')
          .addColumn('user_agent', 'text')
          .addColumn('status_code', 'integer', (c) => c.notNull())
          .addColumn('problem_type', 'text')
          .execute();
        await db.schema.createIndex('audit_log_tenant_idx').on('audit_log').columns(['tenant_id', 'id']).execute();
        await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['tenant_id', 'actor_id', 'id']).execute();
        // Append-only below the application too: a bug or a hand-typed statement cannot rewrite history.
        await sql`
          create function audit_log_refuse_change() returns trigger language plpgsql as $$
          begin
            raise exception 'audit_log is append-only (% refused)', tg_op;
          end
          $$`.execute(db);
        await sql`create trigger audit_log_no_update_delete before update or delete on audit_log
          for each row execute function audit_log_refuse_change()`.execute(db);
        await sql`create trigger audit_log_no_truncate before truncate on audit_log
          for each statement execute function audit_log_refuse_change()`.execute(db);
      },
    },
  },
  {
    // ?sort=at / -at (ADR 025): the list walks (at, id) in either direction.
    name: '0073_audit_log_at_idx',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema.createIndex('audit_log_tenant_at_idx').on('audit_log').columns(['tenant_id', 'at', 'id']).execute();
      },
    },
  },
];
