// Latency histogram with log-spaced buckets: bucket i holds values in
// [MIN_MS * GROWTH^i, MIN_MS * GROWTH^(i+1)), so a quantile is known to within ±2.5 %,
// whatever the count, in a few hundred integers that merge by addition across workers.

const MIN_MS = 0.01;
const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets up to ~ 10 minutes. */
const BUCKETS = Math.ceil(Math.log(600_000 / MIN_MS) / LOG_GROWTH) + 1;

/** Sparse form for IPC and JSON: [bucketIndex, count] pairs. */
export interface HistogramJSON {
  buckets: [number, number][];
  count: number;
  sumMs: number;
  maxMs: number;
}

export class LatencyHistogram {
  private counts = new Uint32Array(BUCKETS);
  count = 0;
  sumMs = 0;
  maxMs = 0;

  record(ms: number): void {
    const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.counts[bucketOf(value)]! += 1;
    this.count += 1;
    this.sumMs += value;
    if (value > this.maxMs) this.maxMs = value;
  }

  /** Value at quantile q (0..1), as the geometric middle of its bucket; null when empty. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(middleOf(i), this.maxMs);
    }
    return this.maxMs;
  }

  meanMs(): number | null {
    return this.count === 0 ? null : this.sumMs / this.count;
  }

  merge(other: LatencyHistogram | HistogramJSON): void {
    if (other instanceof LatencyHistogram) {
      for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    } else {
      for (const [i, n] of other.buckets) if (i >= 0 && i < BUCKETS) this.counts[i]! += n;
    }
    this.count += other.count;
    this.sumMs += other.sumMs;
    this.maxMs = Math.max(this.maxMs, other.maxMs);
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sumMs = 0;
    this.maxMs = 0;
  }

  toJSON(): HistogramJSON {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const n = this.counts[i]!;
      if (n > 0) buckets.push([i, n]);
    }
    return { buckets, count: this.count, sumMs: this.sumMs, maxMs: this.maxMs };
  }

  static fromJSON(json: HistogramJSON): LatencyHistogram {
    const h = new LatencyHistogram();
    h.merge(json);
    return h;
  }
}

function bucketOf(ms: number): number {
  if (ms <= MIN_MS) return 0;
  const i = Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH);
  return Math.min(BUCKETS - 1, Math.max(0, i));
}

function middleOf(i: number): number {
  return MIN_MS * GROWTH ** (i + 0.5);
}
