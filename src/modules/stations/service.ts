import type { Clock } from '../../platform/clock.js';
import type { EventBus } from '../../platform/bus.js';
import { DomainError } from '../../platform/errors.js';
import { hashPassword, type ScryptCost } from '../../platform/passwords.js';
import { Batcher } from '../../platform/batcher.js';
import type { StationsStore, StationRow, ConnectorRow, NewStationRow, StationFilter } from './store.js';
import { mapPage, type ListWindowQuery } from '../../platform/list-sort.js';
import type { Page } from '../../platform/pagination.js';
import { SECURITY_EVENT_SORT, STATION_SORT } from './station-sort.js';
import type { StationStateWriter } from './state-writer.js';
import type { StationsEvent } from './events.js';
import {
  BOOT_STATUSES,
  type BootDecision,
  type BootGate,
  type BootInfo,
  type BootStatus,
  type ConnectorStatusReport,
  type ConnectorView,
  type EvseView,
  type OcppVersionLabel,
  type RegisterStationInput,
  type SecurityProfile,
  type StationCredentials,
  type StationView,
  type UpdateStationInput,
} from './types.js';
import type { SecurityEventQuery, SecurityEventView } from './types.js';

export interface StationsServiceDeps {
  store: StationsStore;
  writer: StationStateWriter;
  bus: EventBus;
  clock: Clock;
  heartbeatIntervalS: number;
  /** How long a Pending or Rejected station waits before booting again. */
  bootRetryIntervalS: number;
  passwordCost?: ScryptCost;
}

const STATION_ID_MAX = 48;

/** Station identity rules from OCPP 2.0.1 part 4 §3.1.1 (identifierString, ≤ 48, no ':'). */
export function checkStationId(id: string): string | undefined {
  if (id.length === 0) return 'station id must not be empty';
  if (id.length > STATION_ID_MAX) return `station id must be at most ${STATION_ID_MAX} characters`;
  if (id.includes(':')) return "station id must not contain ':'";
  if (/[\s/]/.test(id) || !/^[\x21-\x7e]+$/.test(id)) return 'station id must be printable ASCII without spaces or slashes';
  return undefined;
}

/** What the hot path (handshake, boot) needs, kept in memory so a reconnect costs no query. */
interface CachedStation extends StationCredentials {
  bootPolicy: BootStatus;
}

interface KnownConnector {
  status: string;
  atMs: number;
}

export class StationsService {
  private readonly gates: BootGate[] = [];
  private readonly cache = new Map<string, CachedStation>();
  /** Last status per connector, per station; loaded from the database once per station. */
  private readonly connectorsKnown = new Map<string, Promise<Map<string, KnownConnector>>>();
  private readonly rowLoader: Batcher<string, StationRow>;
  private readonly autoInserter: Batcher<string, boolean>;
  private readonly autoRows = new Map<string, NewStationRow>();

  constructor(private readonly deps: StationsServiceDeps) {
    this.rowLoader = new Batcher(async (ids) => new Map((await deps.store.findMany(ids)).map((row) => [row.id, row])));
    this.autoInserter = new Batcher(async (ids) => {
      const rows = ids.map((id) => this.autoRows.get(id)).filter((r): r is NewStationRow => r !== undefined);
      for (const id of ids) this.autoRows.delete(id);
      const inserted = await deps.store.insertMissing(rows);
      return new Map(ids.map((id) => [id, inserted.has(id)]));
    });
  }

  addBootGate(gate: BootGate): void {
    this.gates.push(gate);
  }

  async register(tenantId: string, input: RegisterStationInput): Promise<StationView> {
    const problem = checkStationId(input.id);
    if (problem) throw new DomainError('InvalidInput', problem, { field: 'id' });
    const securityProfile = input.securityProfile ?? 1;
    if (securityProfile >= 1 && securityProfile <= 2 && !input.password) {
      throw new DomainError('InvalidInput', `security profile ${securityProfile} needs a password (HTTP Basic)`, { field: 'password' });
    }
    if (input.password !== undefined) checkPassword(input.password);
    const inserted = await this.deps.store.insert({
      id: input.id,
      tenant_id: tenantId,
      site_id: input.siteId ?? null,
      password_hash: input.password ? await hashPassword(input.password, this.deps.passwordCost) : null,
      security_profile: securityProfile,
      boot_policy: input.bootPolicy ?? 'Accepted',
      ocpp_version: input.ocppVersion ?? null,
      registered_by: 'operator',
    });
    if (!inserted) throw new DomainError('AlreadyExists', `station ${input.id} is already registered`, { field: 'id' });
    this.cache.delete(input.id);
    return this.get(tenantId, input.id);
  }

  /** --auto-register: an unknown station that connects is added with no authentication. */
  async autoRegister(tenantId: string, id: string, bootPolicy: BootStatus): Promise<StationCredentials> {
    this.autoRows.set(id, {
      id,
      tenant_id: tenantId,
      site_id: null,
      password_hash: null,
      security_profile: 0,
      boot_policy: bootPolicy,
      ocpp_version: null,
      registered_by: 'auto',
    });
    const inserted = await this.autoInserter.load(id);
    if (inserted) {
      // Brand new: nothing to read back, and it has no connectors yet.
      const entry: CachedStation = { id, tenantId, securityProfile: 0, passwordHash: null, lastBootStatus: null, bootPolicy };
      this.cache.set(id, entry);
      this.connectorsKnown.set(id, Promise.resolve(new Map()));
      return entry;
    }
    this.cache.delete(id);
    const cached = await this.cached(id);
    if (!cached) throw new DomainError('NotFound', `station ${id} vanished while registering`);
    return cached;
  }

  credentials(id: string): Promise<StationCredentials | undefined> {
    return this.cached(id);
  }

  private async cached(id: string): Promise<CachedStation | undefined> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const row = await this.rowLoader.load(id);
    if (!row) return undefined;
    const entry: CachedStation = { ...credentialsOf(row), bootPolicy: parseBootStatus(row.boot_policy) };
    this.cache.set(id, entry);
    return entry;
  }

  async update(tenantId: string, id: string, input: UpdateStationInput): Promise<StationView> {
    const current = await this.deps.store.find(tenantId, id);
    if (!current) throw new DomainError('NotFound', `station ${id} not found`);
    const changes: Partial<StationRow> = {};
    if (input.password !== undefined) {
      checkPassword(input.password);
      changes.password_hash = await hashPassword(input.password, this.deps.passwordCost);
    }
    if (input.securityProfile !== undefined) {
      const hasPassword = changes.password_hash ?? current.password_hash;
      if (input.securityProfile >= 1 && input.securityProfile <= 2 && !hasPassword) {
        throw new DomainError('InvalidInput', `security profile ${input.securityProfile} needs a password; set "password" too`, {
          field: 'securityProfile',
        });
      }
      changes.security_profile = input.securityProfile;
    }
    if (input.bootPolicy !== undefined) changes.boot_policy = input.bootPolicy;
    if (input.siteId !== undefined) changes.site_id = input.siteId;
    if (input.ocppVersion !== undefined) changes.ocpp_version = input.ocppVersion;
    if (Object.keys(changes).length > 0) await this.deps.store.update(tenantId, id, changes);
    this.cache.delete(id);
    return this.get(tenantId, id);
  }

  /**
   * Stores an already salted hash as the station password (A01 rotation: the hash of the
   * password the station accepted, so the clear text never waits in memory) and drops the
   * cached credentials.
   */
  async setPasswordHash(tenantId: string, id: string, passwordHash: string): Promise<void> {
    const found = await this.deps.store.update(tenantId, id, { password_hash: passwordHash });
    this.cache.delete(id);
    if (!found) throw new DomainError('NotFound', `station ${id} not found`);
  }

  async get(tenantId: string, id: string): Promise<StationView> {
    await this.deps.writer.flush();
    const row = await this.deps.store.find(tenantId, id);
    if (!row) throw new DomainError('NotFound', `station ${id} not found`);
    const connectors = await this.deps.store.connectors(tenantId, [id]);
    return toView(row, connectors);
  }

  stationIdsOfSites(tenantId: string, siteIds: readonly string[]): Promise<string[]> {
    return this.deps.store.idsOfSites(tenantId, siteIds);
  }

  /** Stations by id, after the id `after`. */
  async list(tenantId: string, options: StationFilter & { limit: number; after?: string | undefined }): Promise<StationView[]> {
    const { limit, after, ...filter } = options;
    return (await this.page(tenantId, filter, { limit, after })).items;
  }

  /** One page of the API's list, in `sort` order (ADR 025). */
  async page(tenantId: string, filter: StationFilter, options: ListWindowQuery): Promise<Page<StationView>> {
    await this.deps.writer.flush();
    const window = STATION_SORT.window(options);
    const page = window.page(await this.deps.store.list(tenantId, filter, window));
    const rows = page.items;
    const connectors = await this.deps.store.connectors(
      tenantId,
      rows.map((r) => r.id),
    );
    const byStation = new Map<string, ConnectorRow[]>();
    for (const c of connectors) {
      const list = byStation.get(c.station_id) ?? [];
      list.push(c);
      byStation.set(c.station_id, list);
    }
    return mapPage(page, (row) => toView(row, byStation.get(row.id) ?? []));
  }

  async connected(tenantId: string, stationId: string, ocppVersion: OcppVersionLabel, remoteAddress: string | undefined): Promise<void> {
    const at = this.deps.clock.now();
    this.deps.writer.patchStation(stationId, { online: true, connected_at: at, last_seen_at: at, ocpp_version: ocppVersion });
    this.publish({ type: 'StationConnected', tenantId, occurredAt: at, payload: { stationId, ocppVersion, remoteAddress } });
  }

  async disconnected(tenantId: string, stationId: string, reason: string): Promise<void> {
    const at = this.deps.clock.now();
    this.deps.writer.patchStation(stationId, { online: false, disconnected_at: at });
    this.publish({ type: 'StationDisconnected', tenantId, occurredAt: at, payload: { stationId, reason } });
  }

  async boot(tenantId: string, stationId: string, info: BootInfo): Promise<BootDecision> {
    const station = await this.cached(stationId);
    if (!station || station.tenantId !== tenantId) throw new DomainError('NotFound', `station ${stationId} not found`);
    let status = station.bootPolicy;
    if (status === 'Accepted') {
      for (const gate of this.gates) {
        const verdict = await gate({ tenantId, stationId, info });
        if (verdict && verdict !== 'Accepted') {
          status = verdict;
          break;
        }
      }
    }
    const at = this.deps.clock.now();
    // A changed acceptance is written before it is answered: a station that reconnects after a
    // CSMS crash does not boot again, and a lost Accepted would refuse its queued transaction
    // messages (B02.FR.09). An unchanged one (a reconnect storm) stays write-behind.
    const changed = station.lastBootStatus !== status;
    station.lastBootStatus = status;
    this.deps.writer.patchStation(stationId, {
      vendor: info.vendor,
      model: info.model,
      serial_number: info.serialNumber ?? null,
      firmware_version: info.firmware ?? null,
      iccid: info.iccid ?? null,
      imsi: info.imsi ?? null,
      last_boot_status: status,
      last_boot_at: at,
      last_seen_at: at,
    });
    this.publish({
      type: 'StationBooted',
      tenantId,
      occurredAt: at,
      payload: { stationId, status, vendor: info.vendor, model: info.model, firmware: info.firmware, reason: info.reason },
    });
    if (changed) await this.deps.writer.flush();
    return { status, intervalS: status === 'Accepted' ? this.deps.heartbeatIntervalS : this.deps.bootRetryIntervalS };
  }

  /** Any message from a station counts as a sign of life (1.6 §4.6, 2.0.1 G02). */
  seen(stationId: string, at: Date): void {
    this.deps.writer.patchStation(stationId, { last_seen_at: at });
  }

  async heartbeat(tenantId: string, stationId: string): Promise<Date> {
    const at = this.deps.clock.now();
    this.deps.writer.patchStation(stationId, { last_seen_at: at });
    return at;
  }

  async connectorStatus(tenantId: string, stationId: string, report: ConnectorStatusReport): Promise<void> {
    const known = await this.knownConnectors(tenantId, stationId);
    const key = `${report.evseId}/${report.connectorId}`;
    const previous = known.get(key);
    const atMs = report.timestamp.getTime();
    // An old report delivered late (offline queue) must not overwrite a newer state.
    if (previous && previous.atMs > atMs) return;
    known.set(key, { status: report.status, atMs });
    this.deps.writer.putConnector({
      tenant_id: tenantId,
      station_id: stationId,
      evse_id: report.evseId,
      connector_id: report.connectorId,
      status: report.status,
      error_code: report.errorCode ?? null,
      info: report.info ?? null,
      vendor_error_code: report.vendorErrorCode ?? null,
      status_at: report.timestamp,
    });
    this.publish({
      type: 'ConnectorStatusChanged',
      tenantId,
      occurredAt: this.deps.clock.now(),
      payload: {
        stationId,
        evseId: report.evseId,
        connectorId: report.connectorId,
        status: report.status,
        previousStatus: previous?.status ?? null,
        errorCode: report.errorCode ?? null,
        at: report.timestamp.toISOString(),
      },
    });
  }

  private knownConnectors(tenantId: string, stationId: string): Promise<Map<string, KnownConnector>> {
    let known = this.connectorsKnown.get(stationId);
    if (!known) {
      known = this.deps.store.connectors(tenantId, [stationId]).then(
        (rows) => new Map(rows.map((r) => [`${r.evse_id}/${r.connector_id}`, { status: r.status, atMs: r.status_at.getTime() }])),
      );
      this.connectorsKnown.set(stationId, known);
      known.catch(() => this.connectorsKnown.delete(stationId));
    }
    return known;
  }

  async securityEvent(tenantId: string, stationId: string, type: string, techInfo: string | null): Promise<void> {
    const at = this.deps.clock.now();
    await this.deps.store.addSecurityEvent({ tenant_id: tenantId, station_id: stationId, type, tech_info: techInfo, occurred_at: at });
    this.publish({ type: 'StationSecurityEvent', tenantId, occurredAt: at, payload: { stationId, type, techInfo } });
  }

  /** GET /api/v1/security-events (issue #4) and a station's own: searchable, sortable (ADR 025). */
  async searchSecurityEvents(tenantId: string, query: SecurityEventQuery & ListWindowQuery): Promise<Page<SecurityEventView>> {
    const window = SECURITY_EVENT_SORT.window(query);
    const rows = await this.deps.store.searchSecurityEvents(tenantId, query, window);
    return mapPage(window.page(rows), (r) => ({ id: Number(r.id), stationId: r.station_id, type: r.type, techInfo: r.tech_info, occurredAt: r.occurred_at.toISOString() }));
  }

  /** At start-up of a single node: nobody is connected yet, whatever the last run left behind. */
  async resetPresence(): Promise<void> {
    await this.deps.writer.flush();
    await this.deps.store.markAllOffline(this.deps.clock.now());
  }

  /** Writes what is pending (shutdown, tests). */
  flush(): Promise<void> {
    return this.deps.writer.flush();
  }

  private publish(event: StationsEvent): void {
    this.deps.bus.publish(event);
  }
}

function checkPassword(password: string): void {
  // 2.0.1 SecurityCtrlr.BasicAuthPassword is 16–40 characters; 1.6 AuthorizationKey 16–20 bytes
  // (or its 40-digit hex form). Accept the union, refuse anything shorter.
  if (password.length < 16 || password.length > 64) {
    throw new DomainError('InvalidInput', 'password must be 16 to 64 characters (OCPP basic-auth password rules)', { field: 'password' });
  }
}

export function parseBootStatus(value: string | null): BootStatus {
  return (BOOT_STATUSES as readonly string[]).includes(value ?? '') ? (value as BootStatus) : 'Accepted';
}

function credentialsOf(row: StationRow): StationCredentials {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    securityProfile: row.security_profile as SecurityProfile,
    passwordHash: row.password_hash,
    lastBootStatus: row.last_boot_status ? parseBootStatus(row.last_boot_status) : null,
  };
}

function iso(value: Date | null): string | null {
  return value ? value.toISOString() : null;
}

function connectorView(c: ConnectorRow): ConnectorView {
  return {
    connectorId: c.connector_id,
    status: c.status,
    errorCode: c.error_code,
    info: c.info,
    vendorErrorCode: c.vendor_error_code,
    statusAt: c.status_at.toISOString(),
  };
}

function toView(row: StationRow, connectors: ConnectorRow[]): StationView {
  const evses = new Map<number, EvseView>();
  let stationStatus: ConnectorView | null = null;
  for (const c of connectors) {
    if (c.evse_id === 0) {
      stationStatus = connectorView(c);
      continue;
    }
    let evse = evses.get(c.evse_id);
    if (!evse) {
      evse = { evseId: c.evse_id, connectors: [] };
      evses.set(c.evse_id, evse);
    }
    evse.connectors.push(connectorView(c));
  }
  return {
    id: row.id,
    tenantId: row.tenant_id,
    siteId: row.site_id,
    online: row.online,
    ocppVersion: row.ocpp_version as OcppVersionLabel | null,
    securityProfile: row.security_profile as SecurityProfile,
    hasPassword: row.password_hash !== null,
    bootPolicy: parseBootStatus(row.boot_policy),
    lastBootStatus: row.last_boot_status ? parseBootStatus(row.last_boot_status) : null,
    lastBootAt: iso(row.last_boot_at),
    registeredBy: row.registered_by === 'auto' ? 'auto' : 'operator',
    vendor: row.vendor,
    model: row.model,
    serialNumber: row.serial_number,
    firmware: row.firmware_version,
    iccid: row.iccid,
    imsi: row.imsi,
    connectedAt: iso(row.connected_at),
    disconnectedAt: iso(row.disconnected_at),
    lastSeen: iso(row.last_seen_at),
    createdAt: row.created_at.toISOString(),
    stationStatus,
    evses: [...evses.values()],
  };
}
