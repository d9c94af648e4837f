import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.js';
import { StatementNames } from '../src/platform/db/statement-names.js';
import { createFreshDatabase, type FreshDatabase } from './support/fresh-database.js';

// ADR 029: repeated statements run as named prepared statements on both drivers (PGlite through
// its protocol, PostgreSQL through pg's named queries). These tests run on PostgreSQL when
// DATABASE_URL is set, else on an in-memory PGlite.

describe('StatementNames', () => {
  it('names a data statement the second time it is seen, and keeps the name', () => {
    const names = new StatementNames('t_');
    const text = 'select * from sessions where id = $1';
    expect(names.nameFor(text)).toBeUndefined();
    const name = names.nameFor(text);
    expect(name).toBe('t_1');
    expect(names.nameFor(text)).toBe(name);
  });

  it('never names utility statements (BEGIN, DDL, SET)', () => {
    const names = new StatementNames('t_');
    for (const text of ['begin', 'commit', 'create table x (id int)', 'set plan_cache_mode = auto']) {
      names.nameFor(text);
      expect(names.nameFor(text)).toBeUndefined();
    }
  });

  it('stops naming at the cap, and names a forgotten text afresh', () => {
    const names = new StatementNames('t_', 2);
    const texts = ['select 1', 'select 2', 'select 3'];
    for (const text of texts) names.nameFor(text);
    expect(texts.map((text) => names.nameFor(text))).toEqual(['t_1', 't_2', undefined]);
    names.forget('select 1');
    names.nameFor('select 3');
    expect(names.nameFor('select 3')).toBe('t_3');
  });
});

describe('named prepared statements on the database', () => {
  let fresh: FreshDatabase | undefined;
  let handle: DatabaseHandle<unknown>;
  let db: Kysely<any>;

  beforeAll(async () => {
    const adminUrl = process.env['DATABASE_URL'];
    fresh = adminUrl ? await createFreshDatabase(adminUrl) : undefined;
    handle = await openDatabase<unknown>({ databaseUrl: fresh?.url, dataDir: '/nonexistent-test-data-dir', memory: !fresh });
    db = handle.db as Kysely<any>;
    await sql`create table probe (id text primary key, n int8, at timestamptz, tags text[], doc jsonb)`.execute(db);
  });

  afterAll(async () => {
    await handle?.close();
    await fresh?.drop();
  });

  const insertMany = (ids: string[], at: Date) =>
    sql<{ id: string; n: number; at: Date; tags: string[]; doc: unknown }>`
      insert into probe (id, n, at, tags, doc)
      select id, n, ${at}, array[id, 'x,"y"', 'NULL'], jsonb_build_object('id', id)
      from unnest(${ids}::text[], ${ids.map((_, i) => i)}::int8[]) as t(id, n)
      returning id, n, at, tags, doc`.execute(db);

  it('a repeated statement gives the same rows, types and counts as its first, unprepared run', async () => {
    const at = new Date('2026-11-21T10:00:00.123Z');
    const runs = [];
    for (let round = 0; round < 4; round++) runs.push(await insertMany([`a${round}`, `b${round}`, `c${round}`], at));
    for (const [round, result] of runs.entries()) {
      expect(result.rows).toEqual([`a${round}`, `b${round}`, `c${round}`].map((id, n) => ({ id, n, at, tags: [id, 'x,"y"', 'NULL'], doc: { id } })));
    }
    const update = (n: number) => sql`update probe set n = n + ${n} where id like ${'a%'}`.execute(db);
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push(Number((await update(1)).numAffectedRows));
    expect(counts).toEqual([4, 4, 4]);
  });

  it('the statement is prepared in the database session after its second run', async () => {
    const seen = await db.connection().execute(async (conn) => {
      for (let i = 0; i < 3; i++) await sql`select count(*)::int as c from probe where n >= ${i}`.execute(conn);
      return sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(conn);
    });
    expect(seen.rows.map((r) => r.statement)).toContain('select count(*)::int as c from probe where n >= $1');
  });

  it('an error from a prepared statement carries its SQLSTATE and leaves the connection usable', async () => {
    const insertOne = (id: string) => sql`insert into probe (id, n) values (${id}, 1)`.execute(db);
    await insertOne('dup-1');
    await insertOne('dup-2');
    await expect(insertOne('dup-2')).rejects.toMatchObject({ code: '23505' });
    await expect(insertOne('dup-2')).rejects.toMatchObject({ code: '23505' });
    await insertOne('dup-3');
    const rows = await sql<{ id: string }>`select id from probe where id like ${'dup-%'} order by id`.execute(db);
    expect(rows.rows.map((r) => r.id)).toEqual(['dup-1', 'dup-2', 'dup-3']);
  });

  it('statements without parameters (BEGIN, ROLLBACK, COMMIT) keep their transaction semantics', async () => {
    const insertOne = (conn: Kysely<any>, id: string) => sql`insert into probe (id, n) values (${id}, 7)`.execute(conn);
    for (let round = 0; round < 3; round++) {
      await expect(
        db.transaction().execute(async (tx) => {
          await insertOne(tx, `rolled-back-${round}`);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      await db.transaction().execute((tx) => insertOne(tx, `committed-${round}`));
    }
    const rows = await sql<{ id: string }>`select id from probe where n = 7 order by id`.execute(db);
    expect(rows.rows.map((r) => r.id)).toEqual(['committed-0', 'committed-1', 'committed-2']);
    expect((await sql<{ c: number }>`select count(*)::int as c from probe where n = 7`.execute(db)).rows).toEqual([{ c: 3 }]);
  });

  it('a prepared statement whose result columns changed (DDL after prepare) is prepared again', async () => {
    const rows = await db.connection().execute(async (conn) => {
      await sql`create table shape (id int primary key)`.execute(conn);
      await sql`insert into shape values (1)`.execute(conn);
      const read = () => sql`select * from shape where id = ${1}`.execute(conn);
      await read();
      await read();
      await sql`alter table shape add column label text default 'new'`.execute(conn);
      return (await read()).rows;
    });
    expect(rows).toEqual([{ id: 1, label: 'new' }]);
  });
});
