import type { Kysely } from 'kysely';
import type { CommandsTables } from './tables.js';
import type { CommandFilter, CommandRecord, NewCommandRecord } from './types.js';
import { summarizeRequest } from './request-summary.js';

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

  async list(tenantId: string, stationId: string, filter: CommandFilter): Promise<CommandRecord[]> {
    let query = this.db.selectFrom('station_commands').selectAll().where('tenant_id', '=', tenantId).where('station_id', '=', stationId);
    if (filter.before !== undefined) query = query.where('id', '<', filter.before);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    const rows = await query.orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map((row) => ({
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
}
