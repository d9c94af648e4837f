import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { keepsPlanCacheMode, planCacheModeOf } from './embedded-plan-modes.js';

// ADR 039 (refining ADR 037): on the embedded database a statement reading column arrays is
// planned for each batch's values, and a statement of a fixed shape may keep a generic plan; in
// both of its modes (on the server's thread, and in a thread of its own).

describe('planCacheModeOf / keepsPlanCacheMode', () => {
  it('plans column-array statements for each run, leaves the others to auto', () => {
    expect(planCacheModeOf('insert into t select * from unnest($1::text[], $2::integer[]) as v(a, b)')).toBe('force_custom_plan');
    expect(planCacheModeOf('select n from t where id in (select UNNEST ($1::text[]))')).toBe('force_custom_plan');
    expect(planCacheModeOf('select * from "stations" where "id" = $1')).toBe('auto');
  });

  it('a rollback, a SET or DDL may change the mode; transaction control and data statements do not', () => {
    for (const kept of ['begin', 'commit', 'savepoint sp1', 'release savepoint sp1', 'select 1', ' insert into t values (1)']) expect(keepsPlanCacheMode(kept)).toBe(true);
    for (const lost of ['rollback', 'ROLLBACK TO SAVEPOINT sp1', 'abort', 'set plan_cache_mode = auto', 'reset all', 'discard all', 'create table t (a int)']) {
      expect(keepsPlanCacheMode(lost)).toBe(false);
    }
  });
});

async function plansOf(db: Kysely<unknown>, like: string): Promise<{ generic: number; custom: number }> {
  const found = await sql<{ generic_plans: string; custom_plans: string }>`
    select generic_plans::text, custom_plans::text from pg_prepared_statements where statement like ${like}`.execute(db);
  expect(found.rows).toHaveLength(1);
  const row = found.rows[0] as { generic_plans: string; custom_plans: string };
  return { generic: Number(row.generic_plans), custom: Number(row.custom_plans) };
}

describe.each([false, true])('the embedded database (own thread: %s)', (pgliteThread) => {
  async function withProbe(test: (db: Kysely<unknown>) => Promise<void>): Promise<void> {
    const handle = await openDatabase<unknown>({ dataDir: '/nonexistent-test-data-dir', memory: true, pgliteThread });
    try {
      await sql`create table probe (id text primary key, n int)`.execute(handle.db);
      await sql`insert into probe select g::text, g from generate_series(1, 2000) g`.execute(handle.db);
      await sql`analyze probe`.execute(handle.db);
      await test(handle.db);
    } finally {
      await handle.close();
    }
  }
  // The same texts every time: named statements after their first run (ADR 029). A batch of 500
  // keys: under `auto` its generic plan (planned for arrays of a default size) looks the cheaper.
  const many = Array.from({ length: 500 }, (_, i) => String(i + 1));
  const batch = (db: Kysely<unknown>, ids: string[] = many) => sql<{ n: number }>`select n from probe where id in (select unnest(${ids}::text[]))`.execute(db);
  const modeNow = async (db: Kysely<unknown>) => (await sql<{ plan_cache_mode: string }>`show plan_cache_mode`.execute(db)).rows[0]?.plan_cache_mode;
  const lookup = (db: Kysely<unknown>, id: string) => sql<{ n: number }>`select n from probe where id = ${id}`.execute(db);

  it('a batch statement keeps custom plans and a key lookup takes a generic one, run in turns', async () => {
    await withProbe(async (db) => {
      for (let i = 0; i < 8; i++) {
        expect((await batch(db)).rows).toHaveLength(500);
        if (i > 0) expect(await modeNow(db)).toBe('force_custom_plan');
        expect((await lookup(db, String(i + 1))).rows).toEqual([{ n: i + 1 }]);
        if (i > 0) expect(await modeNow(db)).toBe('auto');
      }
      expect(await plansOf(db, '%where id in (select unnest%')).toEqual({ generic: 0, custom: 7 });
      expect((await plansOf(db, '%from probe where id = $1')).generic).toBeGreaterThan(0);
    });
  });

  /** `undo` puts the connection in force_custom_plan inside a transaction it ends without committing; then the batch statement runs 8 times. */
  async function afterUndoneSet(undo: (db: Kysely<unknown>) => Promise<void>): Promise<void> {
    await withProbe(async (db) => {
      // Both texts named (second runs), the connection left in auto by the lookup.
      await batch(db, ['1']);
      await lookup(db, '1');
      await lookup(db, '1');
      await undo(db);
      for (let i = 0; i < 8; i++) await batch(db);
      expect(await modeNow(db)).toBe('force_custom_plan');
      expect((await plansOf(db, '%where id in (select unnest%')).generic).toBe(0);
    });
  }

  it('after a rollback undid the mode a batch statement set, the next batch statement sets it again', async () => {
    await afterUndoneSet(async (db) => {
      // Inside the transaction the batch statement puts the connection in force_custom_plan; the rollback undoes that SET.
      await expect(
        db.transaction().execute(async (trx) => {
          await batch(trx, ['1']);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
    });
  });

  it('after an error aborted the transaction that set the mode, the next batch statement sets it again (a COMMIT then rolls back)', async () => {
    await afterUndoneSet(async (db) => {
      await db.connection().execute(async (conn) => {
        await sql`begin`.execute(conn);
        await batch(conn, ['1']);
        await expect(sql`insert into probe (id, n) values ('1', 1)`.execute(conn)).rejects.toMatchObject({ code: '23505' });
        // COMMIT of an aborted transaction is a rollback: the SET made inside it is undone.
        await sql`commit`.execute(conn);
      });
    });
  });
});
