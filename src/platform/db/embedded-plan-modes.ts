/**
 * How the embedded database plans each named statement (ADR 039, which refines ADR 037).
 *
 * The write path sends whole batches as column arrays (`unnest($1::text[], ...)`, ADR 026)
 * through named prepared statements (ADR 029). After five runs PostgreSQL's `auto` mode may switch
 * such a statement to a generic plan, planned without knowing how many rows the arrays hold; on
 * PGlite those plans cost the write path 2–4 times their custom plans per batch (ADR 037). A
 * statement of a fixed shape (a lookup by key, a one-row insert) is the opposite case: `auto`
 * gives it a generic plan it no longer pays planning for, a quarter to a half of its run time
 * on PGlite (ADR 039).
 * So each named statement runs in the mode that suits it, and PostgreSQL proper keeps `auto`
 * throughout (native planning is cheap; the operator owns that server's settings).
 */
export type PlanCacheMode = 'auto' | 'force_custom_plan';

/** A statement reading column arrays is planned for each batch; any other one as `auto` decides. */
export function planCacheModeOf(sql: string): PlanCacheMode {
  return /\bunnest\s*\(/i.test(sql) ? 'force_custom_plan' : 'auto';
}

/** The statement that puts the connection in `mode`. */
export function planCacheModeStatement(mode: PlanCacheMode): string {
  return `set plan_cache_mode = ${mode}`;
}

/**
 * Statements after which a SET made earlier on the connection still holds: transaction control
 * that does not roll back, and data statements. After anything else (a rollback, which undoes the
 * SETs of its transaction or savepoint; a SET or RESET; DDL) and after any error (which aborts the
 * transaction), the mode is set again before the next named statement.
 */
export function keepsPlanCacheMode(sql: string): boolean {
  return /^\s*(?:begin|start\s+transaction|commit|end|savepoint|release|select|insert|update|delete|with|values)\b/i.test(sql);
}
