interface Pending<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

interface Batch<I, R> {
  entries: Pending<I, R>[];
  keys: Set<string>;
}

/**
 * Group commit: callers submit items and get a promise settled when the batch holding their
 * item is written. One batch is written at a time; while it is, the next fills, and is written
 * as soon as the first is done. At low load an item waits at most `lingerMs`; a burst becomes a
 * handful of statements. Items with the same key never share a batch (a statement may not touch
 * one row twice), so they are written in the order they were submitted.
 */
export class GroupCommit<I, R> {
  private readonly queue: Batch<I, R>[] = [];
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly persist: (items: I[]) => Promise<R[]>,
    private readonly lingerMs: number,
    private readonly maxBatch = 5000,
  ) {}

  submit(item: I, key?: string): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let batch = this.queue[this.queue.length - 1];
      if (!batch || batch.entries.length >= this.maxBatch || (key !== undefined && batch.keys.has(key))) {
        batch = { entries: [], keys: new Set() };
        this.queue.push(batch);
      }
      batch.entries.push({ item, resolve, reject });
      if (key !== undefined) batch.keys.add(key);
      this.schedule();
    });
  }

  /** Resolves when everything submitted so far is written (or failed). */
  async flush(): Promise<void> {
    for (;;) {
      if (this.running) {
        await this.running;
        continue;
      }
      if (this.queue.length === 0) return;
      this.start();
    }
  }

  private schedule(): void {
    if (this.running || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.running) this.start();
    }, this.lingerMs);
  }

  private start(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.queue.shift();
    if (!batch) return;
    this.running = this.write(batch).finally(() => {
      this.running = undefined;
      if (this.queue.length > 0) this.start();
    });
  }

  private async write(batch: Batch<I, R>): Promise<void> {
    try {
      const results = await this.persist(batch.entries.map((e) => e.item));
      batch.entries.forEach((e, i) => e.resolve(results[i] as R));
    } catch (err) {
      for (const e of batch.entries) e.reject(err);
    }
  }
}
