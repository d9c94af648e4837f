// What a simulated station is configured with, what it reports, and the errors it raises.
import type { OcppVersion, Payload, RpcError } from './frames.js';
import type { Scheduler } from './scheduler.js';
import type { FailureKind, RegistrationStatus, SessionInfo, SessionSummary } from './types.js';

/**
 * What a station offers with `deflate`: permessage-deflate (RFC 7692) without context takeover
 * either way, frames under 1 KiB sent uncompressed (OCPP-J 2.0.1 part 4 §3.3 recommends
 * compression; the server offers the same parameters).
 */
export const DEFLATE_OFFER = { clientNoContextTakeover: true, serverNoContextTakeover: true, threshold: 1024 } as const;
export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** The answer to a padded DataTransfer (`sendLargeFrame`): any answer means the frame got through. */
export type LargeFrameOutcome = 'result' | 'callerror';

/** Receives what every station of a fleet reports, without a listener per station. */
export interface StationObserver {
  latency?(action: string, rttMs: number): void;
  /** Time from opening the TCP connection to the WebSocket upgrade completing. */
  handshake?(ms: number): void;
  failure?(stationId: string, kind: FailureKind, error: Error): void;
  registered?(stationId: string, status: RegistrationStatus): void;
  ready?(stationId: string): void;
  /** The connection closed; `expected` when the station closed it itself (disconnect, close, reset). */
  closed?(stationId: string, expected: boolean): void;
  sessionStarted?(stationId: string, info: SessionInfo): void;
  sessionEnded?(stationId: string, summary: SessionSummary): void;
  /** A CALL the station sent got a schema-valid CALLRESULT (before the caller sees it). */
  answered?(stationId: string, action: string, request: Payload, response: Payload): void;
}

export interface StationOptions {
  /** Base URL, e.g. ws://127.0.0.1:8180/ocpp; the station id is appended. */
  url: string;
  stationId: string;
  ocppVersion: OcppVersion;
  /** HTTP Basic password (security profile 1/2); the user name is the station id. */
  password?: string;
  /** Connectors (1.6) or EVSEs with one connector each (2.0.1). Default 2. */
  connectors?: number;
  /** Source IP for the TCP connection, e.g. 127.0.0.23. */
  localAddress?: string;
  vendor?: string;
  model?: string;
  firmware?: string;
  callTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** Default seconds between meter samples of a session. Default 60. */
  meterIntervalS?: number;
  /** Reconnect after an unexpected close, first after this many ms, doubling up to 60 s. Off when absent. */
  reconnectDelayMs?: number;
  /** Check inbound CALLs and CALLRESULTs against the official schemas. Default true. */
  validateInbound?: boolean;
  /** Offer permessage-deflate (DEFLATE_OFFER). Default false: no extension offered. */
  deflate?: boolean;
  scheduler?: Scheduler;
  observer?: StationObserver;
  random?: () => number;
}

export interface StationEvents {
  open: [];
  booted: [status: RegistrationStatus, intervalS: number];
  /** Accepted and every connector's StatusNotification answered. */
  ready: [];
  closed: [code: number, reason: string];
  /** A CSMS-initiated CALL, after it was answered. */
  call: [action: string, request: Payload, response: Payload | RpcError];
  failure: [error: Error, kind: FailureKind];
  'session-started': [info: SessionInfo];
  'session-ended': [summary: SessionSummary];
}

export class StationOffline extends Error {
  constructor(stationId: string, what: string) {
    super(`${stationId}: ${what}`);
    this.name = 'StationOffline';
  }
}

export class CallTimeout extends Error {
  constructor(stationId: string, action: string, timeoutMs: number) {
    super(`${stationId}: ${action} got no answer within ${timeoutMs} ms`);
    this.name = 'CallTimeout';
  }
}
