/**
 * Assembles a report a station sends in parts after answering a request (NotifyDisplayMessages,
 * NotifyCustomerInformation): parts are keyed by station and requestId, and the last one has
 * tbc=false. A caller starts waiting before it sends the request, because the first part may be
 * handled before the request's own answer resumes the caller.
 */
export interface Collected<P> {
  parts: P[];
  complete: boolean;
}

/** Unclaimed reports kept at most; the oldest goes first. */
const MAX_OPEN = 1000;

export class PartCollector<P> {
  private readonly open = new Map<string, P[]>();
  private readonly waiters = new Map<string, { resolve: (c: Collected<P>) => void; timer: NodeJS.Timeout }>();

  static key(tenantId: string, stationId: string, requestId: number): string {
    return `${tenantId}\u0000${stationId}\u0000${requestId}`;
  }

  /** Resolves with every part once the last arrives, or with the parts so far after timeoutMs. */
  wait(key: string, timeoutMs: number): Promise<Collected<P>> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        const parts = this.open.get(key) ?? [];
        this.open.delete(key);
        resolve({ parts, complete: false });
      }, timeoutMs);
      this.waiters.set(key, { resolve, timer });
    });
  }

  /** Stops waiting (the station refused the request); the parts so far are dropped. */
  cancel(key: string): void {
    const waiter = this.waiters.get(key);
    if (waiter) clearTimeout(waiter.timer);
    this.waiters.delete(key);
    this.open.delete(key);
  }

  /**
   * Adds a part; returns the whole report when this was the last part, and hands it to the waiter
   * then, unless `hold`: a caller that stores the report first settles the waiter after (`settle`),
   * so what the waiter reads back is the stored report.
   */
  add(key: string, part: P, last: boolean, hold = false): P[] | undefined {
    const parts = this.open.get(key) ?? [];
    parts.push(part);
    this.open.delete(key);
    if (!last) {
      this.open.set(key, parts);
      if (this.open.size > MAX_OPEN) this.open.delete(this.open.keys().next().value as string);
      return undefined;
    }
    if (!hold) this.settle(key, parts);
    return parts;
  }

  /** Hands a complete report to its waiter, if one still waits. */
  settle(key: string, parts: P[]): void {
    const waiter = this.waiters.get(key);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.waiters.delete(key);
    waiter.resolve({ parts, complete: true });
  }
}
