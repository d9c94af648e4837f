// Database procedures for the database thread's own tests (pglite-thread-pool.test.ts, ADR 034):
// built with the server because the thread can only load compiled modules.
import { sql, type Kysely } from 'kysely';
import type { DbProcedures } from '../db-procedures.js';

export const dbProcedures: DbProcedures = {
  /** Inserts probe rows in one transaction; answers the rows in the table, as the transaction sees them. */
  'probe.insert': async (db: Kysely<any>, input: { ids: string[] }) =>
    db.transaction().execute(async (trx) => {
      for (const id of input.ids) await sql`insert into probe values (${id}, 1)`.execute(trx);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from probe`.execute(trx);
      return { rows: rows[0]?.n, at: new Date(0) };
    }),
  /** Holds the connection in an open transaction for `ms`, the thread's event loop free meanwhile. */
  'probe.hold': async (db: Kysely<any>, input: { ms: number }) =>
    db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await new Promise((resolve) => setTimeout(resolve, input.ms));
    }),
  /** Fails with a unique violation after its first insert: nothing of it stays. */
  'probe.duplicate': async (db: Kysely<any>, input: { id: string }) =>
    db.transaction().execute(async (trx) => {
      await sql`insert into probe values (${`${input.id}-first`}, 1)`.execute(trx);
      await sql`insert into probe values (${input.id}, 1)`.execute(trx);
      await sql`insert into probe values (${input.id}, 2)`.execute(trx);
    }),
};
