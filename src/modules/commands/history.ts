import type { Kysely } from 'kysely';
import type { CommandsTables } from './tables.js';
import type { CommandFilter, CommandRecord, NewCommandRecord } from './types.js';
import { summarizeRequest } from './request-summary.js';
import { mapPage } from '../../platform/list-sort.js';
import type { Page } from '../../platform/pagination.js';
import { COMMAND_SORT } from './command-sort.js';
import { deleteOlderInBatches } from '../../platform/batch-delete.js';

/** The per-station record of every CALL the CSMS sent and how the station answered. */
export class CommandHistory {
  constructor(private readonly db: Kysely<CommandsTables>) {}

  async record(entry: NewCommandRecord): Promise<void> {
    const status = entry.response?.['status'];
    const outcome = entry.error !== undefined ? 'Error' : typeof status === 'string' ? status : 'Answered';
    await this.db
      .insertInto('station_commands')
      .values({
        tenant_id: entry.tenantId,
        station_id: entry.stationId,
        action: entry.action,
        request: JSON.stringify(summarizeRequest(entry.request)),
        requested_by: entry.requestedBy,
        started_at: entry.startedAt,
        duration_ms: Math.max(0, Math.round(entry.durationMs)),
        outcome,
        error: entry.error ?? null,
        response: entry.response ? JSON.stringify(summarizeRequest(entry.response)) : null,
      })
      .execute();
  }

  /** One page in `sort` order (ADR 025); `before` is the older name of `cursor`. */
  async list(tenantId: string, stationId: string, filter: CommandFilter): Promise<Page<CommandRecord>> {
    const window = COMMAND_SORT.window({ limit: filter.limit, sort: filter.sort, cursor: filter.cursor, after: filter.before, afterName: 'before' });
    let query = this.db.selectFrom('station_commands').selectAll().where('tenant_id', '=', tenantId).where('station_id', '=', stationId);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    const rows = await window.apply(query).limit(window.limit + 1).execute();
    return mapPage(window.page(rows), (row) => ({
      id: String(row.id),
      stationId: row.station_id,
      action: row.action,
      request: row.request,
      requestedBy: row.requested_by,
      startedAt: new Date(row.started_at).toISOString(),
      durationMs: row.duration_ms,
      outcome: row.outcome,
      error: row.error,
      response: row.response,
    }));
  }

  /** Retention (ADR 030): removes commands started before the cut-off, `batchSize` rows per statement. */
  async prune(olderThan: Date, batchSize?: number): Promise<number> {
    return deleteOlderInBatches(this.db, 'station_commands', 'started_at', olderThan, batchSize);
  }
}
