import { Migrator, sql, type Migration } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations, moduleDb, type Database } from '../src/app/database.js';
import { TransactionOutbox } from '../src/modules/transactions/outbox.js';
import type { TransactionsTables } from '../src/modules/transactions/index.js';
import { InMemoryBus, type DomainEvent } from '../src/platform/bus.js';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.js';
import { createFreshDatabase, type FreshDatabase } from './support/fresh-database.js';

/**
 * ADR 008 / 026: an installation upgraded while events sat unpublished in the per-event outbox
 * (migration 0011) publishes them after the upgrade, in their order, once each; the ones already
 * published stay published.
 */
describe('0081 outbox batches: events a previous version left unpublished survive the upgrade', () => {
  let handle: DatabaseHandle<Database> | undefined;
  let fresh: FreshDatabase | undefined;
  afterAll(async () => {
    await handle?.close();
    await fresh?.drop();
  });

  it('ADR 008 unpublished rows of transaction_outbox are relayed after 0081, published rows are not', async () => {
    const adminUrl = process.env['DATABASE_URL'];
    fresh = adminUrl ? await createFreshDatabase(adminUrl, 'ampline_outbox_upgrade') : undefined;
    handle = await openDatabase<Database>({ databaseUrl: fresh?.url, dataDir: '/nonexistent-test-data-dir', memory: !fresh });
    const provider = { getMigrations: async (): Promise<Record<string, Migration>> => Object.fromEntries(migrations.map((m) => [m.name, m.migration])) };
    const migrator = new Migrator({ db: handle.db, provider });
    // Every migration before this one, as an installation of the previous version has them.
    const names = migrations.map((m) => m.name).sort();
    const before = await migrator.migrateTo(names[names.indexOf('0081_transaction_outbox_batches') - 1] ?? '');
    expect(before.error).toBeUndefined();

    await sql`
      insert into transaction_outbox (id, tenant_id, type, payload, occurred_at, published_at) values
        ('TransactionStarted:a', 'default', 'TransactionStarted', '{"sessionId":"a"}', '2026-11-20T10:00:00Z', null),
        ('MeterSampled:old', 'default', 'MeterSampled', '{"samples":1}', '2026-11-20T10:00:01Z', '2026-11-20T10:00:02Z'),
        ('MeterSampled:x', 'default', 'MeterSampled', '{"samples":2}', '2026-11-20T10:00:03Z', null),
        ('TransactionEnded:a', 'default', 'TransactionEnded', '{"sessionId":"a","energyWh":7}', '2026-11-20T10:00:04Z', null)`.execute(handle.db);

    const after = await migrator.migrateToLatest();
    expect(after.error).toBeUndefined();
    expect(after.results?.map((r) => r.migrationName)).toContain('0081_transaction_outbox_batches');

    const seen: DomainEvent[] = [];
    const bus = new InMemoryBus((err) => {
      throw err;
    });
    bus.subscribe('*', (e) => void seen.push(e));
    const outbox = new TransactionOutbox({ db: moduleDb<TransactionsTables>(handle.db), bus, onMarkError: (err) => { throw err; } });
    expect(await outbox.relay()).toBe(3);
    expect(seen.map((e) => [e.id, e.type, e.tenantId, e.occurredAt.toISOString(), e.payload])).toEqual([
      ['TransactionStarted:a', 'TransactionStarted', 'default', '2026-11-20T10:00:00.000Z', { sessionId: 'a' }],
      ['MeterSampled:x', 'MeterSampled', 'default', '2026-11-20T10:00:03.000Z', { samples: 2 }],
      ['TransactionEnded:a', 'TransactionEnded', 'default', '2026-11-20T10:00:04.000Z', { sessionId: 'a', energyWh: 7 }],
    ]);
    // Published means deleted: a second start relays nothing.
    await outbox.flush();
    const again = new TransactionOutbox({ db: moduleDb<TransactionsTables>(handle.db), bus, onMarkError: () => undefined });
    expect(await again.relay()).toBe(0);
    expect(seen).toHaveLength(3);
  });
});
