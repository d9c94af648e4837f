import type { Clock } from '../../platform/clock.js';
import type { GroupCommit } from './group-commit.js';
import { connectorKey, type ConnectorFollow } from './connector-follows.js';
import type { OpenConnectorSessions } from './open-connectors.js';
import type { SessionHead } from './session-rows.js';
import type { SessionStatus } from './types.js';

const CONNECTOR_STATUS_16: Record<string, SessionStatus> = {
  Charging: 'charging',
  SuspendedEV: 'suspended_ev',
  SuspendedEVSE: 'suspended_evse',
  // Stopped at the connector, cable or vehicle still there (§4.9 Finishing), its StopTransaction
  // not here yet (in flight, or queued offline): plugged, not charging.
  Finishing: 'idle',
};

export interface ConnectorStatusFollowerDeps {
  /** 1.6 connector statuses moving their open session, group-committed with their TransactionUpdated events. */
  follows: GroupCommit<ConnectorFollow, SessionHead[]>;
  /** Shared with the service's starts and stops, which open and close connectors. */
  connectors: OpenConnectorSessions;
  clock: Clock;
}

/**
 * 1.6 tells charging states by StatusNotification (§4.9): Charging, SuspendedEV, SuspendedEVSE
 * move the open session on that connector. 2.0.1 says it in TransactionEvent instead.
 */
export class ConnectorStatusFollower {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly deps: ConnectorStatusFollowerDeps) {}

  changed(tenantId: string, stationId: string, evseId: number, connectorStatus: string): Promise<void> {
    // One connector's statuses apply in the order they came: SuspendedEV then Charging must end Charging,
    // and the "already in that status" shortcut must see the previous one applied.
    const k = connectorKey(tenantId, stationId, evseId);
    const next = (this.chains.get(k) ?? Promise.resolve()).then(() => this.follow(tenantId, stationId, evseId, connectorStatus));
    const tail = next.catch(() => undefined);
    this.chains.set(k, tail);
    void tail.then(() => {
      if (this.chains.get(k) === tail) this.chains.delete(k);
    });
    return next;
  }

  /** Resolves when every connector status received so far has moved its session (read-your-writes for the API). */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private async follow(tenantId: string, stationId: string, evseId: number, connectorStatus: string): Promise<void> {
    const status = CONNECTOR_STATUS_16[connectorStatus];
    if (!status) return;
    // Nothing to write when the session open on the connector is known to be in that status already.
    if (this.deps.connectors.hasStatus(tenantId, stationId, evseId, status)) return;
    const now = this.deps.clock.now();
    // Group-committed with the TransactionUpdated events it causes (create.ts); keyed by connector, so in order.
    const moved = await this.deps.follows.submit({ tenantId, stationId, evseId, status, now }, connectorKey(tenantId, stationId, evseId));
    const row = moved.reduce<SessionHead | undefined>((newest, r) => (!newest || r.started_at > newest.started_at ? r : newest), undefined);
    if (row) this.deps.connectors.opened(tenantId, stationId, evseId, row.id, row.status);
  }
}
