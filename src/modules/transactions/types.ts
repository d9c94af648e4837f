/** What a driver and an operator see a session as. */
export const SESSION_STATUSES = ['pending', 'charging', 'suspended_ev', 'suspended_evse', 'idle', 'finished'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export interface IdToken {
  idToken: string;
  type: string;
}

/** Authorization status values either OCPP version may carry. */
export type TokenStatus =
  | 'Accepted'
  | 'Blocked'
  | 'ConcurrentTx'
  | 'Expired'
  | 'Invalid'
  | 'NoCredit'
  | 'NotAllowedTypeEVSE'
  | 'NotAtThisLocation'
  | 'NotAtThisTime'
  | 'Unknown';

/** 1.6 idTagInfo as it goes on the wire. */
export interface IdTagInfo {
  status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';
  expiryDate?: string;
  parentIdTag?: string;
}

/** 2.0.1 idTokenInfo as it goes on the wire. */
export interface IdTokenInfo {
  status: TokenStatus;
  cacheExpiryDateTime?: string;
  chargingPriority?: number;
  groupIdToken?: IdToken;
  evseId?: number[];
  language1?: string;
}

/**
 * The authorization module's answer for one token, already in both wire forms (the app adapts
 * `AuthorizationService` to this, so this module never depends on the authorization module).
 */
export interface TokenVerdict {
  status: TokenStatus;
  idTagInfo: IdTagInfo;
  idTokenInfo: IdTokenInfo;
}

export interface AuthorizeContext {
  stationId: string;
  evseId?: number | undefined;
  /** 'stop': presented to end a transaction (no concurrent-transaction or location rule). */
  purpose?: 'start' | 'stop' | undefined;
  /** Session id of the transaction this is for: it does not count as "another" transaction. */
  transactionId?: string | undefined;
}

/** The seam to the authorization module. */
export interface TokenAuthorizer {
  authorize(tenantId: string, token: IdToken, context: AuthorizeContext): Promise<TokenVerdict>;
}

/** One reading as a station reported it (value in `unit` × 10^multiplier). */
export interface MeterReading {
  sampledAt: Date;
  measurand: string;
  phase?: string | undefined;
  location?: string | undefined;
  context?: string | undefined;
  /** null when the station sent only signed data. */
  value: number | null;
  unit?: string | undefined;
  multiplier?: number | undefined;
  signedData?: string | undefined;
}

/** A start whose transaction id the CSMS assigns (OCPP 1.6 StartTransaction). */
export interface StartRequest {
  evseId: number;
  connectorId: number;
  idToken: IdToken;
  timestamp: Date;
  meterStartWh: number;
  reservationId?: number | undefined;
}

export interface StartOutcome {
  sessionId: string;
  transactionId: number;
  verdict: TokenVerdict;
  /** false when this was a retry of a start already recorded. */
  created: boolean;
}

/** A stop of a CSMS-assigned transaction (OCPP 1.6 StopTransaction). */
export interface StopRequest {
  transactionId: number;
  timestamp: Date;
  meterStopWh: number;
  reason?: string | undefined;
  idToken?: IdToken | undefined;
  readings: MeterReading[];
}

export type ChargingState = 'Charging' | 'EVConnected' | 'SuspendedEV' | 'SuspendedEVSE' | 'Idle';

/** A station-assigned transaction's event (OCPP 2.0.1 TransactionEvent). */
export interface TransactionEventInput {
  eventType: 'Started' | 'Updated' | 'Ended';
  stationTxId: string;
  seqNo: number;
  timestamp: Date;
  triggerReason: string;
  offline: boolean;
  chargingState?: ChargingState | undefined;
  stoppedReason?: string | undefined;
  remoteStartId?: number | undefined;
  reservationId?: number | undefined;
  evseId?: number | undefined;
  connectorId?: number | undefined;
  idToken?: IdToken | undefined;
  readings: MeterReading[];
  /** The message as received, kept verbatim. */
  raw: unknown;
}

export type TransactionRef = { csmsTransactionId: number } | { stationTxId: string };

export interface MeterValuesInput {
  evseId: number;
  transaction?: TransactionRef | undefined;
  /** 1.6: without a transaction, readings join the session open on this connector at their time (§4.7). */
  connectorSession?: boolean | undefined;
  readings: MeterReading[];
}

export interface SessionView {
  id: string;
  stationId: string;
  evseId: number | null;
  connectorId: number | null;
  transactionId: string;
  idToken: string | null;
  idTokenType: string | null;
  stopIdToken: string | null;
  status: SessionStatus;
  stopReason: string | null;
  startedAt: string;
  stoppedAt: string | null;
  meterStartWh: number | null;
  meterStopWh: number | null;
  energyWh: number;
  remoteStartId: number | null;
  reservationId: number | null;
  offline: boolean;
  /** E14: ended, but seqNos before its Ended are missing; its TransactionEnded waits for them (TC_E_31). */
  awaitingMessages: boolean;
}

export interface EnergyPoint {
  at: string;
  energyWh: number;
}

export interface PowerPoint {
  at: string;
  powerW: number;
}

export interface SessionDetail extends SessionView {
  /** Meter samples stored for this session (every measurand and phase). */
  sampleCount: number;
  /** E14: the station's last GetTransactionStatus answer (asked when it reconnects), null if never asked. */
  transactionStatus: TransactionStatusView | null;
  timeline: { energy: EnergyPoint[]; power: PowerPoint[] };
}

export interface SessionQuery {
  stationId?: string | undefined;
  idToken?: string | undefined;
  status?: SessionStatus | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
  /** The older name of `cursor`. */
  after?: string | undefined;
  /** One of SESSION_SORT's values (`startedAt`, `-energyWh`, ...); default newest first. */
  sort?: string | undefined;
  /** Caller scoping (site-scoped users, ADR 021): only these stations. */
  stationIds?: readonly string[] | undefined;
  /** Caller scoping (drivers, ADR 021): only sessions started with these id tokens (case-insensitive). */
  idTokens?: readonly string[] | undefined;
}

/** E14 GetTransactionStatusResponse for one transaction, version-free. */
export interface TransactionStatusAnswer {
  /** Absent only when the station did not say (it must when asked about a transactionId, E14.FR.02/03). */
  ongoingIndicator: boolean | undefined;
  messagesInQueue: boolean;
}

export interface TransactionStatusView {
  checkedAt: string;
  ongoingIndicator: boolean | null;
  messagesInQueue: boolean;
}

/** The station side of E14; the OCPP layer sends GetTransactionStatus (this module imports no OCPP). */
export interface TransactionStatusQuery {
  transactionStatus(tenantId: string, stationId: string, transactionId: string): Promise<TransactionStatusAnswer>;
}
