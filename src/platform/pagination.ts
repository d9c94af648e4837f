import { DomainError } from './errors.js';

/**
 * List conventions shared by every `/api` list route: `?limit=&cursor=` in, `{ items, nextCursor }`
 * out. A cursor is opaque to clients (base64url JSON of the last row's sort key), so a route can
 * change what it orders by without breaking callers that only pass the cursor back.
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_LIMIT = 100;

/** JSON schema fragments for a list route's querystring. */
export const pageQueryProperties = {
  limit: { type: 'integer', minimum: 1, maximum: 500, description: 'Page size (default 100).' },
  cursor: { type: 'string', maxLength: 512, description: 'The nextCursor of the previous page.' },
} as const;

export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor into the key fields the route expects; anything else is the caller's bad input. */
export function decodeCursor<K extends Record<string, 'string' | 'number'>>(
  cursor: string | undefined,
  shape: K,
): { [F in keyof K]: K[F] extends 'number' ? number : string } | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    Object.entries(shape).every(([field, type]) => typeof (parsed as Record<string, unknown>)[field] === type);
  if (!valid) throw new DomainError('InvalidInput', 'cursor is not one this list handed out', { field: 'cursor' });
  return parsed as { [F in keyof K]: K[F] extends 'number' ? number : string };
}

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only tells that there is more.
 */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => Record<string, string | number>): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}

/** Lists that took `after` before this convention: `cursor` is the name, `after` stays as an alias. */
export function cursorOf(query: { cursor?: string | undefined; after?: string | undefined }): string | undefined {
  return query.cursor ?? query.after;
}

/**
 * Lists ordered by row id whose cursor is the last id handed out: the route fetches `limit + 1`
 * rows, so a page that ends the list says so (no extra empty page when exactly `limit` remain).
 */
export function pageAfterId<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? last.id : null };
}
