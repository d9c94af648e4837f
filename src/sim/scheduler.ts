// One timer for every simulated station in a process. Heartbeats, meter samples, call
// time-outs and boot retries are entries in a binary heap, run by a single interval, so
// 5,000 stations cost 5,000 small objects rather than 5,000 Node timers.

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ScheduledTask {
  readonly dueMs: number;
  cancelled: boolean;
}

interface Entry extends ScheduledTask {
  readonly seq: number;
  readonly run: () => void;
}

export interface SchedulerOptions {
  clock?: Clock;
  /** How often due tasks are looked for. Default 50 ms. */
  tickMs?: number;
  /** Start the interval at once. Default true; tests drive `runDue()` by hand instead. */
  autoStart?: boolean;
  /** Reports an exception a task threw; the scheduler carries on. */
  onTaskError?: (error: unknown) => void;
}

export class Scheduler {
  readonly clock: Clock;
  private readonly heap: Entry[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly tickMs: number;
  private readonly onTaskError: (error: unknown) => void;

  constructor(options: SchedulerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.tickMs = options.tickMs ?? 50;
    this.onTaskError = options.onTaskError ?? ((error) => console.error('sim scheduler: task failed', error));
    if (options.autoStart ?? true) this.start();
  }

  now(): number {
    return this.clock.now();
  }

  after(delayMs: number, run: () => void): ScheduledTask {
    return this.at(this.clock.now() + Math.max(0, delayMs), run);
  }

  at(dueMs: number, run: () => void): ScheduledTask {
    const entry: Entry = { dueMs, cancelled: false, seq: this.seq++, run };
    this.push(entry);
    return entry;
  }

  /** Number of entries still in the heap, cancelled ones included until they come due. */
  get size(): number {
    return this.heap.length;
  }

  /** Runs every task due by now, in due order; returns how many ran. */
  runDue(): number {
    const now = this.clock.now();
    let ran = 0;
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.dueMs > now) break;
      this.pop();
      if (top.cancelled) continue;
      top.cancelled = true;
      ran += 1;
      try {
        top.run();
      } catch (error) {
        this.onTaskError(error);
      }
    }
    return ran;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.runDue(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Entry;
      if (!this.less(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let child = l;
      if (r < n && this.less(heap[r] as Entry, heap[l] as Entry)) child = r;
      const c = heap[child] as Entry;
      if (!this.less(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}

export function cancelTask(task: ScheduledTask | null): null {
  if (task) task.cancelled = true;
  return null;
}

let processScheduler: Scheduler | null = null;

/** The scheduler stations share when none is passed in. */
export function defaultScheduler(): Scheduler {
  processScheduler ??= new Scheduler();
  return processScheduler;
}
