import type { PGlite } from '@electric-sql/pglite';

/**
 * Session settings of the embedded database, applied to its one connection when it opens
 * (ADR 037): every statement is planned for the values it runs with. The write path sends whole
 * batches as column arrays (ADR 026) through named prepared statements (ADR 029); after five runs
 * PostgreSQL's `auto` mode switches such a statement to a generic plan, planned without knowing
 * how many rows the arrays hold, and on PGlite those plans cost the write path 2–4 times their
 * custom plans per batch. PostgreSQL proper showed no difference, so it keeps `auto`.
 */
export const EMBEDDED_SESSION_SETTINGS = 'set plan_cache_mode = force_custom_plan';

export async function applyEmbeddedSettings(pglite: PGlite): Promise<void> {
  await pglite.exec(EMBEDDED_SESSION_SETTINGS);
}
