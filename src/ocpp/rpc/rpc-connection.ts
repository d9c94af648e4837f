import { randomUUID } from 'node:crypto';
import { RemoteCallError, RpcError, wireErrorCode } from './error-codes.js';
import {
  CALL,
  CALLERROR,
  CALLRESULT,
  SEND,
  FrameError,
  callErrorFrame,
  callFrame,
  callResultFrame,
  parseFrame,
  type Payload,
} from './frames.js';
import type { ReplyCache } from './reply-cache.js';
import type { SchemaValidator } from './schema-validator.js';
import type { OcppVersion } from './versions.js';

/** The socket as the RPC layer sees it. */
export interface RpcTransport {
  send(text: string): void;
}

export interface InboundCall {
  messageId: string;
  action: string;
  payload: Payload;
}

/** Answers an inbound CALL: resolves with the response payload or throws an RpcError. */
export type InboundHandler = (call: InboundCall) => Promise<Payload>;

export type FrameDirection = 'in' | 'out';

export interface RpcConnectionOptions {
  version: OcppVersion;
  transport: RpcTransport;
  validator: SchemaValidator;
  handle: InboundHandler;
  replies: ReplyCache;
  callTimeoutMs: number;
  onFrame?: (direction: FrameDirection, text: string) => void;
  /** A handler failed with something other than an RpcError: our bug, logged by the owner. */
  onInternalError?: (err: unknown, call: InboundCall) => void;
  onStrayReply?: (messageId: string) => void;
}

export class StationTimeoutError extends Error {
  constructor(action: string, timeoutMs: number) {
    super(`station did not answer ${action} within ${timeoutMs} ms`);
    this.name = 'StationTimeoutError';
  }
}

export class ConnectionClosedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ConnectionClosedError';
  }
}

/** The station answered our CALL with a CALLRESULT we cannot accept (malformed or off-schema). */
export class InvalidReplyError extends Error {
  constructor(
    readonly action: string,
    readonly problem: RpcError,
  ) {
    super(`station answered ${action} with an invalid CALLRESULT: ${problem.message}`);
    this.name = 'InvalidReplyError';
  }
}

interface OutboundCall {
  action: string;
  payload: Payload;
  timeoutMs: number;
  resolve(payload: Payload): void;
  reject(err: Error): void;
}

interface InFlight extends OutboundCall {
  messageId: string;
  timer: NodeJS.Timeout;
}

/**
 * OCPP-J RPC over one WebSocket: frames, schema validation both ways, CALLERRORs spelled for the
 * version, one CSMS-initiated CALL in flight at a time (OCPP-J 2.0.1 part 4 §4.1.1), inbound CALLs
 * served while ours is pending, and retried inbound CALLs answered from the reply cache.
 */
export class RpcConnection {
  private readonly queue: OutboundCall[] = [];
  private inFlight: InFlight | undefined;
  private closedReason: string | undefined;
  private readonly supportsSend: boolean;

  constructor(private readonly options: RpcConnectionOptions) {
    this.supportsSend = options.version === 'ocpp2.1';
  }

  handleText(text: string): void {
    this.options.onFrame?.('in', text);
    let frame;
    try {
      frame = parseFrame(text, this.supportsSend);
    } catch (err) {
      if (err instanceof FrameError && err.answerable) this.sendError(err.messageId, err);
      else if (err instanceof FrameError) this.failInFlight(err.messageId, err);
      return;
    }
    switch (frame.type) {
      case CALL:
        this.serveCall(frame.messageId, frame.action, frame.payload);
        return;
      case SEND:
        this.serveSend(frame.messageId, frame.action, frame.payload);
        return;
      case CALLRESULT:
        this.settle(frame.messageId, (call) => {
          try {
            this.options.validator.validate(call.action, 'response', frame.payload);
          } catch (err) {
            call.reject(err instanceof RpcError ? new InvalidReplyError(call.action, err) : (err as Error));
            return;
          }
          call.resolve(frame.payload);
        });
        return;
      case CALLERROR:
        this.settle(frame.messageId, (call) =>
          call.reject(new RemoteCallError(frame.errorCode, frame.errorDescription, frame.errorDetails)),
        );
        return;
    }
  }

  /** Queues a CSMS-initiated CALL; resolves with the station's validated response payload. */
  call(action: string, payload: Payload, timeoutMs = this.options.callTimeoutMs): Promise<Payload> {
    if (this.closedReason !== undefined) return Promise.reject(new ConnectionClosedError(this.closedReason));
    this.options.validator.validate(action, 'request', payload);
    return new Promise((resolve, reject) => {
      this.queue.push({ action, payload, timeoutMs, resolve, reject });
      this.pump();
    });
  }

  /** Fails every queued and in-flight call; later calls fail at once. */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    const error = new ConnectionClosedError(reason);
    if (this.inFlight) {
      clearTimeout(this.inFlight.timer);
      this.inFlight.reject(error);
      this.inFlight = undefined;
    }
    for (const call of this.queue.splice(0)) call.reject(error);
  }

  private pump(): void {
    if (this.inFlight || this.closedReason !== undefined) return;
    const next = this.queue.shift();
    if (!next) return;
    const messageId = randomUUID();
    const timer = setTimeout(() => {
      if (this.inFlight?.messageId !== messageId) return;
      this.inFlight = undefined;
      next.reject(new StationTimeoutError(next.action, next.timeoutMs));
      this.pump();
    }, next.timeoutMs);
    this.inFlight = { ...next, messageId, timer };
    this.write(callFrame(messageId, next.action, next.payload));
  }

  private settle(messageId: string, finish: (call: InFlight) => void): void {
    const call = this.inFlight;
    if (!call || call.messageId !== messageId) {
      this.options.onStrayReply?.(messageId);
      return;
    }
    clearTimeout(call.timer);
    this.inFlight = undefined;
    finish(call);
    this.pump();
  }

  private failInFlight(messageId: string, err: RpcError): void {
    this.settle(messageId, (call) => call.reject(new InvalidReplyError(call.action, err)));
  }

  private serveCall(messageId: string, action: string, payload: Payload): void {
    const { replies } = this.options;
    const previous = replies.get(messageId);
    if (previous) {
      if ('frame' in previous) this.write(previous.frame);
      else void previous.pending.then((frame) => frame !== undefined && this.write(frame));
      return;
    }
    const answer = this.answer(messageId, action, payload);
    replies.startPending(messageId, answer);
    void answer.then((frame) => {
      replies.complete(messageId, frame);
      if (frame !== undefined) this.write(frame);
    });
  }

  /** Resolves with the frame to send; a CALLERROR is not cached so a corrected retry is served. */
  private async answer(messageId: string, action: string, payload: Payload): Promise<string | undefined> {
    const call = { messageId, action, payload };
    try {
      this.options.validator.validate(action, 'request', payload);
      const result = await this.options.handle(call);
      this.options.validator.validate(action, 'response', result);
      return callResultFrame(messageId, result);
    } catch (err) {
      this.sendError(messageId, this.toRpcError(err, call));
      return undefined;
    }
  }

  private serveSend(messageId: string, action: string, payload: Payload): void {
    const call = { messageId, action, payload };
    void (async () => {
      try {
        this.options.validator.validate(action, 'request', payload);
        await this.options.handle(call);
      } catch (err) {
        // A SEND is never answered, not even with an error.
        this.toRpcError(err, call);
      }
    })();
  }

  private toRpcError(err: unknown, call: InboundCall): RpcError {
    if (err instanceof RpcError) return err;
    this.options.onInternalError?.(err, call);
    return new RpcError('InternalError', 'the CSMS could not process this message');
  }

  private sendError(messageId: string, err: RpcError): void {
    this.write(callErrorFrame(messageId, wireErrorCode(err.kind, this.options.version), err.message, err.details));
  }

  private write(text: string): void {
    if (this.closedReason !== undefined) return;
    this.options.onFrame?.('out', text);
    this.options.transport.send(text);
  }
}
