import { GroupCommit, type WriteGate } from './group-commit.js';
import type { NewSampleRow } from './session-rows.js';
import type { OutboxEvent } from './outbox.js';

interface SampleWrite {
  rows: readonly NewSampleRow[];
  events: readonly OutboxEvent[];
}

/**
 * Meter samples, written by group commit: a writer awaits the batch its rows are in before the
 * station is answered (persist before acknowledge), and a burst of thousands of MeterValues
 * becomes a handful of multi-row INSERTs. Events that come with rows (MeterSampled) are written
 * in the same batch, for the outbox to stage with them (ADR 008).
 */
export class MeterSampleWriter {
  private readonly commits: GroupCommit<SampleWrite, void>;

  constructor(persist: (rows: NewSampleRow[], events: OutboxEvent[]) => Promise<void>, lingerMs: number, gate?: WriteGate) {
    this.commits = new GroupCommit<SampleWrite, void>(async (writes) => {
      await persist(
        writes.flatMap((w) => w.rows),
        writes.flatMap((w) => w.events),
      );
      return writes.map((): void => undefined);
    }, lingerMs, undefined, gate);
  }

  /** Resolves once these rows (and the session energy they change, and their events) are in the database. */
  write(rows: readonly NewSampleRow[], events: readonly OutboxEvent[] = []): Promise<void> {
    if (rows.length === 0 && events.length === 0) return Promise.resolve();
    return this.commits.submit({ rows, events });
  }

  /** Writes whatever is pending. */
  flush(): Promise<void> {
    return this.commits.flush();
  }
}
