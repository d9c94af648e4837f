import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { PeriodicTask } from '../platform/periodic-task.js';

const DAY_MS = 86_400_000;

/** One table kept for a number of days; `prune` deletes in bounded batches (ADR 030). */
export interface RetentionTarget {
  /** Name in logs and in sweepOnce()'s result. */
  name: string;
  /** 0 keeps everything. */
  days: number;
  prune(olderThan: Date): Promise<number>;
}

export interface RetentionSweepOptions {
  targets: RetentionTarget[];
  clock: Clock;
  logger: Logger;
  /** Delay of the first sweep after start; later sweeps every `intervalMs`. */
  firstDelayMs?: number;
  intervalMs?: number;
}

/**
 * Removes rows older than each target's retention, once shortly after start and then hourly, so
 * the frame archive and command history do not grow without bound. A failed sweep is logged and
 * tried again at the next interval; it never stops the process.
 */
export class RetentionSweep {
  private readonly task: PeriodicTask<Record<string, number>>;

  constructor(private readonly options: RetentionSweepOptions) {
    this.task = new PeriodicTask({
      run: () => this.sweep(),
      firstDelayMs: options.firstDelayMs ?? 60_000,
      intervalMs: options.intervalMs ?? 3_600_000,
      onError: (err) => options.logger.error({ err }, 'retention sweep failed'),
    });
  }

  start(): void {
    if (this.options.targets.every((t) => t.days === 0)) return;
    this.task.start();
  }

  /** Stops the timer and waits for a sweep in progress, so the database can close after it. */
  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One sweep over every target; rows removed per target. Tests call it directly. */
  sweepOnce(): Promise<Record<string, number>> {
    return this.task.runOnce();
  }

  private async sweep(): Promise<Record<string, number>> {
    const removed: Record<string, number> = {};
    const now = this.options.clock.now();
    for (const target of this.options.targets) {
      if (target.days === 0) continue;
      const olderThan = new Date(now.getTime() - target.days * DAY_MS);
      try {
        removed[target.name] = await target.prune(olderThan);
        // Quiet when there was nothing to remove: an hourly line per table would only be noise.
        const level = removed[target.name] ? 'info' : 'debug';
        this.options.logger[level]({ table: target.name, removed: removed[target.name], olderThan: olderThan.toISOString() }, 'retention sweep removed old rows');
      } catch (err) {
        // One table failing (a lock timeout, a lost connection) must not keep the other from its sweep.
        this.options.logger.error({ err, table: target.name }, 'retention sweep failed; trying again at the next interval');
      }
    }
    return removed;
  }
}
