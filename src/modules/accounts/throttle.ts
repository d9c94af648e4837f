import type { Clock } from '../../platform/clock.js';
import { DomainError } from '../../platform/errors.js';

export interface ThrottleLimits {
  /** Failures allowed per window before the key is locked. */
  failures: number;
  windowMs: number;
  /** First lock; each further failure while over the limit doubles it, up to maxLockMs. */
  lockMs: number;
  maxLockMs: number;
}

interface Entry {
  failuresMs: number[];
  lockedUntilMs: number;
  lockMs: number;
}

/**
 * Failed sign-ins counted per key (an account, an address) in memory: a single node's view, which
 * is what an attacker hitting this node meets. Success clears the account's count, not the address's.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: Record<'account' | 'address', ThrottleLimits>,
  ) {}

  /** Throws TooManyRequests (429, Retry-After) when any key is locked. */
  check(keys: { account: string; address: string }): void {
    const now = this.clock.nowMs();
    let waitMs = 0;
    for (const [kind, key] of Object.entries(keys) as ['account' | 'address', string][]) {
      const entry = this.entries.get(`${kind}:${key}`);
      if (entry && entry.lockedUntilMs > now) waitMs = Math.max(waitMs, entry.lockedUntilMs - now);
    }
    if (waitMs > 0) {
      const retryAfterS = Math.ceil(waitMs / 1000);
      throw new DomainError('TooManyRequests', `too many failed sign-ins; try again in ${retryAfterS} s`, { retryAfterS });
    }
  }

  failed(keys: { account: string; address: string }): void {
    const now = this.clock.nowMs();
    for (const [kind, key] of Object.entries(keys) as ['account' | 'address', string][]) {
      const limits = this.limits[kind];
      const id = `${kind}:${key}`;
      const entry = this.entries.get(id) ?? { failuresMs: [], lockedUntilMs: 0, lockMs: limits.lockMs };
      entry.failuresMs = entry.failuresMs.filter((at) => now - at < limits.windowMs);
      entry.failuresMs.push(now);
      if (entry.failuresMs.length >= limits.failures) {
        entry.lockedUntilMs = now + entry.lockMs;
        entry.lockMs = Math.min(entry.lockMs * 2, limits.maxLockMs);
      }
      this.entries.set(id, entry);
    }
    if (this.entries.size > 100_000) this.prune(now);
  }

  succeeded(account: string): void {
    this.entries.delete(`account:${account}`);
  }

  private prune(now: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.lockedUntilMs < now && entry.failuresMs.every((at) => now - at > 3_600_000)) this.entries.delete(id);
    }
  }
}

export const DEFAULT_THROTTLE: Record<'account' | 'address', ThrottleLimits> = {
  account: { failures: 5, windowMs: 15 * 60_000, lockMs: 60_000, maxLockMs: 60 * 60_000 },
  address: { failures: 20, windowMs: 15 * 60_000, lockMs: 60_000, maxLockMs: 60 * 60_000 },
};
