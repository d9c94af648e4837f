import type { Kysely } from 'kysely';
import { deleteOlderInBatches } from '../../platform/batch-delete.js';
import type { StationsTables } from './tables.js';

interface PendingFrame {
  tenant_id: string;
  station_id: string;
  at: Date;
  direction: string;
  frame: string;
}

const MAX_PENDING = 100_000;
const ROWS_PER_STATEMENT = 1000;

/**
 * Optional archive of every OCPP frame (`serve --persist-frames`). Recording only appends to an
 * in-memory list; a timer writes batches. If the database falls behind, the oldest unsaved frames
 * are dropped and counted: the archive must never slow or stop the message path.
 */
export class FrameArchive {
  private pending: PendingFrame[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  dropped = 0;

  constructor(
    private readonly db: Kysely<StationsTables>,
    private readonly flushIntervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  record(tenantId: string, stationId: string, direction: 'in' | 'out', frame: string, atMs: number): void {
    if (this.pending.length >= MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
    this.pending.push({ tenant_id: tenantId, station_id: stationId, at: new Date(atMs), direction, frame });
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush().catch(this.onError);
      }, this.flushIntervalMs);
      this.timer.unref();
    }
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.writing = (async () => {
      for (let i = 0; i < batch.length; i += ROWS_PER_STATEMENT) {
        await this.db.insertInto('station_frames').values(batch.slice(i, i + ROWS_PER_STATEMENT)).execute();
      }
    })().finally(() => {
      this.writing = undefined;
    });
    await this.writing;
  }

  async list(tenantId: string, stationId: string, options: { limit: number; before?: Date | undefined }) {
    await this.flush();
    let query = this.db
      .selectFrom('station_frames')
      .select(['id', 'at', 'direction', 'frame'])
      .where('tenant_id', '=', tenantId)
      .where('station_id', '=', stationId);
    if (options.before) query = query.where('at', '<', options.before);
    const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
    return rows.reverse().map((r) => ({ at: r.at.toISOString(), direction: r.direction as 'in' | 'out', frame: r.frame }));
  }

  /** Retention (ADR 030): removes frames older than the cut-off, `batchSize` rows per statement. */
  async prune(olderThan: Date, batchSize?: number): Promise<number> {
    return deleteOlderInBatches(this.db, 'station_frames', 'at', olderThan, batchSize);
  }
}
