import { PGlite, parse, protocol } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterFirstReady, bindExecuteMessage, readFirstResult, WireErrorResponse } from './pglite-wire.js';
import { PGliteStatements } from './pglite-statements.js';

// ADR 036: the named-statement call's wire messages are built and read by Ampline. These tests
// hold them to what PGlite's own serializer writes and its own parser reads, on a real PGlite.

const { serialize } = protocol;

describe('bindExecuteMessage', () => {
  it('writes the bytes PGlite writes for the same call, multi-byte text and nulls included', () => {
    const values = ['plain', null, 'Zürich ⚡ 电动车 🚗', '', '{"a":"b\\"c"}'];
    const expected = Buffer.concat([
      serialize.bind({ statement: 'amp_7', values }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    ]);
    expect(Buffer.from(bindExecuteMessage('amp_7', values) as Uint8Array).equals(expected)).toBe(true);
  });

  it('puts a statement to run first in front, as the Query message PGlite writes for it (ADR 039)', () => {
    const values = ['a', null];
    const expected = Buffer.concat([
      serialize.query('set plan_cache_mode = auto'),
      serialize.bind({ statement: 'amp_2', values }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    ]);
    expect(Buffer.from(bindExecuteMessage('amp_2', values, 'set plan_cache_mode = auto') as Uint8Array).equals(expected)).toBe(true);
  });

  it('leaves a call with a value that is not text to PGlite', () => {
    expect(bindExecuteMessage('amp_1', [new Uint8Array([1, 2])])).toBeUndefined();
    expect(bindExecuteMessage('amp_1', [42])).toBeUndefined();
  });
});

describe('readFirstResult on a real PGlite', () => {
  let pglite: PGlite;

  beforeAll(async () => {
    pglite = await PGlite.create();
    await pglite.exec('create table probe (id text primary key, n int8, at timestamptz, tags text[], doc jsonb, ok boolean, x double precision)');
  });
  afterAll(async () => {
    await pglite.close();
  });

  /** The raw response of one prepared call, and what PGlite's parser makes of it. */
  async function both(text: string, params: (string | null)[]): Promise<{ mine: unknown; theirs: unknown }> {
    const name = `w_${Math.random().toString(36).slice(2)}`;
    await pglite.execProtocol(Buffer.concat([serialize.parse({ name, text }), serialize.sync()]));
    const chunks: Buffer[] = [];
    await pglite.execProtocolRawStream(bindExecuteMessage(name, params) as Uint8Array, { onRawData: (c) => void chunks.push(Buffer.from(c)) });
    const raw = Buffer.concat(chunks);
    const messages: unknown[] = [];
    new protocol.Parser().parse(raw, (m) => void messages.push(m));
    const [theirs] = parse.parseResults(messages as never, pglite.parsers);
    let mine: unknown;
    try {
      mine = readFirstResult(raw, pglite.parsers);
    } catch (error) {
      mine = error;
    }
    return { mine, theirs };
  }

  it('reads rows of every type the write path returns the way PGlite does', async () => {
    const { mine, theirs } = await both(
      `insert into probe values ($1, $2, $3, $4, $5, $6, $7), ('b', null, null, null, null, null, null) returning *, 1 as one`,
      ['a-Zürich ⚡', '9007199254740993', '2026-11-22T06:00:00.123Z', '{x,"y z",NULL,"q\\"t"}', '{"k":[1,"ü"]}', 'true', '1.5'],
    );
    expect((mine as { rows: unknown[] }).rows).toHaveLength(2);
    expect(mine).toEqual(theirs);
  });

  it('counts the rows an UPDATE affected, and reads a result without rows', async () => {
    const updated = await both(`update probe set n = n where id = any($1::text[])`, ['{a-Zürich ⚡,b,none}']);
    expect(updated.mine).toMatchObject({ affectedRows: 2, rows: [] });
    expect(updated.mine).toEqual(updated.theirs);
    const none = await both(`select * from probe where id = $1`, ['none']);
    expect(none.mine).toEqual(none.theirs);
  });

  it('raises an ErrorResponse, and PGliteStatements turns it into the error PGlite raises', async () => {
    const { mine } = await both(`insert into probe (id) values ($1)`, ['b']);
    expect(mine).toBeInstanceOf(WireErrorResponse);
    const statements = new PGliteStatements(pglite);
    const text = 'insert into probe (id) values ($1)';
    await statements.run(text, ['c1']);
    // The second run of a text is its first as a named statement: the path under test.
    const failure = await statements.run(text, ['b']).catch((e: unknown) => e);
    const theirs = await pglite.query(text, ['b']).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ code: '23505', constraint: 'probe_pkey', message: (theirs as Error).message });
    // The database is usable after the failed call.
    expect((await statements.run('select count(*)::int as n from probe where id = $1', ['c1'])).rows).toEqual([{ n: 1 }]);
  });

  it('reads the call after a statement sent in front of it, and raises an error of that statement (ADR 039)', async () => {
    const name = 'w_front';
    await pglite.execProtocol(Buffer.concat([serialize.parse({ name, text: 'select n, current_setting($2) as mode from probe where id = $1' }), serialize.sync()]));
    const call = async (before: string): Promise<Buffer> => {
      const chunks: Buffer[] = [];
      await pglite.execProtocolRawStream(bindExecuteMessage(name, ['c1', 'plan_cache_mode'], before) as Uint8Array, { onRawData: (c) => void chunks.push(Buffer.from(c)) });
      return Buffer.concat(chunks);
    };
    const raw = await call('set plan_cache_mode = force_generic_plan');
    expect(readFirstResult(raw, pglite.parsers, afterFirstReady(raw))).toMatchObject({ rows: [{ n: null, mode: 'force_generic_plan' }] });
    // Without skipping the leading answer, the SET's own CommandComplete would be read as the result.
    expect(readFirstResult(raw, pglite.parsers).rows).toEqual([]);
    const failed = await call('set plan_cache_mode = no_such_mode');
    expect(() => afterFirstReady(failed)).toThrow(WireErrorResponse);
    await pglite.exec('reset plan_cache_mode');
  });
});
