import type { SessionStatus } from './types.js';

const MAX_CONNECTORS = 200_000;

/**
 * The status of the 1.6 session open on each connector, as this process last wrote it, so a
 * StatusNotification that repeats it (Charging right after an Accepted start) costs no UPDATE.
 * Only ever a shortcut for "nothing would change": a connector not listed here is asked of the
 * database (after a restart, or once the map was cleared for size).
 */
export class OpenConnectorSessions {
  private readonly byConnector = new Map<string, { sessionId: string; status: string }>();

  opened(tenantId: string, stationId: string, evseId: number, sessionId: string, status: string): void {
    if (this.byConnector.size >= MAX_CONNECTORS) this.byConnector.clear();
    this.byConnector.set(key(tenantId, stationId, evseId), { sessionId, status });
  }

  /** The session stopped (or is unknown): the connector's next status goes to the database. */
  closed(tenantId: string, stationId: string, evseId: number, sessionId: string): void {
    const k = key(tenantId, stationId, evseId);
    if (this.byConnector.get(k)?.sessionId === sessionId) this.byConnector.delete(k);
  }

  hasStatus(tenantId: string, stationId: string, evseId: number, status: SessionStatus): boolean {
    return this.byConnector.get(key(tenantId, stationId, evseId))?.status === status;
  }
}

function key(tenantId: string, stationId: string, evseId: number): string {
  return `${tenantId}\u0000${stationId}\u0000${evseId}`;
}
