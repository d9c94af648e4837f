import { GroupCommit } from './group-commit.js';
import type { NewSampleRow } from './store.js';

/**
 * Meter samples, written by group commit: a writer awaits the batch its rows are in before the
 * station is answered (persist before acknowledge), and a burst of thousands of MeterValues
 * becomes a handful of multi-row INSERTs.
 */
export class MeterSampleWriter {
  private readonly commits: GroupCommit<readonly NewSampleRow[], void>;

  constructor(persist: (rows: NewSampleRow[]) => Promise<void>, lingerMs: number) {
    this.commits = new GroupCommit<readonly NewSampleRow[], void>(async (writes) => {
      await persist(writes.flat());
      return writes.map((): void => undefined);
    }, lingerMs);
  }

  /** Resolves once these rows (and the session energy they change) are in the database. */
  write(rows: readonly NewSampleRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.commits.submit(rows);
  }

  /** Writes whatever is pending. */
  flush(): Promise<void> {
    return this.commits.flush();
  }
}
