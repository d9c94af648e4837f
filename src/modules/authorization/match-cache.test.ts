import { describe, expect, it } from 'vitest';
import { TokenMatchCache, TOKEN_MATCH_TTL_MS } from './match-cache.js';
import type { IdTokenRow } from './store.js';

function fakeClock(start = 1_000_000) {
  let ms = start;
  return { now: () => new Date(ms), nowMs: () => ms, advance: (d: number) => (ms += d) };
}

describe('TokenMatchCache', () => {
  it('answers a repeated look-up (any uid case) without the database until the TTL passes', async () => {
    let calls = 0;
    const row = { id: 't1', uid: 'ABC' } as IdTokenRow;
    const clock = fakeClock();
    const cache = new TokenMatchCache({ match: async () => (calls++, row) }, clock);
    expect(await cache.match('t', 'abc', undefined)).toBe(row);
    expect(await cache.match('t', 'ABC', undefined)).toBe(row);
    expect(calls).toBe(1);
    clock.advance(TOKEN_MATCH_TTL_MS);
    await cache.match('t', 'abc', undefined);
    expect(calls).toBe(2);
  });

  it('keeps typed, untyped and other tenants apart, and clear() forgets an absent token', async () => {
    const seen: string[] = [];
    const cache = new TokenMatchCache({ match: async (tenant, uid, type) => (seen.push(`${tenant}/${uid}/${type}`), undefined) }, fakeClock());
    await cache.match('t', 'a', undefined);
    await cache.match('t', 'a', 'ISO14443');
    await cache.match('u', 'a', undefined);
    await cache.match('t', 'a', undefined);
    expect(seen).toEqual(['t/a/undefined', 't/a/ISO14443', 'u/a/undefined']);
    cache.clear();
    await cache.match('t', 'a', undefined);
    expect(seen).toHaveLength(4);
  });
});
