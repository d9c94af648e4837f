/**
 * Coalesces single-key requests made in the same turn of the event loop into one call for many
 * keys (a reconnect storm asks for thousands of stations at once: one query instead of thousands).
 */
export class Batcher<K, V> {
  private pending = new Map<K, { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;

  constructor(
    private readonly run: (keys: K[]) => Promise<Map<K, V>>,
    private readonly maxBatch = 1000,
  ) {}

  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.dispatch());
      }
    });
  }

  private dispatch(): void {
    this.scheduled = false;
    const all = this.pending;
    this.pending = new Map();
    const keys = [...all.keys()];
    for (let i = 0; i < keys.length; i += this.maxBatch) {
      const slice = keys.slice(i, i + this.maxBatch);
      this.run(slice).then(
        (found) => {
          for (const key of slice) for (const w of all.get(key) ?? []) w.resolve(found.get(key));
        },
        (err: unknown) => {
          for (const key of slice) for (const w of all.get(key) ?? []) w.reject(err);
        },
      );
    }
  }
}
