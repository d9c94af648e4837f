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
    /** Shared by group commits whose batches queue for one database: a batch is taken from the queue only once the gate lets it through, and fills meanwhile. */
    private readonly gate?: WriteGate,
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
    if (this.queue.length === 0) return;
    this.running = this.writeNext().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0) this.start();
    });
  }

  private async writeNext(): Promise<void> {
    const release = this.gate ? await this.gate.acquire() : undefined;
    try {
      const batch = this.queue.shift();
      if (batch) await this.write(batch);
    } finally {
      release?.();
    }
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

/**
 * At most `width` batches out to the database at once, across the group commits that share it;
 * the others wait their turn, first come first served, their batches filling as they wait.
 */
export class WriteGate {
  private out = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly width: number) {}

  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = (): void => {
        this.out += 1;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.out -= 1;
          this.waiting.shift()?.();
        });
      };
      if (this.out < this.width) grant();
      else this.waiting.push(grant);
    });
  }
}
