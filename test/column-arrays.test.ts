import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unnestRows } from '../src/modules/transactions/column-arrays.js';
import { openTestDatabase } from './support/test-database.js';

/**
 * ADR 026: transaction batches travel as one array per column. Whatever a station puts in a
 * string (quotes, backslashes, braces, commas, the word NULL, non-ASCII) must come back exactly,
 * a null must stay a null, and timestamps keep their millisecond: on PGlite and on PostgreSQL
 * (DATABASE_URL), whose drivers each write the array literal.
 */
interface Row {
  text: string | null;
  n: number | null;
  at: Date | null;
  flag: boolean | null;
  doc: string;
}

const NASTY = ['plain', 'with "quotes"', 'back\\slash', '{braces}', 'a,b', 'NULL', 'null', '', ' spaced ', 'Grüße 充電 ⚡', "it's"];

describe('ADR 026 column arrays (unnest) keep every value exactly', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('strings, nulls, numbers, booleans, timestamps and JSON documents round-trip in order', async () => {
    const rows: Row[] = [
      ...NASTY.map((text, i) => ({ text, n: i * 1.5, at: new Date(Date.UTC(2026, 10, 21, 12, 0, i, 123)), flag: i % 2 === 0, doc: JSON.stringify({ v: text, i }) })),
      { text: null, n: null, at: null, flag: null, doc: JSON.stringify({ nested: { a: [1, '"x"', null] } }) },
    ];
    const result = await sql<{ text: string | null; n: number | null; at: Date | null; flag: boolean | null; doc: unknown }>`
      select * from ${unnestRows(rows, [
        ['text', 'text', (r) => r.text],
        ['n', 'double precision', (r) => r.n],
        ['at', 'timestamptz', (r) => r.at],
        ['flag', 'boolean', (r) => r.flag],
        ['doc', 'jsonb', (r) => r.doc],
      ])}`.execute(db.handle.db);
    expect(result.rows.map((r) => r.text)).toEqual(rows.map((r) => r.text));
    expect(result.rows.map((r) => (r.n === null ? null : Number(r.n)))).toEqual(rows.map((r) => r.n));
    expect(result.rows.map((r) => (r.at === null ? null : new Date(r.at).toISOString()))).toEqual(rows.map((r) => r.at?.toISOString() ?? null));
    expect(result.rows.map((r) => r.flag)).toEqual(rows.map((r) => r.flag));
    expect(result.rows.map((r) => (typeof r.doc === 'string' ? JSON.parse(r.doc) : r.doc))).toEqual(rows.map((r) => JSON.parse(r.doc)));
  });

  it('a batch of 20,000 rows is one statement with one parameter per column', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ id: `s-${i}`, k: i }));
    const built = sql`select count(*)::integer as n, sum(k)::bigint as total from ${unnestRows(rows, [
      ['id', 'text', (r) => r.id],
      ['k', 'integer', (r) => r.k],
    ])}`.compile(db.handle.db);
    expect(built.parameters).toHaveLength(2);
    const result = await sql<{ n: number; total: string | number }>`select count(*)::integer as n, sum(k)::bigint as total from ${unnestRows(rows, [
      ['id', 'text', (r) => r.id],
      ['k', 'integer', (r) => r.k],
    ])}`.execute(db.handle.db);
    expect(result.rows[0]?.n).toBe(20_000);
    expect(Number(result.rows[0]?.total)).toBe((19_999 * 20_000) / 2);
  });
});
