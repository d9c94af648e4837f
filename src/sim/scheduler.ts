// One timer for every simulated station in a process. Heartbeats, meter samples, call
// time-outs and boot retries are entries in a binary heap, run by a single interval, so
// 5,000 stations cost 5,000 small objects rather than 5,000 Node timers. Tasks whose delay
// many others share (every call's time-out, every session's meter interval) go to a FIFO lane
// per delay instead: with a clock that does not go back, a lane is already in due order, so
// adding and running cost O(1) where the heap (120,000 pending time-outs at 4,000 calls/s)
// costs O(log n) comparisons each way (ADR 028).

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

/** At most this many lanes; further delays use the heap. */
const MAX_LANES = 16;

/** Entries that share one delay, in the order added (and so in due order). */
class Lane {
  entries: (Entry | undefined)[] = [];
  head = 0;

  get length(): number {
    return this.entries.length - this.head;
  }

  peek(): Entry | undefined {
    return this.entries[this.head];
  }

  shift(): void {
    this.entries[this.head++] = undefined;
    if (this.head === this.entries.length) {
      this.entries.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

export class Scheduler {
  readonly clock: Clock;
  private readonly heap: Entry[] = [];
  private readonly lanes = new Map<number, Lane>();
  private readonly laneList: Lane[] = [];
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

  /**
   * Like after(), for a delay many tasks share (a call time-out, a meter interval): the task
   * joins that delay's FIFO lane. Order is the same as after()'s: due time, then the order added.
   */
  afterFixed(delayMs: number, run: () => void): ScheduledTask {
    const delay = Math.max(0, delayMs);
    let lane = this.lanes.get(delay);
    if (!lane) {
      if (this.lanes.size >= MAX_LANES) return this.after(delay, run);
      lane = new Lane();
      this.lanes.set(delay, lane);
      this.laneList.push(lane);
    }
    const entry: Entry = { dueMs: this.clock.now() + delay, cancelled: false, seq: this.seq++, run };
    const last = lane.entries[lane.entries.length - 1];
    // The clock went back: this entry would be due before the lane's last one.
    if (last !== undefined && lane.length > 0 && entry.dueMs < last.dueMs) this.push(entry);
    else lane.entries.push(entry);
    return entry;
  }

  /** Number of entries still pending, cancelled ones included until they come due. */
  get size(): number {
    let n = this.heap.length;
    for (const lane of this.laneList) n += lane.length;
    return n;
  }

  /** Runs every task due by now, in due order; returns how many ran. */
  runDue(): number {
    const now = this.clock.now();
    let ran = 0;
    for (;;) {
      let top = this.heap[0];
      let from: Lane | null = null;
      for (let i = 0; i < this.laneList.length; i++) {
        const lane = this.laneList[i] as Lane;
        const head = lane.peek();
        if (head !== undefined && (top === undefined || this.less(head, top))) {
          top = head;
          from = lane;
        }
      }
      if (top === undefined || top.dueMs > now) break;
      if (from) from.shift();
      else this.pop();
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
