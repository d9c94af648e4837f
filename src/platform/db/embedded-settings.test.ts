import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';

// ADR 037: the embedded database plans every statement for the values it runs with, in both of
// its modes (on the server's thread, and in a thread of its own).

describe.each([false, true])('the embedded database (own thread: %s)', (pgliteThread) => {
  it('opens with plan_cache_mode = force_custom_plan, and a named batch statement keeps a custom plan past five runs', async () => {
    const handle = await openDatabase<unknown>({ dataDir: '/nonexistent-test-data-dir', memory: true, pgliteThread });
    try {
      const shown = await sql<{ plan_cache_mode: string }>`show plan_cache_mode`.execute(handle.db);
      expect(shown.rows[0]?.plan_cache_mode).toBe('force_custom_plan');
      await sql`create table probe (id text primary key, n int)`.execute(handle.db);
      await sql`insert into probe select g::text, g from generate_series(1, 2000) g`.execute(handle.db);
      await sql`analyze probe`.execute(handle.db);
      // The same text every time: a named statement after its first run (ADR 029).
      const lookup = (ids: string[]) => sql<{ n: number }>`select n from probe where id in (select unnest(${ids}::text[]))`.execute(handle.db);
      for (let i = 0; i < 8; i++) expect((await lookup(['1', '2'])).rows).toHaveLength(2);
      const plans = await sql<{ generic_plans: string; custom_plans: string }>`
        select generic_plans::text, custom_plans::text from pg_prepared_statements where statement like '%from probe where id in%'`.execute(handle.db);
      expect(plans.rows).toEqual([{ generic_plans: '0', custom_plans: '7' }]);
    } finally {
      await handle.close();
    }
  });
});
