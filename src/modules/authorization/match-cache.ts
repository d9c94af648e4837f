import type { Clock } from '../../platform/clock.js';
import type { IdTokenRow, TokensStore } from './store.js';

/** How long a looked-up token (or its absence) is reused; bounds how stale a change made elsewhere can be. */
export const TOKEN_MATCH_TTL_MS = 2_000;
const MAX_ENTRIES = 50_000;

/**
 * The token rows behind authorization verdicts, kept briefly: a 1.6 session asks about its idTag
 * three times (Authorize, StartTransaction, StopTransaction) within seconds, and a fleet shares
 * a few tokens. Only the row is cached; the verdict (expiry, EVSE, concurrent rule) is decided
 * fresh each time. A change through the authorization service clears the cache at once; a change
 * another process writes (the CLI) is seen within TOKEN_MATCH_TTL_MS.
 */
export class TokenMatchCache {
  private readonly entries = new Map<string, { row: IdTokenRow | undefined; expiresAtMs: number }>();

  constructor(
    private readonly store: Pick<TokensStore, 'match'>,
    private readonly clock: Clock,
  ) {}

  async match(tenantId: string, uid: string, type: string | undefined): Promise<IdTokenRow | undefined> {
    const key = `${tenantId}\u0000${uid.toUpperCase()}\u0000${type ?? '\u0001'}`;
    const nowMs = this.clock.nowMs();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAtMs > nowMs) return hit.row;
    const row = await this.store.match(tenantId, uid, type);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { row, expiresAtMs: nowMs + TOKEN_MATCH_TTL_MS });
    return row;
  }

  /** After any token write: the next look-up reads the database. */
  clear(): void {
    this.entries.clear();
  }
}
