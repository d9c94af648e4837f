/**
 * Which SQL texts get a named (server-side prepared) statement. A named statement is parsed and
 * analysed once per connection, so a repeated statement pays only for bind and execute: on PGlite
 * that halves a hot batch statement (ADR 029). Only texts seen twice are named, so one-off
 * statements (migrations, ad-hoc filters) never take a slot, and the number of names is capped
 * because every one holds memory in each database session for the life of the connection.
 */
const PREPARABLE = /^\s*(?:select|insert|update|delete|with)\b/i;

export class StatementNames {
  private readonly named = new Map<string, string>();
  private readonly seenOnce = new Set<string>();
  private next = 1;

  constructor(
    private readonly prefix: string,
    private readonly maxNamed = 500,
    private readonly maxSeenOnce = 5_000,
  ) {}

  /** The statement name for this text, or undefined to run it unnamed. */
  nameFor(sql: string): string | undefined {
    const name = this.named.get(sql);
    if (name !== undefined) return name;
    if (this.named.size >= this.maxNamed || !PREPARABLE.test(sql)) return undefined;
    if (!this.seenOnce.has(sql)) {
      if (this.seenOnce.size >= this.maxSeenOnce) this.seenOnce.clear();
      this.seenOnce.add(sql);
      return undefined;
    }
    this.seenOnce.delete(sql);
    const fresh = `${this.prefix}${this.next++}`;
    this.named.set(sql, fresh);
    return fresh;
  }

  /** Drops a text's name (its prepared plan went stale); a later use names it afresh. */
  forget(sql: string): void {
    this.named.delete(sql);
  }

  get size(): number {
    return this.named.size;
  }
}

/**
 * PostgreSQL's answer when a prepared statement's result columns changed under it (DDL after the
 * prepare): the statement has to be prepared again.
 */
export function isStalePlanError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change result type');
}
