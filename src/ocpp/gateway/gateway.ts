import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import { DomainError } from '../../platform/errors.js';
import type { StationCredentials } from '../../modules/stations/index.js';
import { RemoteCallError, RpcError } from '../rpc/error-codes.js';
import type { Payload } from '../rpc/frames.js';
import { ReplyCache } from '../rpc/reply-cache.js';
import { ConnectionClosedError, InvalidReplyError, RpcConnection, StationTimeoutError, type InboundCall } from '../rpc/rpc-connection.js';
import { validatorFor } from '../rpc/schema-validator.js';
import { isCsmsInitiated } from '../rpc/csms-actions.js';
import { SUPPORTED_SUBPROTOCOLS, versionLabel, type OcppVersion } from '../rpc/versions.js';
import { parseBasicAuth, StationPasswordVerifier } from './basic-auth.js';
import { checkStationCertificate } from './tls-identity.js';
import { FrameRing, type LoggedFrame } from './frame-log.js';
import { actionsRequestedBy, checkAllowedBeforeAcceptance } from './pending-gate.js';
import { StationLink, type LinkContext } from './station-link.js';
import { releaseIdleDeflate, releaseIdleInflate } from './zlib-release.js';
import type { CallOptions } from '../../platform/requester.js';

/** The gateway's view of the station registry: who may connect, and where connections are reported. */
export interface StationDirectory {
  credentials(stationId: string): Promise<StationCredentials | undefined>;
  /** Only called with --auto-register. */
  autoRegister(stationId: string): Promise<StationCredentials>;
  checkId(stationId: string): string | undefined;
  connected(link: LinkContext, remoteAddress: string | undefined): Promise<void>;
  disconnected(link: LinkContext, reason: string): Promise<void>;
  /** eventType: the security event to record, AuthenticationFailed unless given. */
  authenticationFailed(credentials: StationCredentials, reason: string, eventType?: string): Promise<void>;
  /** A station with an A05 upgrade in flight connected on the new profile. */
  securityProfileUpgraded?(credentials: StationCredentials, profile: 2 | 3): Promise<void>;
  /** A station logged in with the password a rotation sent it (A01): it has switched. */
  pendingPasswordUsed?(credentials: StationCredentials): Promise<void>;
  /** A sign of life; called at most once a minute per station. */
  seen(link: LinkContext, at: Date): void;
}

const SEEN_EVERY_MS = 60_000;

interface Refusal {
  reason: string;
  eventType?: string;
}

/**
 * The seam between the gateway (sockets, framing, auth, validation) and the core (handlers and
 * domain). Today a function call; when gateway workers split out, the same call crosses IPC.
 */
export type InboundDispatcher = (link: LinkContext, call: InboundCall) => Promise<Payload>;

export interface GatewayOptions {
  directory: StationDirectory;
  dispatch: InboundDispatcher;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  autoRegister: boolean;
  callTimeoutMs: number;
  pingIntervalMs: number;
  frameLogSize: number;
  compression: boolean;
  maxPayloadBytes?: number;
  /** Every frame, both directions, for an optional archive; must return at once. */
  onFrame?: (link: LinkContext, direction: 'in' | 'out', text: string, atMs: number) => void;
}

interface StationMemory {
  replies: ReplyCache;
  frames: FrameRing;
}

const protocolFor = new WeakMap<IncomingMessage, OcppVersion>();

export class OcppGateway {
  private readonly wss: WebSocketServer;
  private readonly links = new Map<string, StationLink>();
  /** Per station across reconnects: reply cache (2.0.1 ids are unique per identity) and frames. */
  private readonly memory = new Map<string, StationMemory>();
  private readonly passwords = new StationPasswordVerifier();
  private readonly keepAlive: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly options: GatewayOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayloadBytes ?? 1024 * 1024,
      handleProtocols: (_protocols, req) => protocolFor.get(req) ?? false,
      // OCPP-J 2.0.1 part 4 §3.3: the CSMS must support compression. No context takeover and a
      // threshold keep an idle connection free of zlib state for the small frames OCPP sends.
      perMessageDeflate: options.compression
        ? {
            threshold: 1024,
            serverNoContextTakeover: true,
            clientNoContextTakeover: true,
            concurrencyLimit: 4,
            zlibDeflateOptions: { memLevel: 4 },
          }
        : false,
    });
    if (options.pingIntervalMs > 0) {
      this.keepAlive = setInterval(() => this.sweep(), options.pingIntervalMs);
      this.keepAlive.unref();
    }
  }

  attach(server: HttpServer): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      this.handleUpgrade(req, socket, head).catch((err: unknown) => {
        this.options.logger.error({ err, url: req.url }, 'websocket upgrade failed');
        reject(socket, 500, 'Internal Server Error');
      });
    });
  }

  get connectedCount(): number {
    return this.links.size;
  }

  isConnected(stationId: string): boolean {
    return this.links.has(stationId);
  }

  /** The OCPP version a connected station speaks, for mapping version-free commands. */
  versionOf(tenantId: string, stationId: string): OcppVersion | undefined {
    const link = this.links.get(stationId);
    return link && link.tenantId === tenantId ? link.version : undefined;
  }

  frames(stationId: string): LoggedFrame[] {
    return this.memory.get(stationId)?.frames.list() ?? [];
  }

  /**
   * Sends a CSMS-initiated CALL and resolves with the station's validated answer. Errors are
   * domain errors: StationOffline, StationTimeout, InvalidInput or StationCallError. The command
   * history records `call.requestedBy` as who asked (see recorded-send.ts).
   */
  async send(tenantId: string, stationId: string, action: string, payload: Payload, call: CallOptions): Promise<Payload> {
    const timeoutMs = call.timeoutMs;
    const link = this.links.get(stationId);
    if (!link || link.tenantId !== tenantId) throw new DomainError('StationOffline', `station ${stationId} is not connected`);
    if (!isCsmsInitiated(link.version, action)) {
      throw new DomainError('InvalidInput', `${action} is not a message the CSMS sends in OCPP ${versionLabel(link.version)}`, { field: 'action' });
    }
    const requested = actionsRequestedBy(action, payload);
    for (const a of requested) link.triggered.add(a);
    this.options.metrics.ocppMessages.inc({ direction: 'out', version: link.version, action, type: 'call' });
    try {
      return await link.rpc.call(action, payload, timeoutMs);
    } catch (err) {
      for (const a of requested) link.triggered.delete(a);
      if (err instanceof RpcError) {
        throw new DomainError('InvalidInput', `${action} payload is not valid for OCPP ${versionLabel(link.version)}: ${err.message}`, {
          errorCode: err.kind,
          ...err.details,
        });
      }
      if (err instanceof InvalidReplyError) {
        // The station's fault, not the caller's: a bad gateway answer, never a 400.
        throw new DomainError('StationCallError', err.message, { errorCode: err.problem.kind, ...err.problem.details });
      }
      if (err instanceof StationTimeoutError) throw new DomainError('StationTimeout', err.message);
      if (err instanceof ConnectionClosedError) throw new DomainError('StationOffline', `station ${stationId} disconnected: ${err.message}`);
      if (err instanceof RemoteCallError) {
        throw new DomainError('StationCallError', `station answered ${action} with CALLERROR ${err.errorCode}: ${err.errorDescription}`, {
          errorCode: err.errorCode,
          errorDescription: err.errorDescription,
          errorDetails: err.errorDetails,
        });
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    const closed: Promise<void>[] = [];
    for (const link of this.links.values()) {
      closed.push(new Promise((resolve) => link.socket.once('close', () => resolve())));
      link.socket.close(1001, 'server shutting down');
    }
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    for (const link of this.links.values()) link.socket.terminate();
    this.wss.close();
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { logger, metrics } = this.options;
    if (this.closing) return reject(socket, 503, 'Service Unavailable');
    const match = /^\/ocpp\/([^/?]+)\/?(?:\?.*)?$/.exec(req.url ?? '');
    if (!match?.[1]) {
      metrics.handshakeRejections.inc({ reason: 'path' });
      return reject(socket, 404, 'Not Found');
    }
    let stationId: string;
    try {
      stationId = decodeURIComponent(match[1]);
    } catch {
      metrics.handshakeRejections.inc({ reason: 'identity' });
      return reject(socket, 400, 'Bad Request');
    }
    if (this.options.directory.checkId(stationId) !== undefined) {
      metrics.handshakeRejections.inc({ reason: 'identity' });
      return reject(socket, 400, 'Bad Request');
    }
    const version = negotiate(req.headers['sec-websocket-protocol']);
    let credentials = await this.options.directory.credentials(stationId);
    if (!credentials) {
      if (!this.options.autoRegister) {
        metrics.handshakeRejections.inc({ reason: 'unknown' });
        logger.warn({ stationId, remote: req.socket.remoteAddress }, 'unknown station refused (404)');
        return reject(socket, 404, 'Not Found');
      }
      credentials = await this.options.directory.autoRegister(stationId);
      logger.info({ stationId }, 'unknown station auto-registered');
    }
    const refusal = await this.authenticate(req, credentials, version);
    if (refusal) {
      metrics.handshakeRejections.inc({ reason: 'auth' });
      logger.warn({ stationId, remote: req.socket.remoteAddress, reason: refusal.reason }, 'station authentication failed (401)');
      await this.options.directory.authenticationFailed(credentials, refusal.reason, refusal.eventType).catch((err: unknown) =>
        logger.error({ err, stationId }, 'could not record security event'),
      );
      return reject(socket, 401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="ampline"' });
    }
    if (version) protocolFor.set(req, version);
    const creds = credentials;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (!version) {
        // OCPP-J 2.0.1 part 4 §3.1.2: no acceptable subprotocol: finish the handshake without
        // the header, then close.
        metrics.handshakeRejections.inc({ reason: 'subprotocol' });
        logger.warn({ stationId, offered: req.headers['sec-websocket-protocol'] ?? null }, 'no supported OCPP subprotocol offered');
        ws.close(1002, 'no supported OCPP subprotocol');
        return;
      }
      this.onConnection(ws, req, creds, version);
    });
  }

  /**
   * Returns why the station is refused, or undefined when it may connect. A station is served
   * only on its configured security profile (A00.FR.002, no downgrade A00.FR.005 / A05.FR.07):
   * profiles 0 and 1 on the plain listener, 2 (TLS + Basic) and 3 (mutual TLS) on the TLS one.
   */
  private async authenticate(req: IncomingMessage, credentials: StationCredentials, version: OcppVersion | undefined): Promise<Refusal | undefined> {
    const refusal = await this.authenticateAs(credentials.securityProfile, req, credentials, version);
    const pending = credentials.pendingSecurityProfile;
    if (!refusal || !pending) return refusal;
    // A05.FR.05/06: a station told to move to a higher profile comes back on it.
    if (await this.authenticateAs(pending, req, credentials, version)) return refusal;
    await this.options.directory.securityProfileUpgraded?.(credentials, pending);
    return undefined;
  }

  private async authenticateAs(
    profile: number,
    req: IncomingMessage,
    credentials: StationCredentials,
    version: OcppVersion | undefined,
  ): Promise<Refusal | undefined> {
    const tls = req.socket instanceof TLSSocket ? req.socket : undefined;
    if (profile <= 1 && tls) return { reason: `station is configured for security profile ${profile} and must not use TLS (A00.FR.002)` };
    if (profile === 0) return undefined;
    if (profile >= 2 && !tls) return { reason: `station is configured for security profile ${profile} and must connect over TLS (A00.FR.002)` };
    if (profile === 3 && tls) {
      const reason = checkStationCertificate(tls, credentials.id);
      return reason ? { reason, eventType: 'InvalidChargingStationCertificate' } : undefined;
    }
    const basic = parseBasicAuth(req.headers.authorization);
    if (!basic) return { reason: 'missing HTTP Basic credentials' };
    if (basic.username !== credentials.id) return { reason: `username "${basic.username.slice(0, 64)}" does not equal the station identity (TC_A_02_CSMS)` };
    if (!credentials.passwordHash) return { reason: 'station has no password configured' };
    const ocpp16 = version === 'ocpp1.6';
    if (await this.passwords.verify(credentials.id, basic.password, credentials.passwordHash, ocpp16)) return undefined;
    // A01: while a password rotation waits for the station's answer, the new one is let in too.
    const pending = credentials.pendingPasswordHash;
    if (pending && (await this.passwords.verify(credentials.id, basic.password, pending, ocpp16))) {
      await this.options.directory.pendingPasswordUsed?.(credentials);
      return undefined;
    }
    return { reason: 'wrong password' };
  }

  /** Forgets the remembered password digest (after the stored password changed). */
  forgetPassword(stationId: string): void {
    this.passwords.forget(stationId);
  }

  private stationMemory(stationId: string): StationMemory {
    let memory = this.memory.get(stationId);
    if (!memory) {
      memory = { replies: new ReplyCache(8), frames: new FrameRing(this.options.frameLogSize) };
      this.memory.set(stationId, memory);
    }
    return memory;
  }

  private onConnection(ws: WebSocket, req: IncomingMessage, credentials: StationCredentials, version: OcppVersion): void {
    const { clock, logger, metrics } = this.options;
    const stationId = credentials.id;
    const remoteAddress = req.socket.remoteAddress;
    const previous = this.links.get(stationId);
    if (previous) {
      logger.info({ stationId }, 'station reconnected; closing its previous socket');
      previous.socket.close(4000, 'replaced by a new connection');
    }
    const link = new StationLink(credentials.tenantId, stationId, version, ws, remoteAddress, credentials.lastBootStatus ?? 'NotBooted', clock.nowMs());
    const memory = this.stationMemory(stationId);
    link.rpc = new RpcConnection({
      version,
      transport: { send: (text) => ws.send(text, () => releaseIdleDeflate(ws)) },
      validator: validatorFor(version),
      replies: memory.replies,
      callTimeoutMs: this.options.callTimeoutMs,
      handle: (call) => this.serve(link, call),
      onFrame: (direction, text) => {
        const atMs = clock.nowMs();
        memory.frames.push(atMs, direction, text);
        this.options.onFrame?.(link, direction, text, atMs);
      },
      onInternalError: (err, call) => logger.error({ err, stationId, action: call.action, messageId: call.messageId }, 'OCPP handler failed'),
      onStrayReply: (messageId) => logger.debug({ stationId, messageId }, 'reply to no pending call ignored'),
    });
    this.links.set(stationId, link);
    metrics.stationsConnected.set(this.links.size);

    ws.on('message', (data, isBinary) => {
      link.alive = true;
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      if (isBinary) logger.debug({ stationId }, 'binary frame treated as text');
      link.rpc.handleText(text);
      releaseIdleInflate(ws);
    });
    ws.on('pong', () => {
      link.alive = true;
    });
    ws.on('error', (err) => logger.warn({ err, stationId }, 'station socket error'));
    ws.on('close', (code, reasonBuffer) => {
      const reason = `closed ${code}${reasonBuffer.length ? ` ${reasonBuffer.toString()}` : ''}`;
      link.rpc.close(reason);
      if (this.links.get(stationId) !== link) return;
      this.links.delete(stationId);
      metrics.stationsConnected.set(this.links.size);
      this.options.directory.disconnected(link, reason).catch((err: unknown) => logger.error({ err, stationId }, 'could not record disconnect'));
    });
    this.options.directory
      .connected(link, remoteAddress)
      .catch((err: unknown) => logger.error({ err, stationId }, 'could not record connection'));
  }

  private async serve(link: StationLink, call: InboundCall): Promise<Payload> {
    const { metrics } = this.options;
    const stop = metrics.ocppHandlerSeconds.startTimer({ action: call.action });
    const nowMs = this.options.clock.nowMs();
    if (nowMs - link.seenReportedMs >= SEEN_EVERY_MS) {
      link.seenReportedMs = nowMs;
      this.options.directory.seen(link, new Date(nowMs));
    }
    try {
      checkAllowedBeforeAcceptance(link, call.action);
      const result = await this.options.dispatch(link, call);
      metrics.ocppMessages.inc({ direction: 'in', version: link.version, action: call.action, type: 'result' });
      return result;
    } catch (err) {
      metrics.ocppMessages.inc({ direction: 'in', version: link.version, action: call.action, type: 'error' });
      throw err;
    } finally {
      stop();
    }
  }

  /** One timer for all sockets: unanswered since the last tick means gone (offline within two intervals). */
  private sweep(): void {
    for (const link of this.links.values()) {
      if (!link.alive) {
        this.options.logger.info({ stationId: link.stationId }, 'station stopped answering pings; closing');
        link.socket.terminate();
        continue;
      }
      link.alive = false;
      link.socket.ping();
    }
  }
}

/** Picks the first subprotocol the station offered that we speak (the station lists by preference). */
export function negotiate(header: string | string[] | undefined): OcppVersion | undefined {
  if (!header) return undefined;
  const offered = (Array.isArray(header) ? header.join(',') : header).split(',').map((p) => p.trim());
  return offered.find((p): p is OcppVersion => (SUPPORTED_SUBPROTOCOLS as readonly string[]).includes(p));
}

function reject(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`);
}
