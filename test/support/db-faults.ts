import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

/**
 * A real database error on demand: a statement-level trigger that raises the given SQLSTATE the
 * next `times` times its statement runs, then lets it through. Its counters are sequences, which
 * a rollback does not undo, so they count every attempt, failed ones included.
 */
export interface DbFault {
  /** The next `times` runs of the statement fail. */
  arm(times: number): Promise<void>;
  /** How many times the statement has run since the fault was created (failed runs included). */
  attempts(): Promise<number>;
  remove(): Promise<void>;
}

export async function injectFault(db: Kysely<any>, on: { table: string; op: 'insert' | 'update'; code: string }): Promise<DbFault> {
  const name = `fault_${randomBytes(4).toString('hex')}`;
  const armed = sql.raw(`${name}_armed`);
  const runs = sql.raw(`${name}_runs`);
  const fn = sql.raw(`${name}_raise`);
  // Armed with -times: nextval is negative exactly `times` more times.
  await sql`create sequence ${armed} minvalue -1000000 start 0`.execute(db);
  await sql`create sequence ${runs}`.execute(db);
  await sql`
    create function ${fn}() returns trigger language plpgsql as $fault$
    begin
      perform nextval('${runs}');
      if nextval('${armed}') < 0 then
        raise exception 'injected % on %', tg_argv[0], tg_table_name using errcode = tg_argv[0];
      end if;
      return null;
    end $fault$`.execute(db);
  await sql`create trigger ${sql.raw(name)} before ${sql.raw(on.op)} on ${sql.table(on.table)} for each statement execute function ${fn}(${sql.lit(on.code)})`.execute(db);
  return {
    async arm(times) {
      await sql`select setval('${armed}', ${sql.lit(-times)}, false)`.execute(db);
    },
    async attempts() {
      const row = (await sql<{ last_value: string | number; is_called: boolean }>`select last_value, is_called from ${runs}`.execute(db)).rows[0];
      return row?.is_called ? Number(row.last_value) : 0;
    },
    async remove() {
      await sql`drop trigger if exists ${sql.raw(name)} on ${sql.table(on.table)}`.execute(db);
      await sql`drop function if exists ${fn}()`.execute(db);
      await sql`drop sequence if exists ${armed}`.execute(db);
      await sql`drop sequence if exists ${runs}`.execute(db);
    },
  };
}
