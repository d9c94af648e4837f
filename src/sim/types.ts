// Shapes shared by the station core (station.ts) and its version dialects (v16.ts, v201.ts),
// so that neither imports the other's implementation.
import type { OcppVersion, Payload } from './frames.js';
import type { Scheduler, ScheduledTask } from './scheduler.js';

export type RegistrationStatus = 'None' | 'Pending' | 'Accepted' | 'Rejected';

/** Why a session ends, in the sim's words; each dialect maps it to its version's enum. */
export type StopReason =
  | 'Local'
  | 'Remote'
  | 'HardReset'
  | 'SoftReset'
  | 'DeAuthorized'
  | 'UnlockCommand'
  | 'EVDisconnected'
  | 'Other';

/** 2.0.1 BootReasonEnumType values the sim uses; 1.6 has no boot reason. */
export type BootReason = 'PowerUp' | 'RemoteReset' | 'Triggered';

export interface SessionRequest {
  /** 1.6 connectorId; 2.0.1 evseId (each simulated EVSE has one connector, id 1). */
  connectorId: number;
  idTag: string;
  /** Seconds between meter samples. Default: the station's MeterValueSampleInterval / TxUpdatedInterval. */
  meterIntervalS?: number;
  /** Charging power while the session runs. Default 11,000 W. */
  powerW?: number;
}

/** A session started by the CSMS (RemoteStartTransaction / RequestStartTransaction). */
export interface RemoteSessionRequest extends SessionRequest {
  remoteStartId?: number;
  /** 2.0.1 IdTokenEnumType of the token the CSMS sent. Default ISO14443. */
  idTokenType?: string;
}

export interface SessionInfo {
  connectorId: number;
  idTag: string;
  /** 1.6: integer from StartTransaction.conf; 2.0.1: the station's UUID. */
  transactionId: number | string;
}

export interface SessionSummary extends SessionInfo {
  reason: StopReason;
  energyWh: number;
}

export interface SessionState {
  readonly connectorId: number;
  readonly idTag: string;
  readonly idTokenType: string;
  transactionId: number | string | null;
  readonly remoteStartId: number | null;
  readonly meterStartWh: number;
  readonly powerW: number;
  readonly meterIntervalS: number;
  lastSampleAtMs: number;
  /** 2.0.1 TransactionEvent sequence number of the next event. */
  seqNo: number;
  meterTask: ScheduledTask | null;
  stopping: boolean;
}

export interface ConnectorState {
  readonly id: number;
  /** Operative (ChangeAvailability); an Inoperative connector reports Unavailable. */
  operative: boolean;
  /** Inoperative requested while a session ran (answered Scheduled). */
  pendingInoperative: boolean;
  /** Lifetime import register in Wh (kept fractional, reported rounded). */
  registerWh: number;
  session: SessionState | null;
}

export interface CallOptions {
  /** May be sent before the station is Accepted (Boot, and messages a CSMS trigger asked for). */
  beforeAccepted?: boolean;
  /** Goes ahead of ordinary queued calls (the StatusNotifications that follow an Accepted boot). */
  priority?: boolean;
}

/** What a dialect may use of its station. */
export interface StationContext {
  readonly stationId: string;
  readonly version: OcppVersion;
  readonly vendor: string;
  readonly model: string;
  readonly firmware: string;
  readonly connectors: readonly ConnectorState[];
  readonly scheduler: Scheduler;
  readonly registration: RegistrationStatus;
  readonly heartbeatIntervalS: number;
  bootReason: BootReason;
  /** Default seconds between meter samples of a session. */
  meterIntervalS: number;
  call(action: string, payload: Payload, options?: CallOptions): Promise<Payload>;
  connector(id: number): ConnectorState | undefined;
  setting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
  setHeartbeatInterval(seconds: number): void;
  sendBoot(): void;
  sendHeartbeat(): void;
  /** Closes the connection and boots again, as after a reset. */
  reboot(): void;
  random(): number;
  nowIso(): string;
  report(kind: FailureKind, error: unknown): void;
  sessionStarted(info: SessionInfo): void;
  sessionEnded(summary: SessionSummary): void;
}

export type FailureKind = 'connect' | 'call' | 'boot' | 'protocol' | 'session';

/** The result of handling one CSMS-initiated CALL. */
export interface CallOutcome {
  payload: Payload;
  /** Runs after the CALLRESULT is on the wire (F06.FR.04: answer first, then act). */
  after?: () => void;
}

export type ActionHandler = (ctx: StationContext, payload: Payload) => CallOutcome;

export interface Dialect {
  readonly version: OcppVersion;
  readonly handlers: Readonly<Record<string, ActionHandler>>;
  bootPayload(ctx: StationContext): Payload;
  /** Sends the StatusNotifications that follow an Accepted boot. */
  announceConnectors(ctx: StationContext): Promise<void>;
  startSession(ctx: StationContext, request: RemoteSessionRequest, remote: boolean): Promise<SessionInfo>;
  stopSession(ctx: StationContext, connectorId: number, reason: StopReason): Promise<void>;
}
