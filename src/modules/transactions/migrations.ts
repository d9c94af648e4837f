import { sql, type Kysely } from 'kysely';
import type { NamedMigration } from '../../platform/db/migrate.js';

export const transactionsMigrations: NamedMigration[] = [
  {
    name: '0005_transactions',
    migration: {
      async up(db: Kysely<unknown>) {
        await sql`create sequence if not exists ocpp16_transaction_id start with 1`.execute(db);
        await db.schema
          .createTable('sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('evse_id', 'integer')
          .addColumn('connector_id', 'integer')
          .addColumn('ocpp16_transaction_id', 'integer', (c) => c.unique())
          .addColumn('station_tx_id', 'text', (c) => c.notNull())
          .addColumn('start_key', 'text')
          .addColumn('id_token', 'text')
          .addColumn('id_token_type', 'text')
          .addColumn('stop_id_token', 'text')
          .addColumn('auth_status', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('stop_reason', 'text')
          .addColumn('started_at', 'timestamptz', (c) => c.notNull())
          .addColumn('stopped_at', 'timestamptz')
          .addColumn('meter_start_wh', 'bigint')
          .addColumn('meter_stop_wh', 'bigint')
          .addColumn('energy_wh', 'bigint')
          .addColumn('remote_start_id', 'integer')
          .addColumn('reservation_id', 'integer')
          .addColumn('last_seq_no', 'integer')
          .addColumn('offline', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
          .addUniqueConstraint('sessions_station_tx_uq', ['station_id', 'station_tx_id'])
          .addUniqueConstraint('sessions_start_key_uq', ['station_id', 'start_key'])
          .execute();
        await db.schema.createIndex('sessions_tenant_started_idx').on('sessions').columns(['tenant_id', 'started_at', 'id']).execute();
        await db.schema.createIndex('sessions_tenant_station_idx').on('sessions').columns(['tenant_id', 'station_id', 'started_at']).execute();
        await db.schema.createIndex('sessions_tenant_token_idx').on('sessions').columns(['tenant_id', 'id_token', 'status']).execute();
        await db.schema
          .createTable('session_events')
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('station_tx_id', 'text', (c) => c.notNull())
          .addColumn('event_key', 'text', (c) => c.notNull())
          .addColumn('seq_no', 'integer')
          .addColumn('session_id', 'text', (c) => c.notNull())
          .addColumn('event_type', 'text', (c) => c.notNull())
          .addColumn('trigger_reason', 'text')
          .addColumn('offline', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
          .addColumn('payload', 'jsonb', (c) => c.notNull())
          .addColumn('received_at', 'timestamptz', (c) => c.notNull())
          .addUniqueConstraint('session_events_key_uq', ['station_id', 'station_tx_id', 'event_key'])
          .execute();
        await db.schema.createIndex('session_events_session_idx').on('session_events').columns(['session_id', 'seq_no']).execute();
        await db.schema
          .createTable('meter_samples')
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('session_id', 'text')
          .addColumn('station_id', 'text', (c) => c.notNull())
          .addColumn('evse_id', 'integer', (c) => c.notNull())
          .addColumn('sampled_at', 'timestamptz', (c) => c.notNull())
          .addColumn('measurand', 'text', (c) => c.notNull())
          .addColumn('phase', 'text', (c) => c.notNull())
          .addColumn('location', 'text', (c) => c.notNull())
          .addColumn('context', 'text', (c) => c.notNull())
          .addColumn('value', 'double precision')
          .addColumn('unit', 'text')
          .addColumn('normalised_value', 'double precision')
          .addColumn('normalised_unit', 'text')
          .addColumn('signed_data', 'text')
          // A retried MeterValues (or a sample repeated in TransactionEvent Ended) is stored once.
          .addUniqueConstraint('meter_samples_reading_uq', ['station_id', 'evse_id', 'sampled_at', 'measurand', 'phase', 'location'])
          .execute();
        await db.schema.createIndex('meter_samples_session_idx').on('meter_samples').columns(['session_id', 'measurand', 'sampled_at']).execute();
      },
    },
  },
  {
    name: '0010_sessions_transaction_status',
    migration: {
      async up(db: Kysely<unknown>) {
        // E14: the last GetTransactionStatus answer, asked when a 2.x station reconnects with sessions open.
        await db.schema
          .alterTable('sessions')
          .addColumn('tx_status_checked_at', 'timestamptz')
          .addColumn('tx_status_ongoing', 'boolean')
          .addColumn('tx_status_messages_in_queue', 'boolean')
          .execute();
      },
    },
  },
  {
    name: '0011_transaction_outbox',
    migration: {
      async up(db: Kysely<unknown>) {
        // ADR 008: events staged with the record that caused them, published after commit.
        await db.schema
          .createTable('transaction_outbox')
          .addColumn('seq', 'bigserial', (c) => c.primaryKey())
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('payload', 'jsonb', (c) => c.notNull())
          .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
          .addColumn('published_at', 'timestamptz')
          .execute();
        await sql`create index transaction_outbox_unpublished_idx on transaction_outbox (seq) where published_at is null`.execute(db);
      },
    },
  },
  {
    name: '0012_sessions_awaiting_messages',
    migration: {
      async up(db: Kysely<unknown>) {
        // E14 / TC_E_31: an Ended that skipped seqNos holds the session until they arrive or none are queued.
        await db.schema.alterTable('sessions').addColumn('awaiting_messages', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
      },
    },
  },
  {
    name: '0015_sessions_energy_running',
    migration: {
      async up(db: Kysely<unknown>) {
        // Energy kept up to date from each batch's new readings instead of re-reading every sample (session-energy.ts).
        await db.schema
          .alterTable('sessions')
          .addColumn('energy_sum_wh', 'double precision')
          .addColumn('energy_register_at', 'timestamptz')
          .addColumn('energy_register_wh', 'double precision')
          .execute();
      },
    },
  },
  {
    name: '0080_sessions_fillfactor',
    migration: {
      async up(db: Kysely<unknown>) {
        // Every transaction message updates its session row (seqNo, energy, status): room left in each page lets
        // PostgreSQL update in place (HOT) instead of adding an entry to each of the table's seven indexes (ADR 026).
        await sql`alter table sessions set (fillfactor = 50)`.execute(db);
      },
    },
  },
  {
    name: '0081_transaction_outbox_batches',
    migration: {
      async up(db: Kysely<unknown>) {
        // ADR 026: one outbox row per committed batch instead of one per event, deleted once published.
        await db.schema
          .createTable('transaction_outbox_batches')
          .addColumn('seq', 'bigserial', (c) => c.primaryKey())
          .addColumn('events', 'jsonb', (c) => c.notNull())
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        // Events a previous version staged and never published are carried over, in their order.
        await sql`
          insert into transaction_outbox_batches (events)
          select jsonb_agg(jsonb_build_object('id', id, 'type', type, 'tenantId', tenant_id, 'occurredAt', occurred_at, 'payload', payload) order by seq)
          from transaction_outbox where published_at is null
          having count(*) > 0`.execute(db);
        await db.schema.dropTable('transaction_outbox').execute();
      },
    },
  },
  {
    name: '0102_natural_primary_keys',
    migration: {
      async up(db: Kysely<unknown>) {
        // ADR 032: the bigserial ids of meter_samples and session_events were read by nothing; each row paid a sequence
        // call and an index entry for them. The natural unique key (the one a retry conflicts on) becomes the primary key.
        for (const [table, unique, key] of [
          ['meter_samples', 'meter_samples_reading_uq', 'station_id, evse_id, sampled_at, measurand, phase, location'],
          ['session_events', 'session_events_key_uq', 'station_id, station_tx_id, event_key'],
        ] as const) {
          await sql`alter table ${sql.table(table)} drop column id`.execute(db);
          await sql`alter table ${sql.table(table)} drop constraint ${sql.ref(unique)}`.execute(db);
          await sql`alter table ${sql.table(table)} add constraint ${sql.ref(`${table}_pkey`)} primary key (${sql.raw(key)})`.execute(db);
        }
      },
    },
  },
];
