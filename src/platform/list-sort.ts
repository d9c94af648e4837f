import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { DomainError } from './errors.js';
import type { Page } from './pagination.js';

/**
 * `?sort=` on list routes (ADR 025): `field` ascending, `-field` descending, from the route's own
 * whitelist. Pages are keyset pages over (sort value, id): the cursor carries the last row's
 * value and id and the sort it was made for, so no row is lost or repeated between pages even
 * when many rows share a sort value.
 */

/**
 * How a value is cast in SQL and checked in a cursor. `timestamp` keys compare at millisecond
 * precision (what a JavaScript Date holds), `integer` keys travel as digit strings (bigint-safe).
 */
export type SortKind = 'text' | 'uuid' | 'integer' | 'timestamp';

export interface SortKey<Row> {
  /** What the list orders by: a column, or an expression that maps NULL to a sentinel (never NULL). */
  expression: RawBuilder<unknown>;
  kind: SortKind;
  /** The same value as `expression` yields for this row (the sentinel where the column is NULL). */
  value(row: Row): string | number | Date;
}

export interface ListSortSpec<Row> {
  fields: Record<string, SortKey<Row>>;
  /** What the list orders by when `sort` is absent, e.g. '-startedAt'. */
  defaultSort: string;
  /** The tiebreak: unique per row, compared in the same direction as the sort field. */
  id: SortKey<Row>;
  /**
   * Cursors handed out before `sort` existed were the bare id of the last row of a list ordered
   * by id; this accepts them (only under the default sort) so callers holding one keep working.
   */
  legacyIdCursor?: (raw: string) => boolean;
}

/** The timestamp a NULL sorts as: after every real one (an open session's stop) or before (never seen). */
export const LATEST = new Date('9999-12-31T00:00:00.000Z');
export const EARLIEST = new Date('1970-01-01T00:00:00.000Z');

/**
 * A timestamp column compared at millisecond precision, the precision a cursor's Date holds (a
 * column filled by now() has microseconds). `exact`: the column is only ever written from a
 * JavaScript Date, so it is compared as it is and its index serves the order. NULL → `whenNull`.
 */
export function timestampKey<Row>(column: string, value: (row: Row) => Date | null, options: { whenNull?: Date; exact?: boolean } = {}): SortKey<Row> {
  const compared = options.exact ? sql`${sql.ref(column)}` : sql`date_trunc('milliseconds', ${sql.ref(column)})`;
  const whenNull = options.whenNull;
  return {
    expression: whenNull ? sql`coalesce(${compared}, ${whenNull.toISOString()}::timestamptz)` : compared,
    kind: 'timestamp',
    value: (row) => value(row) ?? whenNull ?? EARLIEST,
  };
}

export function columnKey<Row>(column: string, kind: SortKind, value: (row: Row) => string | number | Date): SortKey<Row> {
  return { expression: sql`${sql.ref(column)}`, kind, value };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER = /^-?[0-9]{1,18}$/;

function checked(kind: SortKind, value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 512) return undefined;
  if (kind === 'uuid') return UUID.test(value) ? value : undefined;
  if (kind === 'integer') return INTEGER.test(value) ? value : undefined;
  if (kind === 'timestamp') return Number.isNaN(Date.parse(value)) ? undefined : new Date(value).toISOString();
  return value;
}

function wire(kind: SortKind, value: string | number | Date): string {
  if (kind === 'timestamp') return new Date(value).toISOString();
  return kind === 'integer' && typeof value === 'number' ? String(Math.trunc(value)) : String(value);
}

const CAST: Record<SortKind, string> = { text: 'text', uuid: 'uuid', integer: 'bigint', timestamp: 'timestamptz' };

function param(kind: SortKind, value: string): RawBuilder<unknown> {
  return sql`${value}::${sql.raw(CAST[kind])}`;
}

interface Position {
  value: string;
  id: string;
}

/** What a list query needs to order and window itself; route → service → store. */
export interface SortedWindow<Row> {
  limit: number;
  /** Adds the keyset condition and ORDER BY; the store still adds `.limit(window.limit + 1)`. */
  apply<Q extends Orderable<Q>>(query: Q): Q;
  /** The page from rows fetched with `limit + 1`, its cursor made for this sort. */
  page(rows: Row[]): Page<Row>;
}

/** What a caller asks of one page: its size, `sort`, and where the previous page ended. */
export interface ListWindowQuery {
  limit: number;
  sort?: string | undefined;
  cursor?: string | undefined;
  /** The older name of `cursor` that some lists still take. */
  after?: string | undefined;
  /** What that older name is, for the problem when it is bad (default `after`). */
  afterName?: string | undefined;
}

/** The part of a Kysely select builder the window uses (so it fits any table's builder). */
export interface Orderable<Q> {
  where(expression: Expression<SqlBool>): Q;
  orderBy(expression: Expression<unknown>, direction: 'asc' | 'desc'): Q;
}

/** `sort` in a route's querystring schema: the allowed values, so OpenAPI lists them. */
export interface SortQueryProperty {
  type: 'string';
  enum: string[];
  description: string;
}

export class ListSort<Row> {
  readonly queryProperty: SortQueryProperty;

  constructor(private readonly spec: ListSortSpec<Row>) {
    const values = Object.keys(spec.fields).flatMap((f) => [f, `-${f}`]);
    if (!values.includes(spec.defaultSort)) throw new Error(`default sort ${spec.defaultSort} is not one of ${values.join(', ')}`);
    this.queryProperty = {
      type: 'string',
      enum: values,
      description: `Order of the list: a field ascending, "-field" descending; ties by id. Default ${spec.defaultSort}.`,
    };
  }

  /**
   * Parses `sort` and `cursor` (400 naming the field when either is not one this list takes).
   * `after` is the older name of `cursor` some lists still take; a bad one is named as given.
   */
  window(query: ListWindowQuery): SortedWindow<Row> {
    const sort = query.sort ?? this.spec.defaultSort;
    const name = sort.startsWith('-') ? sort.slice(1) : sort;
    const key = this.spec.fields[name];
    if (!key) {
      throw new DomainError('InvalidInput', `sort must be one of ${this.queryProperty.enum.join(', ')}`, { field: 'sort', allowed: this.queryProperty.enum });
    }
    const descending = sort.startsWith('-');
    const cursorField = query.cursor === undefined && query.after !== undefined ? (query.afterName ?? 'after') : 'cursor';
    const cursor = query.cursor ?? query.after;
    const after = cursor ? this.position(cursor, sort, key, cursorField) : undefined;
    const id = this.spec.id;
    const direction = descending ? 'desc' : 'asc';
    return {
      limit: query.limit,
      apply: <Q extends Orderable<Q>>(q: Q): Q => {
        let ordered = q;
        if (after) {
          const op = sql.raw(descending ? '<' : '>');
          ordered = ordered.where(sql<SqlBool>`(${key.expression}, ${id.expression}) ${op} (${param(key.kind, after.value)}, ${param(id.kind, after.id)})`);
        }
        return ordered.orderBy(key.expression, direction).orderBy(id.expression, direction);
      },
      page: (rows) => {
        const items = rows.slice(0, query.limit);
        const last = items[items.length - 1];
        const cursor = rows.length > query.limit && last ? encode(sort, wire(key.kind, key.value(last)), wire(id.kind, id.value(last))) : null;
        return { items, nextCursor: cursor };
      },
    };
  }

  private position(cursor: string, sort: string, key: SortKey<Row>, field: string): Position {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    if (fields && typeof fields['s'] === 'string') {
      if (fields['s'] !== sort) {
        throw new DomainError('InvalidInput', `${field} was made for sort=${fields['s']}, not sort=${sort}: start again without it`, { field });
      }
      const value = checked(key.kind, fields['v']);
      const id = checked(this.spec.id.kind, fields['id']);
      if (value !== undefined && id !== undefined) return { value, id };
    } else if (this.spec.legacyIdCursor?.(cursor) && sort === this.spec.defaultSort) {
      return { value: cursor, id: cursor };
    }
    throw new DomainError('InvalidInput', `${field} is not a cursor this list handed out`, { field });
  }
}

function encode(sort: string, value: string, id: string): string {
  return Buffer.from(JSON.stringify({ s: sort, v: value, id }), 'utf8').toString('base64url');
}

/** A page of rows turned into their views; the cursor stays the rows'. */
export function mapPage<Row, View>(page: Page<Row>, view: (row: Row) => View): Page<View> {
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}
