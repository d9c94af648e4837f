import type { Clock } from '../../platform/clock.js';
import type { RequestedBy } from '../../platform/requester.js';
import { DomainError } from '../../platform/errors.js';
import type { TokenView } from '../authorization/index.js';
import { applyMessage, desiredEntries, differences, entryKey, planMessages, type ListChange, type LocalListEntry, type LocalListProtocol, type PlannedMessage } from './local-list-plan.js';
import type { LocalListStore } from './local-list-store.js';

/** The station side of local lists, implemented by the OCPP adapter for each version. */
export interface LocalListChannel {
  /** Throws StationOffline when the station is not connected. */
  protocolOf(tenantId: string, stationId: string): LocalListProtocol;
  /** The station's size limits; unknown ones are left out. */
  limits(tenantId: string, stationId: string, requestedBy: RequestedBy): Promise<LocalListLimits>;
  send(tenantId: string, stationId: string, message: PlannedMessage, requestedBy: RequestedBy): Promise<{ status: string }>;
  version(tenantId: string, stationId: string, requestedBy: RequestedBy): Promise<number>;
}

export interface LocalListLimits {
  /** 1.6 SendLocalListMaxLength; 2.0.1 LocalAuthListCtrlr.ItemsPerMessage. */
  itemsPerMessage?: number | undefined;
  /** 1.6 LocalAuthListMaxLength; 2.0.1 LocalAuthListCtrlr.Entries maxLimit. */
  maxEntries?: number | undefined;
}

/** Every token of a tenant (the authorization module, paged through). */
export type TokenSource = (tenantId: string) => Promise<TokenView[]>;

export interface SyncRequest {
  mode: 'full' | 'differential';
  /** Given by the caller; otherwise read from the station. */
  limits?: LocalListLimits | undefined;
  /** Who asked for the sync (the command history's requestedBy of each message). */
  requestedBy: RequestedBy;
}

export interface SyncResult {
  /** The status of the last message sent ('Accepted' when every message was). */
  status: string;
  updateType: 'Full' | 'Differential';
  /** The list version the station holds if every message was accepted. */
  versionNumber: number | null;
  entries: number;
  messages: { updateType: 'Full' | 'Differential'; versionNumber: number; entries: number; status: string }[];
  /** A differential was asked, but there was no accepted list to compare with, or the station refused it (D01.FR.03). */
  fellBackToFull: boolean;
  /** Tokens left out because the station's version cannot carry them (1.6 idTag longer than 20). */
  skipped: string[];
  limits: LocalListLimits;
}

export interface LocalListState {
  stationId: string;
  sentVersion: number;
  acceptedVersion: number | null;
  reportedVersion: number | null;
  reportedAt: string | null;
  lastUpdateType: string | null;
  lastStatus: string | null;
  syncedAt: string | null;
  entries: LocalListEntry[];
}

/** Builds, sends and tracks each station's local authorization list (1.6 §5.15/§5.10, 2.0.1 D01/D02). */
export class LocalListService {
  /** One update at a time per station: two at once would both number their lists from the same state. */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: { store: LocalListStore; channel: LocalListChannel; tokens: TokenSource; clock: Clock }) {}

  sync(tenantId: string, stationId: string, request: SyncRequest): Promise<SyncResult> {
    const key = `${tenantId}\u0000${stationId}`;
    const previous = this.running.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.syncOnce(tenantId, stationId, request));
    this.running.set(key, next);
    const cleanup = () => {
      if (this.running.get(key) === next) this.running.delete(key);
    };
    next.then(cleanup, cleanup);
    return next;
  }

  private async syncOnce(tenantId: string, stationId: string, request: SyncRequest): Promise<SyncResult> {
    const { store, channel, clock } = this.deps;
    const protocol = channel.protocolOf(tenantId, stationId);
    const { entries: desired, skipped } = desiredEntries(await this.deps.tokens(tenantId), stationId, protocol, clock.now());
    const limits = request.limits ?? (await channel.limits(tenantId, stationId, request.requestedBy));
    if (limits.maxEntries !== undefined && desired.size > limits.maxEntries) {
      throw new DomainError('Conflict', `the list for ${stationId} has ${desired.size} entries; the station holds at most ${limits.maxEntries}`, {
        entries: desired.size,
        maxEntries: limits.maxEntries,
      });
    }
    const state = await store.state(tenantId, stationId);
    let accepted = await store.entries(tenantId, stationId);
    const base = Math.max(state?.sent_version ?? 0, state?.accepted_version ?? 0, state?.reported_version ?? 0);
    const wantsDifferential = request.mode === 'differential' && state?.accepted_version != null;
    const plan = wantsDifferential
      ? planMessages('Differential', differences(accepted, desired), base + 1, limits.itemsPerMessage)
      : planMessages('Full', fullChanges(desired), base + 1, limits.itemsPerMessage);

    const result: SyncResult = {
      status: 'Accepted',
      updateType: wantsDifferential ? 'Differential' : 'Full',
      versionNumber: null,
      entries: desired.size,
      messages: [],
      fellBackToFull: request.mode === 'differential' && !wantsDifferential,
      skipped,
      limits,
    };
    let acceptedVersion = state?.accepted_version ?? null;
    for (const message of plan) {
      await store.saveState(tenantId, stationId, { sent_version: message.version });
      const { status } = await channel.send(tenantId, stationId, message, request.requestedBy);
      result.messages.push({ updateType: message.updateType, versionNumber: message.version, entries: message.changes.length, status });
      result.status = status;
      if (status !== 'Accepted') break;
      // Each accepted part is on the station now: the snapshot follows it part by part.
      accepted = applyMessage(accepted, message);
      acceptedVersion = message.version;
    }
    if (result.status === 'Accepted') result.versionNumber = acceptedVersion;
    if (plan.length === 0) {
      // Already in sync: nothing was sent, nothing on the station changed.
      await store.saveState(tenantId, stationId, { synced_at: clock.now() });
      return result;
    }
    await store.saveAccepted(tenantId, stationId, accepted, {
      accepted_version: acceptedVersion,
      last_update_type: result.messages[result.messages.length - 1]?.updateType ?? null,
      last_status: result.status,
      synced_at: clock.now(),
    });
    const first = result.messages[0];
    if (wantsDifferential && first && (first.status === 'Failed' || first.status === 'VersionMismatch')) {
      // D01.FR.03: a refused differential is followed by the full list.
      const full = await this.syncOnce(tenantId, stationId, { mode: 'full', limits, requestedBy: request.requestedBy });
      return { ...full, messages: [...result.messages, ...full.messages], fellBackToFull: true };
    }
    return result;
  }

  /** Asks the station its list version (1.6 §5.10, D02) and keeps the answer. */
  async refreshVersion(tenantId: string, stationId: string, requestedBy: RequestedBy): Promise<LocalListState> {
    const version = await this.deps.channel.version(tenantId, stationId, requestedBy);
    await this.deps.store.saveState(tenantId, stationId, { reported_version: version, reported_at: this.deps.clock.now() });
    return this.state(tenantId, stationId);
  }

  async state(tenantId: string, stationId: string): Promise<LocalListState> {
    const row = await this.deps.store.state(tenantId, stationId);
    const entries = [...(await this.deps.store.entries(tenantId, stationId)).values()].sort((a, b) => entryKey(a.uid, a.type).localeCompare(entryKey(b.uid, b.type)));
    return {
      stationId,
      sentVersion: row?.sent_version ?? 0,
      acceptedVersion: row?.accepted_version ?? null,
      reportedVersion: row?.reported_version ?? null,
      reportedAt: row?.reported_at ? new Date(row.reported_at).toISOString() : null,
      lastUpdateType: row?.last_update_type ?? null,
      lastStatus: row?.last_status ?? null,
      syncedAt: row?.synced_at ? new Date(row.synced_at).toISOString() : null,
      entries,
    };
  }
}

function fullChanges(desired: Map<string, LocalListEntry>): ListChange[] {
  return [...desired].map(([key, entry]) => ({ key, uid: entry.uid, type: entry.type, entry }));
}
