import type { Kysely, Selectable } from 'kysely';
import type { DiagnosticsTables, LogFilesTable, LogRequestsTable } from './tables.js';
import type { LogFileView, LogRequestView } from './types.js';
import type { SortedWindow } from '../../platform/list-sort.js';

type FileMeta = Omit<Selectable<LogFilesTable>, 'data'>;
const FILE_META = ['id', 'tenant_id', 'station_id', 'request_id', 'file_name', 'content_type', 'size_bytes', 'sha256', 'uploaded_at'] as const;

/** The SQL of log requests, their status history and the uploaded files. */
export class DiagnosticsStore {
  constructor(private readonly db: Kysely<DiagnosticsTables>) {}

  async insertRequest(row: Omit<LogRequestsTable, 'id'>): Promise<number> {
    const { id } = await this.db.insertInto('log_requests').values(row).returning('id').executeTakeFirstOrThrow();
    return id;
  }

  async patchRequest(id: number, changes: Partial<Omit<LogRequestsTable, 'id'>>): Promise<void> {
    await this.db.updateTable('log_requests').set(changes).where('id', '=', id).execute();
  }

  async request(tenantId: string, stationId: string, id: number): Promise<Selectable<LogRequestsTable> | undefined> {
    return this.db.selectFrom('log_requests').selectAll().where('tenant_id', '=', tenantId).where('station_id', '=', stationId).where('id', '=', id).executeTakeFirst();
  }

  /** By id alone: the signed upload link already proves whose request it is. */
  async requestById(id: number): Promise<Selectable<LogRequestsTable> | undefined> {
    return this.db.selectFrom('log_requests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async latestRequest(tenantId: string, stationId: string, action: string): Promise<Selectable<LogRequestsTable> | undefined> {
    return this.db
      .selectFrom('log_requests')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('station_id', '=', stationId)
      .where('action', '=', action)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** In the window's order, `window.limit + 1` rows at most (the extra one tells that more exist). */
  async requests(tenantId: string, stationId: string, window: SortedWindow<Selectable<LogRequestsTable>>): Promise<Selectable<LogRequestsTable>[]> {
    const query = this.db.selectFrom('log_requests').selectAll().where('tenant_id', '=', tenantId).where('station_id', '=', stationId);
    return window.apply(query).limit(window.limit + 1).execute();
  }

  async insertStatusEvent(row: { tenant_id: string; station_id: string; request_id: number | null; status: string; at: Date }): Promise<void> {
    await this.db.insertInto('log_status_events').values(row).execute();
  }

  async insertFile(row: LogFilesTable): Promise<void> {
    await this.db.insertInto('log_files').values(row).execute();
  }

  async files(tenantId: string, requestIds: number[]): Promise<FileMeta[]> {
    if (requestIds.length === 0) return [];
    return this.db.selectFrom('log_files').select(FILE_META).where('tenant_id', '=', tenantId).where('request_id', 'in', requestIds).orderBy('uploaded_at').execute();
  }

  async file(tenantId: string, id: string): Promise<Selectable<LogFilesTable> | undefined> {
    return this.db.selectFrom('log_files').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  }
}

export function toFileView(row: FileMeta): LogFileView {
  return {
    id: row.id,
    requestId: row.request_id,
    fileName: row.file_name,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    uploadedAt: row.uploaded_at.toISOString(),
  };
}

export function toRequestView(row: Selectable<LogRequestsTable>, files: FileMeta[]): LogRequestView {
  return {
    requestId: row.id,
    stationId: row.station_id,
    action: row.action,
    logType: row.log_type,
    status: row.status,
    fileName: row.file_name,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    files: files.filter((f) => f.request_id === row.id).map(toFileView),
  };
}
