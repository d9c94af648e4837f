import { sql, type RawBuilder } from 'kysely';

/**
 * Session rows locked in one order, by id (ADR 027). Batches of different kinds (samples,
 * TransactionEvents, stops, connector follows) update the same sessions from separate database
 * transactions; an UPDATE ... FROM locks its rows in whatever order its join produces, so two
 * batches could each hold a row the other waits for (a deadlock). Instead the first statement of a
 * batch that updates sessions locks every session the batch will update, in id order, before it
 * changes any row; its later statements only touch rows it already holds.
 *
 * Use: `with ..., ${lockedSessions(query)} update sessions s ... where ... and ${ALL_LOCKED_FIRST}`.
 * The lock is FOR NO KEY UPDATE, the lock an UPDATE of non-key columns takes anyway, so it adds
 * no conflict the UPDATE did not already have.
 */

/**
 * Whether statements lock their sessions in id order first. Only where more than one connection
 * writes (PostgreSQL) can two batches deadlock; the embedded database has one connection, and
 * there the locks only cost: about half of the running-energy statement's time (ADR 034).
 */
export type RowLocks = 'ordered' | 'none';

/**
 * The CTE `locked_sessions`: the sessions `idsQuery` (a query of one column of ids) names, locked
 * in id order, with `id` and `columns` as they are once locked (the latest committed version).
 * With `none`, the same rows unlocked, or no rows when `columns` is empty (the CTE was only a lock).
 */
export function lockedSessions(idsQuery: RawBuilder<unknown>, columns: RawBuilder<unknown> | undefined, locks: RowLocks): RawBuilder<unknown> {
  if (locks === 'none' && columns === undefined) return sql`locked_sessions as (select null::text as id where false)`;
  // materialized: evaluated once, whole, as written (PostgreSQL 12+ could otherwise fold it into the statement).
  const lock = locks === 'ordered' ? sql` order by id for no key update` : sql``;
  return sql`locked_sessions as materialized (
      select id${columns ?? sql``} from sessions where id in (${idsQuery})${lock})`;
}

/** The sessions of these ids, as the query `lockedSessions` takes. */
export function sessionIdsOf(ids: readonly string[]): RawBuilder<unknown> {
  return sql`select unnest(${[...new Set(ids)]}::text[])`;
}

/**
 * A condition that reads every locked row before the statement reads any other: constant, so the
 * planner checks it once ("One-Time Filter") before the statement's scan begins.
 */
export const ALL_LOCKED_FIRST = sql`(select count(*) from locked_sessions) >= 0`;
