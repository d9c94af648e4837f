import { createHash } from 'node:crypto';
import type { EventBus } from '../../platform/bus.js';
import type { Clock } from '../../platform/clock.js';
import { DomainError } from '../../platform/errors.js';
import type { IdSource } from '../../platform/ids.js';
import type { SignedLinks } from '../../platform/signed-links.js';
import type { PublicUrl, StationChannel } from '../firmware/index.js';
import type { LogStatusChanged, LogUploaded } from './events.js';
import { DiagnosticsStore, toRequestView } from './store.js';
import type { LogFileView, LogRequestView, RequestLogInput, UploadedLog } from './types.js';
import { toFileView } from './store.js';
import { mapPage, type ListWindowQuery } from '../../platform/list-sort.js';
import type { Page } from '../../platform/pagination.js';
import { LOG_REQUEST_SORT } from './log-request-sort.js';

export const LOG_LINK_PURPOSE = 'log-upload';
/** Where stations upload; outside /api so no API token is asked for. */
export const LOG_FILES_PREFIX = '/files/logs';

export interface DiagnosticsServiceDeps {
  store: DiagnosticsStore;
  bus: EventBus;
  clock: Clock;
  ids: IdSource;
  links: SignedLinks;
  channel: StationChannel;
  publicUrl: PublicUrl;
  /** How long an upload link stays valid (stretched by the retries asked for). */
  linkTtlMs: number;
}

/** GetDiagnostics (1.6 §5.9), GetLog (2.0.1 N01, 1.6 security), the statuses and the uploads. */
export class DiagnosticsService {
  constructor(private readonly deps: DiagnosticsServiceDeps) {}

  async requestLog(tenantId: string, stationId: string, input: RequestLogInput): Promise<LogRequestView> {
    const version = this.deps.channel.versionOf(tenantId, stationId);
    if (!version) throw new DomainError('StationOffline', `station ${stationId} is not connected`);
    const action = version === '1.6' && input.logType === 'DiagnosticsLog' && !input.useGetLog ? 'GetDiagnostics' : 'GetLog';
    const now = this.deps.clock.now();
    const requestId = await this.deps.store.insertRequest({
      tenant_id: tenantId,
      station_id: stationId,
      action,
      log_type: input.logType,
      status: 'Sending',
      file_name: null,
      created_at: now,
      updated_at: now,
    });
    const retryWindowMs = (input.retries ?? 0) * (input.retryIntervalS ?? 0) * 1000;
    const expiresMs = now.getTime() + this.deps.linkTtlMs + retryWindowMs;
    const location = this.deps.publicUrl(`${LOG_FILES_PREFIX}${this.deps.links.path({ purpose: LOG_LINK_PURPOSE, id: String(requestId), expiresMs })}`);
    const retry = {
      ...(input.retries !== undefined ? { retries: input.retries } : {}),
      ...(input.retryIntervalS !== undefined ? { retryInterval: input.retryIntervalS } : {}),
    };
    const payload =
      action === 'GetDiagnostics'
        ? {
            location,
            ...retry,
            ...(input.oldest ? { startTime: input.oldest.toISOString() } : {}),
            ...(input.latest ? { stopTime: input.latest.toISOString() } : {}),
          }
        : {
            logType: input.logType,
            requestId,
            ...retry,
            log: {
              remoteLocation: location,
              ...(input.oldest ? { oldestTimestamp: input.oldest.toISOString() } : {}),
              ...(input.latest ? { latestTimestamp: input.latest.toISOString() } : {}),
            },
          };
    let status: string;
    let fileName: string | null = null;
    try {
      const response = await this.deps.channel.send(tenantId, stationId, action, payload, { requestedBy: input.requestedBy });
      // GetDiagnostics.conf has only the file name (absent: nothing to upload); GetLog answers a status.
      status = typeof response['status'] === 'string' ? response['status'] : 'Accepted';
      const named = response['fileName'] ?? response['filename'];
      fileName = typeof named === 'string' ? named : null;
    } catch (err) {
      await this.deps.store.patchRequest(requestId, { status: err instanceof DomainError ? err.code : 'Error', updated_at: this.deps.clock.now() });
      throw err;
    }
    await this.deps.store.patchRequest(requestId, { status, file_name: fileName, updated_at: this.deps.clock.now() });
    const row = await this.deps.store.request(tenantId, stationId, requestId);
    if (!row) throw new DomainError('NotFound', `log request ${requestId} vanished`);
    return { ...toRequestView(row, []), uploadUrl: location };
  }

  /**
   * DiagnosticsStatusNotification (1.6, no requestId: the latest GetDiagnostics) and
   * LogStatusNotification (2.0.1 N01.FR.xx, 1.6 security): history kept, request moved on, event raised.
   */
  async recordStatus(tenantId: string, stationId: string, status: string, requestId: number | undefined, viaDiagnostics: boolean): Promise<void> {
    const at = this.deps.clock.now();
    const request =
      requestId !== undefined
        ? await this.deps.store.request(tenantId, stationId, requestId)
        : viaDiagnostics
          ? await this.deps.store.latestRequest(tenantId, stationId, 'GetDiagnostics')
          : undefined;
    await this.deps.store.insertStatusEvent({ tenant_id: tenantId, station_id: stationId, request_id: request?.id ?? requestId ?? null, status, at });
    if (request && status !== 'Idle') await this.deps.store.patchRequest(request.id, { status, updated_at: at });
    const event: LogStatusChanged = { type: 'LogStatusChanged', tenantId, occurredAt: at, payload: { stationId, requestId: request?.id ?? requestId ?? null, status } };
    this.deps.bus.publish(event);
  }

  /** A station's upload to its signed link: Forbidden when the link is bad or expired. */
  async receiveUpload(link: { id: string; expires: string; signature: string }, upload: UploadedLog): Promise<LogFileView> {
    const verdict = this.deps.links.check({ purpose: LOG_LINK_PURPOSE, ...link }, this.deps.clock.nowMs());
    if (verdict !== 'ok') throw new DomainError('Forbidden', verdict === 'expired' ? 'this upload link has expired' : 'this upload link is not valid');
    const request = await this.deps.store.requestById(Number(link.id));
    if (!request) throw new DomainError('NotFound', 'no such log request');
    if (upload.data.length === 0) throw new DomainError('InvalidInput', 'the uploaded file is empty', { field: 'body' });
    const at = this.deps.clock.now();
    const row = {
      id: this.deps.ids.uuid(),
      tenant_id: request.tenant_id,
      station_id: request.station_id,
      request_id: request.id,
      file_name: (upload.fileName ?? request.file_name ?? `${request.station_id}-${request.id}.log`).replace(/^.*[/\\]/, '').slice(0, 255),
      content_type: upload.contentType ?? 'application/octet-stream',
      size_bytes: upload.data.length,
      sha256: createHash('sha256').update(upload.data).digest('hex'),
      data: upload.data,
      uploaded_at: at,
    };
    await this.deps.store.insertFile(row);
    const event: LogUploaded = {
      type: 'LogUploaded',
      tenantId: request.tenant_id,
      occurredAt: at,
      payload: { stationId: request.station_id, requestId: request.id, fileId: row.id, fileName: row.file_name, sizeBytes: row.size_bytes, sha256: row.sha256 },
    };
    this.deps.bus.publish(event);
    return toFileView(row);
  }

  async list(tenantId: string, stationId: string, query: ListWindowQuery): Promise<Page<LogRequestView>> {
    const window = LOG_REQUEST_SORT.window(query);
    const page = window.page(await this.deps.store.requests(tenantId, stationId, window));
    const files = await this.deps.store.files(tenantId, page.items.map((r) => r.id));
    return mapPage(page, (r) => toRequestView(r, files));
  }

  async file(tenantId: string, fileId: string) {
    const file = await this.deps.store.file(tenantId, fileId);
    if (!file) throw new DomainError('NotFound', `log file ${fileId} not found`);
    return file;
  }
}
