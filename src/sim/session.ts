// Version-independent mechanics of a simulated charging session: claiming a connector,
// integrating energy over time, and the periodic meter sample on the shared scheduler.
import type { ConnectorState, RemoteSessionRequest, SessionState, StationContext } from './types.js';

export type SessionErrorCode = 'UnknownConnector' | 'ConnectorBusy' | 'Inoperative' | 'NotAccepted' | 'NoSession';

export class SessionError extends Error {
  constructor(
    readonly code: SessionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

export const DEFAULT_POWER_W = 11_000;

/** The first connector that is operative and free, for a remote start without a connector. */
export function freeConnector(ctx: StationContext): ConnectorState | undefined {
  return ctx.connectors.find((c) => c.operative && c.session === null);
}

/** Claims the connector for a new session, synchronously, so two starts cannot race. */
export function claimConnector(ctx: StationContext, request: RemoteSessionRequest): SessionState {
  const connector = ctx.connector(request.connectorId);
  if (!connector) {
    throw new SessionError('UnknownConnector', `${ctx.stationId}: no connector ${request.connectorId}`);
  }
  if (!connector.operative) {
    throw new SessionError('Inoperative', `${ctx.stationId}: connector ${connector.id} is inoperative`);
  }
  if (connector.session) {
    throw new SessionError('ConnectorBusy', `${ctx.stationId}: connector ${connector.id} is in use`);
  }
  const now = ctx.scheduler.now();
  const session: SessionState = {
    connectorId: connector.id,
    idTag: request.idTag,
    idTokenType: request.idTokenType ?? 'ISO14443',
    transactionId: null,
    remoteStartId: request.remoteStartId ?? null,
    meterStartWh: Math.round(connector.registerWh),
    powerW: request.powerW ?? DEFAULT_POWER_W,
    meterIntervalS: request.meterIntervalS ?? ctx.meterIntervalS,
    lastSampleAtMs: now,
    seqNo: 0,
    meterTask: null,
    stopping: false,
  };
  connector.session = session;
  return session;
}

/** Releases the connector; applies an Inoperative change that waited for the session. */
export function releaseConnector(ctx: StationContext, session: SessionState): ConnectorState | undefined {
  if (session.meterTask) session.meterTask.cancelled = true;
  session.meterTask = null;
  const connector = ctx.connector(session.connectorId);
  if (connector && connector.session === session) {
    connector.session = null;
    if (connector.pendingInoperative) {
      connector.pendingInoperative = false;
      connector.operative = false;
    }
  }
  return connector;
}

/** Adds the energy delivered since the last sample; returns the register in whole Wh. */
export function advanceRegister(ctx: StationContext, session: SessionState): number {
  const connector = ctx.connector(session.connectorId);
  const now = ctx.scheduler.now();
  const elapsedMs = Math.max(0, now - session.lastSampleAtMs);
  session.lastSampleAtMs = now;
  if (!connector) return session.meterStartWh;
  connector.registerWh += (session.powerW * elapsedMs) / 3_600_000;
  return Math.round(connector.registerWh);
}

/** Runs `sample` every meterIntervalS while the session lasts. */
export function scheduleSamples(ctx: StationContext, session: SessionState, sample: () => void): void {
  if (session.meterIntervalS <= 0) return;
  const tick = (): void => {
    if (session.stopping) return;
    session.meterTask = ctx.scheduler.afterFixed(session.meterIntervalS * 1000, tick);
    sample();
  };
  session.meterTask = ctx.scheduler.afterFixed(session.meterIntervalS * 1000, tick);
}

export function findSession(
  ctx: StationContext,
  match: (session: SessionState) => boolean,
): SessionState | undefined {
  for (const connector of ctx.connectors) {
    if (connector.session && match(connector.session)) return connector.session;
  }
  return undefined;
}

export interface AvailabilityChange {
  /** A session runs on a connector to take down: it goes Inoperative when the session ends. */
  scheduled: boolean;
  /** Connectors whose operative state changed now (each reports a StatusNotification). */
  changed: number[];
}

/** ChangeAvailability on the targeted connectors; null when one of them does not exist. */
export function applyAvailability(
  targets: readonly (ConnectorState | undefined)[],
  operative: boolean,
): AvailabilityChange | null {
  if (targets.some((c) => c === undefined)) return null;
  const change: AvailabilityChange = { scheduled: false, changed: [] };
  for (const connector of targets) {
    if (!connector) continue;
    if (!operative && connector.session) {
      connector.pendingInoperative = true;
      change.scheduled = true;
    } else {
      connector.pendingInoperative = false;
      if (connector.operative !== operative) change.changed.push(connector.id);
      connector.operative = operative;
    }
  }
  return change;
}

export function activeSessions(ctx: StationContext): SessionState[] {
  const sessions: SessionState[] = [];
  for (const connector of ctx.connectors) if (connector.session) sessions.push(connector.session);
  return sessions;
}
