// A simulated charging station over a real WebSocket: connection, boot, heartbeats, answers to
// CSMS calls and charging sessions. Its outbound CALLs, one in flight at a time, are queued in
// outbound-calls.ts. Version behaviour lives in v16.ts / v201.ts; timers live in one shared
// Scheduler so that thousands of stations fit in one process.
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import {
  CallErrorReceived,
  decodeFrame,
  encodeError,
  encodeResult,
  FrameDecodeError,
  getNumber,
  getString,
  RpcError,
  SUBPROTOCOL,
  type CallFrame,
  type OcppVersion,
  type Payload,
} from './frames.js';
import { cancelTask, defaultScheduler, type ScheduledTask, type Scheduler } from './scheduler.js';
import { schemasFor, type SchemaSet } from './schemas.js';
import { isoTimestamp } from './timestamp.js';
import { releaseConnector, SessionError } from './session.js';
import type {
  BootReason,
  CallOptions,
  ConnectorState,
  Dialect,
  FailureKind,
  RegistrationStatus,
  SessionInfo,
  SessionRequest,
  SessionSummary,
  StationContext,
  StopReason,
} from './types.js';
import { v16 } from './v16.js';
import { v201 } from './v201.js';
import { OutboundCalls } from './outbound-calls.js';

export type { FailureKind, RegistrationStatus, SessionInfo, SessionRequest, SessionSummary, StopReason } from './types.js';
import {
  CallTimeout,
  DEFLATE_OFFER,
  PERMESSAGE_DEFLATE,
  StationOffline,
  type LargeFrameOutcome,
  type StationEvents,
  type StationObserver,
  type StationOptions,
} from './station-options.js';
export {
  CallTimeout,
  DEFLATE_OFFER,
  PERMESSAGE_DEFLATE,
  StationOffline,
  type LargeFrameOutcome,
  type StationEvents,
  type StationObserver,
  type StationOptions,
} from './station-options.js';

const DIALECTS: Record<OcppVersion, Dialect> = { '1.6': v16, '2.0.1': v201 };

const DEFAULT_CALL_TIMEOUT_MS = 30_000;
const DEFAULT_HEARTBEAT_S = 300;
/** Wait before retrying a boot the CSMS answered with interval 0 or did not answer (B02.FR.07). */
const DEFAULT_BOOT_RETRY_S = 30;
const REBOOT_DELAY_MS = 200;
const CLOSE_GRACE_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 60_000;
export class Station extends EventEmitter<StationEvents> implements StationContext {
  readonly stationId: string;
  readonly version: OcppVersion;
  readonly vendor: string;
  readonly model: string;
  readonly firmware: string;
  readonly connectors: ConnectorState[];
  readonly scheduler: Scheduler;
  registration: RegistrationStatus = 'None';
  heartbeatIntervalS = 0;
  bootReason: BootReason = 'PowerUp';
  meterIntervalS: number;
  /** Booted (Accepted) and every connector reported since the last connect. */
  ready = false;

  private readonly options: StationOptions;
  private readonly dialect: Dialect;
  private readonly schemas: SchemaSet | null;
  private readonly observer: StationObserver | undefined;
  private ws: WebSocket | null = null;
  private generation = 0;
  private readonly calls: OutboundCalls;
  /** Set when the socket opens: stats() asks every station several times a second. */
  private deflateOnOpen = false;
  /** Heartbeat, boot retry, close grace or reconnect: never more than one at a time. */
  private task: ScheduledTask | null = null;
  private booting = false;
  private wanted = false;
  private rebootPending = false;
  private reconnectAttempts = 0;
  private settings: Map<string, string> | null = null;

  constructor(options: StationOptions) {
    super();
    this.options = options;
    this.stationId = options.stationId;
    this.version = options.ocppVersion;
    this.vendor = options.vendor ?? 'Ampline';
    this.model = options.model ?? 'Simulator';
    this.firmware = options.firmware ?? '1.0.0';
    this.meterIntervalS = options.meterIntervalS ?? 60;
    this.scheduler = options.scheduler ?? defaultScheduler();
    this.observer = options.observer;
    this.dialect = DIALECTS[options.ocppVersion];
    this.schemas = options.validateInbound === false ? null : schemasFor(options.ocppVersion);
    // 2.0.1 part 4 §4.1.3: message ids unique per connection and across reconnects.
    this.calls = new OutboundCalls(
      {
        stationId: this.stationId,
        scheduler: this.scheduler,
        socket: () => this.ws,
        accepted: () => this.registration === 'Accepted',
        report: (kind, error) => this.report(kind, error),
      },
      `${randomUUID().slice(0, 8)}-`,
      options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      this.schemas,
      this.observer,
    );
    const count = options.connectors ?? 2;
    this.connectors = Array.from({ length: count }, (_, i) => ({
      id: i + 1,
      operative: true,
      pendingInoperative: false,
      registerWh: 0,
      session: null,
    }));
  }

  /** A connection is open or being opened. */
  get connected(): boolean {
    return this.ws !== null;
  }

  get isOpen(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** The open connection negotiated permessage-deflate. */
  get deflateNegotiated(): boolean {
    const ws = this.ws;
    return this.deflateOnOpen && ws !== null && ws.readyState === WebSocket.OPEN;
  }

  get endpoint(): string {
    return `${this.options.url.replace(/\/+$/, '')}/${encodeURIComponent(this.stationId)}`;
  }

  /** Opens the WebSocket and starts the boot sequence; resolves when the socket is open. */
  connect(): Promise<void> {
    if (this.ws) return Promise.reject(new Error(`${this.stationId}: already connected`));
    this.wanted = true;
    this.task = cancelTask(this.task);
    const headers: Record<string, string> = {};
    if (this.options.password !== undefined) {
      const credentials = Buffer.from(`${this.stationId}:${this.options.password}`).toString('base64');
      headers.authorization = `Basic ${credentials}`;
    }
    const ws = new WebSocket(this.endpoint, [SUBPROTOCOL[this.version]], {
      perMessageDeflate: this.options.deflate ? { ...DEFLATE_OFFER } : false,
      handshakeTimeout: this.options.handshakeTimeoutMs ?? 30_000,
      headers,
      ...(this.options.localAddress ? { localAddress: this.options.localAddress } : {}),
    });
    this.ws = ws;
    const generation = ++this.generation;
    const startedAtMs = performance.now();
    return new Promise<void>((resolve, reject) => {
      let opened = false;
      ws.on('open', () => {
        opened = true;
        this.deflateOnOpen = ws.extensions.split(/[\s,;]+/).includes(PERMESSAGE_DEFLATE);
        this.observer?.handshake?.(performance.now() - startedAtMs);
        this.reconnectAttempts = 0;
        this.rebootPending = false;
        this.emit('open');
        resolve();
        this.boot();
      });
      ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
      ws.on('error', (error) => {
        if (!opened) reject(error);
        this.report(opened ? 'protocol' : 'connect', error);
      });
      ws.on('close', (code, reason) => {
        if (!opened) reject(new StationOffline(this.stationId, `connection closed before open (${code})`));
        this.onClose(ws, generation, opened, code, reason.toString());
      });
    });
  }

  /** Drops the connection at once (no close handshake), as a network failure would. */
  async disconnect(): Promise<void> {
    this.wanted = false;
    this.task = cancelTask(this.task);
    const ws = this.ws;
    if (!ws) return;
    const closed = once(this, 'closed');
    ws.terminate();
    await closed;
  }

  /** Connects again after disconnect(), booting as after a power cycle. */
  reconnect(): Promise<void> {
    return this.connect();
  }

  /** Closes the connection for good: queued calls fail, running sessions are abandoned. */
  async close(): Promise<void> {
    this.wanted = false;
    this.task = cancelTask(this.task);
    for (const connector of this.connectors) if (connector.session) releaseConnector(this, connector.session);
    this.calls.failQueued(new StationOffline(this.stationId, 'station closed'));
    const ws = this.ws;
    if (!ws) return;
    const closed = once(this, 'closed');
    ws.close(1000, 'station shutting down');
    const grace = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    grace.unref();
    await closed;
    clearTimeout(grace);
  }

  /** Plugs in and authorizes locally: Authorize, transaction start, then meter samples. */
  startSession(request: SessionRequest): Promise<SessionInfo> {
    if (!this.ws) return Promise.reject(new StationOffline(this.stationId, 'cannot start a session while offline'));
    return this.dialect.startSession(this, request, false);
  }

  /** Ends the session on a connector (default reason Local: the driver stops it). */
  stopSession(request: { connectorId: number; reason?: StopReason }): Promise<void> {
    return this.dialect.stopSession(this, request.connectorId, request.reason ?? 'Local');
  }

  /**
   * Sends one DataTransfer whose `data` is `bytes` characters of base64 (pseudo-random, so it
   * compresses like real data rather than to nothing): a frame over the 1 KiB deflate threshold,
   * to exercise the peers' zlib paths. Any answer counts; a CSMS that knows no DataTransfer
   * answers with a CALLERROR (NotSupported / NotImplemented), which is fine.
   */
  async sendLargeFrame(bytes = 2048): Promise<LargeFrameOutcome> {
    const payload = { vendorId: 'org.ampline.sim', messageId: 'LargeFrame', data: paddingText(bytes, () => this.random()) };
    try {
      await this.call('DataTransfer', payload);
      return 'result';
    } catch (error) {
      if (error instanceof CallErrorReceived) return 'callerror';
      throw error;
    }
  }

  sessions(): SessionInfo[] {
    const list: SessionInfo[] = [];
    for (const c of this.connectors) {
      const s = c.session;
      if (s && s.transactionId !== null) list.push({ connectorId: c.id, idTag: s.idTag, transactionId: s.transactionId });
    }
    return list;
  }

  // ---- StationContext -------------------------------------------------------------------

  call(action: string, payload: Payload, options: CallOptions = {}): Promise<Payload> {
    if (!this.wanted) return Promise.reject(new StationOffline(this.stationId, `${action}: station is not connected`));
    return this.calls.enqueue(action, payload, options);
  }

  connector(id: number): ConnectorState | undefined {
    return Number.isInteger(id) && id >= 1 ? this.connectors[id - 1] : undefined;
  }

  setting(key: string): string | undefined {
    return this.settings?.get(key);
  }

  setSetting(key: string, value: string): void {
    (this.settings ??= new Map()).set(key, value);
  }

  setHeartbeatInterval(seconds: number): void {
    this.heartbeatIntervalS = seconds;
    if (this.registration === 'Accepted') this.scheduleHeartbeat();
  }

  sendBoot(): void {
    this.boot();
  }

  sendHeartbeat(): void {
    this.call('Heartbeat', {}, { beforeAccepted: true }).catch((error: unknown) => this.report('call', error));
  }

  reboot(): void {
    const ws = this.ws;
    if (!ws) return;
    this.rebootPending = true;
    this.task = cancelTask(this.task);
    ws.close(1000, 'reset');
    this.task = this.scheduler.after(CLOSE_GRACE_MS, () => ws.terminate());
  }

  random(): number {
    return (this.options.random ?? Math.random)();
  }

  nowIso(): string {
    return isoTimestamp(this.scheduler.now());
  }

  report(kind: FailureKind, error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.observer?.failure?.(this.stationId, kind, err);
    if (this.listenerCount('failure') > 0) this.emit('failure', err, kind);
  }

  sessionStarted(info: SessionInfo): void {
    this.observer?.sessionStarted?.(this.stationId, info);
    this.emit('session-started', info);
  }

  sessionEnded(summary: SessionSummary): void {
    this.observer?.sessionEnded?.(this.stationId, summary);
    this.emit('session-ended', summary);
  }

  // ---- boot and heartbeat ---------------------------------------------------------------

  private boot(): void {
    if (this.booting || !this.ws) return;
    this.booting = true;
    this.task = cancelTask(this.task);
    const generation = this.generation;
    this.call('BootNotification', this.dialect.bootPayload(this), { beforeAccepted: true, priority: true }).then(
      (response) => {
        this.booting = false;
        if (generation === this.generation) this.onBootResponse(response);
      },
      (error: unknown) => {
        this.booting = false;
        this.report('boot', error);
        if (generation === this.generation && this.isOpen) {
          this.task = this.scheduler.after(DEFAULT_BOOT_RETRY_S * 1000, () => this.boot());
        }
      },
    );
  }

  private onBootResponse(response: Payload): void {
    const status = getString(response, 'status');
    const intervalS = getNumber(response, 'interval') ?? 0;
    if (status !== 'Accepted' && status !== 'Pending' && status !== 'Rejected') {
      this.report('boot', new Error(`${this.stationId}: BootNotification answered with status ${String(status)}`));
      return;
    }
    const wasAccepted = this.registration === 'Accepted';
    this.registration = status;
    this.observer?.registered?.(this.stationId, status);
    this.emit('booted', status, intervalS);
    if (status !== 'Accepted') {
      // B02.FR.07/08, B03.FR.05/06; 1.6 §4.2: retry after the interval.
      const waitS = intervalS > 0 ? intervalS : DEFAULT_BOOT_RETRY_S;
      this.task = this.scheduler.after(waitS * 1000, () => this.boot());
      return;
    }
    this.bootReason = 'PowerUp';
    this.heartbeatIntervalS = intervalS > 0 ? intervalS : this.heartbeatIntervalS || DEFAULT_HEARTBEAT_S;
    this.scheduleHeartbeat();
    if (!wasAccepted) {
      const generation = this.generation;
      this.dialect.announceConnectors(this).then(
        () => {
          if (generation !== this.generation || this.registration !== 'Accepted') return;
          this.ready = true;
          this.observer?.ready?.(this.stationId);
          this.emit('ready');
        },
        (error: unknown) => this.report('boot', error),
      );
    }
    this.calls.pump();
  }

  private scheduleHeartbeat(): void {
    this.task = cancelTask(this.task);
    if (this.heartbeatIntervalS <= 0) return;
    this.task = this.scheduler.afterFixed(this.heartbeatIntervalS * 1000, () => {
      this.task = null;
      if (this.registration !== 'Accepted' || !this.isOpen) return;
      this.sendHeartbeat();
      this.scheduleHeartbeat();
    });
  }

  // ---- inbound frames -------------------------------------------------------------------

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    let frame;
    try {
      if (isBinary) throw new FrameDecodeError('binary frame', null);
      frame = decodeFrame(rawText(data));
    } catch (error) {
      this.report('protocol', error);
      if (error instanceof FrameDecodeError && this.version === '2.0.1') {
        this.sendRaw(encodeError(error.messageId ?? '-1', 'RpcFrameworkError', error.message));
      }
      return;
    }
    if (frame.kind === 'call') this.onCall(frame);
    else this.calls.onResponse(frame);
  }

  private onCall(frame: CallFrame): void {
    if (this.registration === 'Rejected') {
      // 1.6 §4.2: a rejected charge point does not answer; 2.0.1 B03.FR.08: SecurityError.
      if (this.version === '2.0.1') {
        this.sendRaw(encodeError(frame.id, 'SecurityError', 'not accepted by the CSMS'));
      }
      return;
    }
    let response: Payload | RpcError;
    let after: (() => void) | undefined;
    try {
      const handler = this.dialect.handlers[frame.action];
      if (!handler) throw new RpcError('NotImplemented', `${frame.action} is not implemented by this simulator`);
      const violation = this.schemas?.check(frame.action, 'req', frame.payload) ?? null;
      if (violation) throw new RpcError(violation.code, violation.message);
      const outcome = handler(this, frame.payload);
      response = outcome.payload;
      after = outcome.after;
    } catch (error) {
      response = error instanceof RpcError ? error : new RpcError('InternalError', String(error));
      if (!(error instanceof RpcError)) this.report('protocol', error);
    }
    this.sendRaw(
      response instanceof RpcError
        ? encodeError(frame.id, response.code, response.message)
        : encodeResult(frame.id, response),
    );
    this.emit('call', frame.action, frame.payload, response);
    after?.();
  }

  private sendRaw(text: string): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  // ---- close and reconnect --------------------------------------------------------------

  private onClose(ws: WebSocket, generation: number, opened: boolean, code: number, reason: string): void {
    if (this.ws !== ws) return;
    this.ws = null;
    this.generation = generation + 1;
    this.registration = 'None';
    this.ready = false;
    this.booting = false;
    this.task = cancelTask(this.task);
    this.deflateOnOpen = false;
    this.calls.connectionClosed((action) => new StationOffline(this.stationId, `connection closed during ${action}`));
    if (!this.wanted) this.calls.failQueued(new StationOffline(this.stationId, 'disconnected'));
    if (opened) this.observer?.closed?.(this.stationId, !this.wanted || this.rebootPending);
    this.emit('closed', code, reason);
    const autoReconnect = this.options.reconnectDelayMs !== undefined;
    if (this.wanted && (this.rebootPending || autoReconnect)) {
      const base = this.rebootPending && this.reconnectAttempts === 0 ? REBOOT_DELAY_MS : (this.options.reconnectDelayMs ?? 1_000);
      const delayMs = Math.min(MAX_RECONNECT_DELAY_MS, base * 2 ** this.reconnectAttempts) * (0.75 + this.random() / 2);
      this.reconnectAttempts += 1;
      this.task = this.scheduler.after(delayMs, () => {
        this.task = null;
        this.connect().catch(() => undefined); // the failure was reported; onClose schedules the next try
      });
    }
  }
}

/** `length` characters of base64 from `random` (deterministic for a seeded random). */
export function paddingText(length: number, random: () => number = Math.random): string {
  const bytes = Buffer.alloc(Math.ceil((length * 3) / 4) + 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes.toString('base64').slice(0, length);
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

export { SessionError };
