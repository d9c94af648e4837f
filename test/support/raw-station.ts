import WebSocket from 'ws';

export interface RawStationOptions {
  baseUrl: string;
  id: string;
  protocols?: string[];
  /** Basic auth; username defaults to the station id. */
  password?: string | Buffer;
  username?: string;
  /** false: do not answer pings (a station that went silent). */
  autoPong?: boolean;
  perMessageDeflate?: boolean;
  /** wss:// only: trusted CA, client certificate/key (profile 3) and TLS knobs passed to tls.connect. */
  tls?: { ca?: string; cert?: string; key?: string; sigalgs?: string; minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; ciphers?: string };
}

export interface HandshakeFailure {
  status: number;
}

type Frame = unknown[];

/**
 * A station under the test's full control: it sends exactly the frames a test writes, so
 * malformed input and protocol corner cases can be driven over a real socket.
 */
export class RawStation {
  readonly frames: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private counter = 0;
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      const waiter = this.waiters.find((w) => w.match(frame));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(frame);
      }
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static connect(options: RawStationOptions): Promise<RawStation> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (options.password !== undefined) {
        const user = Buffer.from(`${options.username ?? options.id}:`, 'utf8');
        const pass = Buffer.isBuffer(options.password) ? options.password : Buffer.from(options.password, 'utf8');
        headers['authorization'] = `Basic ${Buffer.concat([user, pass]).toString('base64')}`;
      }
      const ws = new WebSocket(`${options.baseUrl}/${encodeURIComponent(options.id)}`, options.protocols ?? ['ocpp2.0.1'], {
        headers,
        autoPong: options.autoPong ?? true,
        perMessageDeflate: options.perMessageDeflate ?? false,
        ...(options.tls ?? {}),
      });
      const station = new RawStation(ws);
      ws.once('open', () => resolve(station));
      ws.once('unexpected-response', (_req, res) => {
        reject(Object.assign(new Error(`handshake refused with HTTP ${res.statusCode}`), { status: res.statusCode }));
      });
      ws.once('error', (err) => reject(err));
    });
  }

  /** Expects the handshake to be refused and returns the HTTP status. */
  static async refused(options: RawStationOptions): Promise<number> {
    try {
      const station = await RawStation.connect(options);
      station.ws.close();
      return 101;
    } catch (err) {
      return (err as { status?: number }).status ?? -1;
    }
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Sends a CALL and resolves with the CALLRESULT or CALLERROR frame for it. */
  async call(action: string, payload: unknown, messageId = `m-${++this.counter}-${Date.now()}`): Promise<Frame> {
    const reply = this.next((f) => (f[0] === 3 || f[0] === 4) && f[1] === messageId);
    this.ws.send(JSON.stringify([2, messageId, action, payload]));
    return reply;
  }

  next(match: (f: Frame) => boolean): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve) => this.waiters.push({ match, resolve: (f) => (this.frames.splice(this.frames.indexOf(f), 1), resolve(f)) }));
  }

  /** Waits for a CSMS-initiated CALL of the given action. */
  nextCall(action: string): Promise<Frame> {
    return this.next((f) => f[0] === 2 && f[2] === action);
  }

  reply(messageId: string, payload: unknown): void {
    this.ws.send(JSON.stringify([3, messageId, payload]));
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}

export const BOOT_201 = { reason: 'PowerUp', chargingStation: { vendorName: 'Ampline', model: 'TestBox', firmwareVersion: '1.0.0', serialNumber: 'SN-1' } };
export const BOOT_16 = { chargePointVendor: 'Ampline', chargePointModel: 'TestBox16', firmwareVersion: '1.6.0', chargePointSerialNumber: 'SN-16' };
