// A station's outbound CALLs: one in flight at a time (OCPP-J 1.6 §4.1.1, 2.0.1 part 4 §4.1.1),
// the rest queued (priority calls first; before acceptance only calls allowed then), each timed
// out by one watchdog per station, answered by the matching CALLRESULT or CALLERROR.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { CallErrorReceived, encodeCall, type ErrorFrame, type Payload, type ResultFrame } from './frames.js';
import type { ScheduledTask, Scheduler } from './scheduler.js';
import { cancelTask } from './scheduler.js';
import type { SchemaSet } from './schemas.js';
import { CallTimeout, type StationObserver } from './station-options.js';
import type { CallOptions, FailureKind } from './types.js';

/** ws.send options for a CALL handed over as a Buffer: still a text frame. */
const TEXT_FRAME = { binary: false } as const;

interface OutboundCall {
  action: string;
  payload: Payload;
  beforeAccepted: boolean;
  priority: boolean;
  id: string;
  sentAtMs: number;
  /** Scheduler time at which the call times out. */
  deadlineMs: number;
  resolve(payload: Payload): void;
  reject(error: Error): void;
}

/** What the queue needs from its station. */
export interface OutboundHost {
  readonly stationId: string;
  readonly scheduler: Scheduler;
  /** The socket, when one is open or opening. */
  socket(): WebSocket | null;
  /** Registration Accepted: every queued call may go. */
  accepted(): boolean;
  report(kind: FailureKind, error: unknown): void;
}

export class OutboundCalls {
  private queue: OutboundCall[] = [];
  private inflight: OutboundCall | null = null;
  private lastTimedOutId: string | null = null;
  private seq = 0;
  /**
   * One pending check per station for the call in flight, not one scheduler entry per call:
   * it fires at the first deadline it was armed for and re-arms itself for the current call's.
   */
  private watchdog: ScheduledTask | null = null;

  constructor(
    private readonly host: OutboundHost,
    /** 2.0.1 part 4 §4.1.3: message ids unique per connection and across reconnects. */
    private readonly idPrefix: string,
    private readonly callTimeoutMs: number,
    private readonly schemas: SchemaSet | null,
    private readonly observer: StationObserver | undefined,
  ) {}

  enqueue(action: string, payload: Payload, options: CallOptions): Promise<Payload> {
    return new Promise<Payload>((resolve, reject) => {
      const item: OutboundCall = {
        action,
        payload,
        beforeAccepted: options.beforeAccepted ?? false,
        priority: options.priority ?? false,
        id: '',
        sentAtMs: 0,
        deadlineMs: 0,
        resolve,
        reject,
      };
      if (item.priority) {
        const at = this.queue.findIndex((queued) => !queued.priority);
        this.queue.splice(at < 0 ? this.queue.length : at, 0, item);
      } else {
        this.queue.push(item);
      }
      this.pump();
    });
  }

  /** Sends the next call if none is in flight and the socket is open. */
  pump(): void {
    const ws = this.host.socket();
    if (this.inflight || !ws || ws.readyState !== WebSocket.OPEN || this.queue.length === 0) return;
    const index = this.host.accepted() ? 0 : this.queue.findIndex((c) => c.beforeAccepted);
    if (index < 0) return;
    const item = index === 0 ? this.queue.shift() : this.queue.splice(index, 1)[0];
    if (!item) return;
    item.id = `${this.idPrefix}${(++this.seq).toString(36)}`;
    item.sentAtMs = performance.now();
    item.deadlineMs = this.host.scheduler.now() + this.callTimeoutMs;
    this.watchdog ??= this.host.scheduler.afterFixed(this.callTimeoutMs, this.checkDeadline);
    this.inflight = item;
    // A Buffer, not a string: ws then masks it into one frame buffer and writes it with one
    // write() instead of corking a header and a payload into a writev().
    ws.send(Buffer.from(encodeCall(item.id, item.action, item.payload)), TEXT_FRAME);
  }

  /** A CALLRESULT or CALLERROR from the CSMS. */
  onResponse(frame: ResultFrame | ErrorFrame): void {
    const item = this.inflight;
    if (!item || item.id !== frame.id) {
      if (frame.id !== this.lastTimedOutId) {
        this.host.report('protocol', new Error(`${this.host.stationId}: response to unknown message id ${frame.id}`));
      }
      return;
    }
    const rttMs = this.settle(item);
    this.observer?.latency?.(item.action, rttMs);
    if (frame.kind === 'error') {
      item.reject(new CallErrorReceived(item.action, frame.code, frame.description));
    } else {
      const violation = this.schemas?.check(item.action, 'conf', frame.payload) ?? null;
      if (violation) item.reject(new Error(`${this.host.stationId}: invalid ${violation.message}`));
      else {
        this.observer?.answered?.(this.host.stationId, item.action, item.payload, frame.payload);
        item.resolve(frame.payload);
      }
    }
    this.pump();
  }

  /** The connection closed: the call in flight fails; queued calls wait for the next connection. */
  connectionClosed(errorFor: (action: string) => Error): void {
    this.watchdog = cancelTask(this.watchdog);
    const inflight = this.inflight;
    if (inflight) {
      this.settle(inflight);
      inflight.reject(errorFor(inflight.action));
    }
  }

  failQueued(error: Error): void {
    const queued = this.queue;
    this.queue = [];
    for (const item of queued) item.reject(error);
  }

  private readonly checkDeadline = (): void => {
    this.watchdog = null;
    const item = this.inflight;
    if (!item) return;
    const leftMs = item.deadlineMs - this.host.scheduler.now();
    if (leftMs <= 0) this.onCallTimeout(item);
    else this.watchdog = this.host.scheduler.after(leftMs, this.checkDeadline);
  };

  private settle(item: OutboundCall): number {
    this.inflight = null;
    return performance.now() - item.sentAtMs;
  }

  private onCallTimeout(item: OutboundCall): void {
    if (this.inflight !== item) return;
    this.settle(item);
    this.lastTimedOutId = item.id;
    item.reject(new CallTimeout(this.host.stationId, item.action, this.callTimeoutMs));
    this.pump();
  }
}
