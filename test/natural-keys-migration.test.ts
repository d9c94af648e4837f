import { Migrator, sql, type Migration } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations, type Database } from '../src/app/database.js';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.js';
import { createFreshDatabase, type FreshDatabase } from './support/fresh-database.js';

/**
 * ADR 032: meter_samples and session_events lose their unused bigserial ids; the natural key a
 * retry conflicts on becomes the primary key. An installation upgraded with rows in both tables
 * keeps every row, and a retried reading or event is still stored once (E02.FR.03-style dedupe).
 */
describe('0102 natural primary keys: an upgrade keeps the rows and the exactly-once keys', () => {
  let handle: DatabaseHandle<Database> | undefined;
  let fresh: FreshDatabase | undefined;
  afterAll(async () => {
    await handle?.close();
    await fresh?.drop();
  });

  it('ADR 032 rows written before 0102 survive it; the natural key is the primary key; duplicates still conflict', async () => {
    const adminUrl = process.env['DATABASE_URL'];
    fresh = adminUrl ? await createFreshDatabase(adminUrl, 'ampline_natural_keys') : undefined;
    handle = await openDatabase<Database>({ databaseUrl: fresh?.url, dataDir: '/nonexistent-test-data-dir', memory: !fresh });
    const db = handle.db;
    const provider = { getMigrations: async (): Promise<Record<string, Migration>> => Object.fromEntries(migrations.map((m) => [m.name, m.migration])) };
    const migrator = new Migrator({ db, provider });
    const names = migrations.map((m) => m.name).sort();
    const before = await migrator.migrateTo(names[names.indexOf('0102_natural_primary_keys') - 1] ?? '');
    expect(before.error).toBeUndefined();

    const sample = (at: string, wh: number) => sql`
      insert into meter_samples (tenant_id, session_id, station_id, evse_id, sampled_at, measurand, phase, location, context, value, unit, normalised_value, normalised_unit)
      values ('default', 's1', 'CS-1', 1, ${at}::timestamptz, 'Energy.Active.Import.Register', '', '', 'Sample.Periodic', ${wh}, 'Wh', ${wh}, 'Wh')`;
    const event = (key: string) => sql`
      insert into session_events (tenant_id, station_id, station_tx_id, event_key, seq_no, session_id, event_type, offline, occurred_at, payload, received_at)
      values ('default', 'CS-1', 'tx-1', ${key}, ${Number(key)}, 's1', 'Updated', false, '2026-11-20T10:00:00Z', '{}', '2026-11-20T10:00:00Z')`;
    for (const [at, wh] of [['2026-11-20T10:00:00Z', 100], ['2026-11-20T10:01:00Z', 200]] as const) await sample(at, wh).execute(db);
    for (const key of ['0', '1']) await event(key).execute(db);

    const after = await migrator.migrateToLatest();
    expect(after.error).toBeUndefined();
    expect(after.results?.map((r) => r.migrationName)).toContain('0102_natural_primary_keys');

    const rows = await sql<{ wh: number }>`select normalised_value as wh from meter_samples order by sampled_at`.execute(db);
    expect(rows.rows.map((r) => Number(r.wh))).toEqual([100, 200]);
    const events = await sql<{ event_key: string }>`select event_key from session_events order by event_key`.execute(db);
    expect(events.rows.map((r) => r.event_key)).toEqual(['0', '1']);

    const primaryKey = async (table: string) =>
      (
        await sql<{ col: string }>`
          select a.attname as col from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
          where i.indrelid = ${table}::regclass and i.indisprimary order by array_position(i.indkey, a.attnum)`.execute(db)
      ).rows.map((r) => r.col);
    expect(await primaryKey('meter_samples')).toEqual(['station_id', 'evse_id', 'sampled_at', 'measurand', 'phase', 'location']);
    expect(await primaryKey('session_events')).toEqual(['station_id', 'station_tx_id', 'event_key']);
    const sequences = await sql<{ n: number }>`select count(*)::integer as n from pg_class where relkind = 'S' and relname in ('meter_samples_id_seq', 'session_events_id_seq')`.execute(db);
    expect(sequences.rows[0]?.n).toBe(0);

    // The same reading and the same event again: rejected by the primary key, as by the unique keys before.
    await expect(sample('2026-11-20T10:00:00Z', 100).execute(db)).rejects.toMatchObject({ code: '23505' });
    await expect(event('1').execute(db)).rejects.toMatchObject({ code: '23505' });
  });
});
