/**
 * A job the server runs now and then (retention sweep, embedded vacuum): the first run after
 * `firstDelayMs`, the next `intervalMs` after each run ends, never two at once. A failed run is
 * reported and tried again at the next interval; it never stops the process. The timer does not
 * keep the process alive, and `stop()` waits for a run in progress, so the database can close after it.
 */
export interface PeriodicTaskOptions<R> {
  run: () => Promise<R>;
  firstDelayMs: number;
  intervalMs: number;
  onError: (err: unknown) => void;
}

export class PeriodicTask<R> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<R> | undefined;
  private stopping = false;

  constructor(private readonly options: PeriodicTaskOptions<R>) {}

  start(): void {
    this.schedule(this.options.firstDelayMs);
  }

  /** True once stop() was called: a long run may end early between its steps. */
  get stopped(): boolean {
    return this.stopping;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One run now (of `run`, or the task's own), after any run in progress. Tests call it directly. */
  async runOnce(run: () => Promise<R> = this.options.run): Promise<R> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = run();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      void this.runOnce()
        .catch(this.options.onError)
        .finally(() => this.schedule(this.options.intervalMs));
    }, delayMs);
    this.timer.unref();
  }
}
