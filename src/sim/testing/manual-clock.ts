import { Scheduler, type Clock } from '../scheduler.js';

/** A clock that moves only when told, with a scheduler that runs only when told. */
export class ManualClock implements Clock {
  readonly scheduler: Scheduler;

  constructor(private t = Date.parse('2025-01-01T00:00:00Z')) {
    this.scheduler = new Scheduler({ clock: this, autoStart: false });
  }

  now(): number {
    return this.t;
  }

  /** Moves time forward and runs what came due. */
  advance(ms: number): void {
    this.t += ms;
    this.scheduler.runDue();
  }
}
