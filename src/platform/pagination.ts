/**
 * List conventions shared by every `/api` list route: `?limit=&cursor=&sort=` in,
 * `{ items, nextCursor }` out. A cursor is opaque to clients (base64url JSON of the last row's
 * sort value and id, and the sort it was made for): `list-sort.ts` makes and reads them (ADR 025).
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_LIMIT = 100;

/** JSON schema fragments for a list route's querystring; the route adds its own `sort`. */
export const pageQueryProperties = {
  limit: { type: 'integer', minimum: 1, maximum: 500, description: 'Page size (default 100).' },
  cursor: { type: 'string', maxLength: 512, description: 'The nextCursor of the previous page (made under the same sort).' },
} as const;
