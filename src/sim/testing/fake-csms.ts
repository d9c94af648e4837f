// A minimal CSMS for the simulator's own tests and for trying the load generator without the
// real server: checks the subprotocol and HTTP Basic credentials, answers the station's
// CALLs with fixed, schema-valid responses, validates every frame it receives against the
// official schemas, and lets a test send CSMS-initiated CALLs.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { decodeFrame, encodeCall, encodeError, encodeResult, type OcppVersion, type Payload } from '../frames.js';
import { schemasFor } from '../schemas.js';

export type BootAnswer = 'Accepted' | 'Pending' | 'Rejected';

export interface FakeCsmsOptions {
  port?: number;
  host?: string;
  /** Boot status per station (default Accepted). */
  bootStatus?: (stationId: string, attempt: number) => BootAnswer;
  /** Interval returned in BootNotification (default 300 s). */
  intervalS?: number;
  /** When set, every station must authenticate with this password. */
  password?: string;
  /** Remember every CALL received (default true; off for large fleets). */
  record?: boolean;
  /** CALLs to leave unanswered, to test time-outs. */
  ignore?: (call: ReceivedCall) => boolean;
  /**
   * Offer permessage-deflate as the Ampline gateway does (threshold 1 KiB, no context takeover
   * either way). Default false.
   */
  deflate?: boolean;
  /** Actions answered with CALLERROR NotSupported, as the Ampline server answers DataTransfer. */
  notSupported?: readonly string[];
}

/** The gateway's permessage-deflate settings (src/ocpp/gateway/gateway.ts). */
export const GATEWAY_DEFLATE = {
  threshold: 1024,
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  concurrencyLimit: 4,
  zlibDeflateOptions: { memLevel: 4 },
} as const;

export interface ReceivedCall {
  stationId: string;
  messageId: string;
  version: OcppVersion;
  action: string;
  payload: Payload;
}

export interface CsmsCallAnswer {
  result?: Payload;
  error?: { code: string; description: string };
}

export interface Link {
  ws: WebSocket;
  remoteAddress: string | undefined;
  /** Bytes read from the station's TCP socket so far (to see compression on the wire). */
  bytesRead(): number;
  version: OcppVersion;
  pending: Map<string, { action: string; resolve(answer: CsmsCallAnswer): void }>;
}

export interface FakeCsmsEvents {
  call: [call: ReceivedCall];
  connection: [stationId: string, version: OcppVersion];
  disconnect: [stationId: string];
}

const SUBPROTOCOLS: Record<string, OcppVersion> = { 'ocpp1.6': '1.6', 'ocpp2.0.1': '2.0.1' };

export class FakeCsms extends EventEmitter<FakeCsmsEvents> {
  readonly received: ReceivedCall[] = [];
  /** Schema violations and protocol mistakes seen in frames from stations. */
  readonly violations: string[] = [];
  readonly links = new Map<string, Link>();
  readonly counts = new Map<string, number>();
  private readonly bootAttempts = new Map<string, number>();
  private readonly wss: WebSocketServer;
  private readonly http: Server;
  private seq = 0;
  private transactionIds = 0;

  private constructor(private readonly options: FakeCsmsOptions) {
    super();
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: options.deflate ? { ...GATEWAY_DEFLATE, zlibDeflateOptions: { ...GATEWAY_DEFLATE.zlibDeflateOptions } } : false,
    });
    this.http = createServer((req, res) => {
      if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } else {
        res.writeHead(404).end();
      }
    });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  static async start(options: FakeCsmsOptions = {}): Promise<FakeCsms> {
    const csms = new FakeCsms(options);
    csms.http.maxConnections = Infinity;
    await new Promise<void>((resolve, reject) => {
      csms.http.once('error', reject);
      csms.http.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1', backlog: 4096 }, resolve);
    });
    return csms;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ocpp`;
  }

  count(action: string): number {
    return this.counts.get(action) ?? 0;
  }

  /** Resolves with the first received CALL (past or future) that matches. */
  waitForCall(match: (call: ReceivedCall) => boolean): Promise<ReceivedCall> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const listener = (call: ReceivedCall): void => {
        if (!match(call)) return;
        this.off('call', listener);
        resolve(call);
      };
      this.on('call', listener);
    });
  }

  /** Sends a CSMS-initiated CALL and resolves with the station's answer. */
  call(stationId: string, action: string, payload: Payload): Promise<CsmsCallAnswer> {
    const link = this.links.get(stationId);
    if (!link) return Promise.reject(new Error(`fake CSMS: ${stationId} is not connected`));
    const id = `csms-${++this.seq}`;
    return new Promise((resolve) => {
      link.pending.set(id, { action, resolve });
      link.ws.send(encodeCall(id, action, payload));
    });
  }

  async close(): Promise<void> {
    for (const link of this.links.values()) link.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const match = /^\/ocpp\/([^/?]+)$/.exec(req.url ?? '');
    if (!match?.[1]) return refuse(404, 'Not Found');
    const stationId = decodeURIComponent(match[1]);
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const protocol = offered.find((p) => p in SUBPROTOCOLS);
    if (!protocol) return refuse(400, 'Bad Request');
    if (this.options.password !== undefined) {
      const expected = `Basic ${Buffer.from(`${stationId}:${this.options.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return refuse(401, 'Unauthorized');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (ws.protocol !== protocol) this.violations.push(`${stationId}: negotiated ${ws.protocol}`);
      this.attach(stationId, SUBPROTOCOLS[protocol]!, ws, req.socket.remoteAddress, () => req.socket.bytesRead);
    });
  }

  private attach(
    stationId: string,
    version: OcppVersion,
    ws: WebSocket,
    remoteAddress: string | undefined,
    bytesRead: () => number,
  ): void {
    const previous = this.links.get(stationId);
    if (previous) previous.ws.terminate();
    const link: Link = { ws, remoteAddress, bytesRead, version, pending: new Map() };
    this.links.set(stationId, link);
    ws.on('message', (data) => this.onFrame(stationId, link, String(data)));
    ws.on('close', () => {
      if (this.links.get(stationId) === link) this.links.delete(stationId);
      this.emit('disconnect', stationId);
    });
    ws.on('error', () => undefined);
    this.emit('connection', stationId, version);
  }

  private onFrame(stationId: string, link: Link, text: string): void {
    const schemas = schemasFor(link.version);
    let frame;
    try {
      frame = decodeFrame(text);
    } catch (error) {
      this.violations.push(`${stationId}: ${String(error)}`);
      return;
    }
    if (frame.kind === 'call') {
      const violation = schemas.check(frame.action, 'req', frame.payload);
      if (violation) this.violations.push(`${stationId}: ${violation.message}`);
      if (!schemas.has(frame.action, 'req')) this.violations.push(`${stationId}: unknown action ${frame.action}`);
      this.counts.set(frame.action, (this.counts.get(frame.action) ?? 0) + 1);
      const call: ReceivedCall = {
        stationId,
        messageId: frame.id,
        version: link.version,
        action: frame.action,
        payload: frame.payload,
      };
      if (this.options.record ?? true) this.received.push(call);
      if (this.options.ignore?.(call)) {
        this.emit('call', call);
        return;
      }
      if (this.options.notSupported?.includes(call.action)) {
        link.ws.send(encodeError(frame.id, 'NotSupported', `${call.action} is not supported by the fake CSMS`));
        this.emit('call', call);
        return;
      }
      const answer = this.answer(call);
      link.ws.send(
        'error' in answer ? encodeError(frame.id, 'NotImplemented', answer.error) : encodeResult(frame.id, answer.result),
      );
      this.emit('call', call);
      return;
    }
    const pending = link.pending.get(frame.id);
    if (!pending) {
      this.violations.push(`${stationId}: response to unknown id ${frame.id}`);
      return;
    }
    link.pending.delete(frame.id);
    if (frame.kind === 'result') {
      const violation = schemas.check(pending.action, 'conf', frame.payload);
      if (violation) this.violations.push(`${stationId}: ${violation.message}`);
      pending.resolve({ result: frame.payload });
    } else {
      pending.resolve({ error: { code: frame.code, description: frame.description } });
    }
  }

  private answer(call: ReceivedCall): { result: Payload } | { error: string } {
    const now = new Date().toISOString();
    const v16 = call.version === '1.6';
    switch (call.action) {
      case 'BootNotification': {
        const attempt = (this.bootAttempts.get(call.stationId) ?? 0) + 1;
        this.bootAttempts.set(call.stationId, attempt);
        const status = this.options.bootStatus?.(call.stationId, attempt) ?? 'Accepted';
        return { result: { status, currentTime: now, interval: this.options.intervalS ?? 300 } };
      }
      case 'Heartbeat':
        return { result: { currentTime: now } };
      case 'Authorize':
        return { result: v16 ? { idTagInfo: { status: 'Accepted' } } : { idTokenInfo: { status: 'Accepted' } } };
      case 'StartTransaction':
        return { result: { transactionId: ++this.transactionIds, idTagInfo: { status: 'Accepted' } } };
      case 'TransactionEvent':
        return { result: call.payload.eventType === 'Started' ? { idTokenInfo: { status: 'Accepted' } } : {} };
      case 'DataTransfer':
        // Echoes the data, so a padded DataTransfer makes a large frame both ways.
        return { result: { status: 'Accepted', ...(call.payload.data !== undefined ? { data: call.payload.data } : {}) } };
      case 'StopTransaction':
      case 'StatusNotification':
      case 'MeterValues':
      case 'NotifyReport':
      case 'FirmwareStatusNotification':
      case 'DiagnosticsStatusNotification':
      case 'LogStatusNotification':
        return { result: {} };
      default:
        return { error: `${call.action} not handled by the fake CSMS` };
    }
  }
}
