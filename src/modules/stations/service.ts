import type { Clock } from '../../platform/clock.js';
import type { EventBus } from '../../platform/bus.js';
import { DomainError } from '../../platform/errors.js';
import { hashPassword, type ScryptCost } from '../../platform/passwords.js';
import type { StationsStore, StationRow, ConnectorRow } from './store.js';
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

export interface StationsServiceDeps {
  store: StationsStore;
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

export class StationsService {
  private readonly gates: BootGate[] = [];

  constructor(private readonly deps: StationsServiceDeps) {}

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
    return this.get(tenantId, input.id);
  }

  /** --auto-register: an unknown station that connects is added with no authentication. */
  async autoRegister(tenantId: string, id: string, bootPolicy: BootStatus): Promise<StationCredentials> {
    await this.deps.store.insert({
      id,
      tenant_id: tenantId,
      site_id: null,
      password_hash: null,
      security_profile: 0,
      boot_policy: bootPolicy,
      ocpp_version: null,
      registered_by: 'auto',
    });
    const row = await this.deps.store.findById(id);
    if (!row) throw new DomainError('NotFound', `station ${id} vanished while registering`);
    return credentialsOf(row);
  }

  async credentials(id: string): Promise<StationCredentials | undefined> {
    const row = await this.deps.store.findById(id);
    return row ? credentialsOf(row) : undefined;
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
    return this.get(tenantId, id);
  }

  async get(tenantId: string, id: string): Promise<StationView> {
    const row = await this.deps.store.find(tenantId, id);
    if (!row) throw new DomainError('NotFound', `station ${id} not found`);
    const connectors = await this.deps.store.connectors(tenantId, [id]);
    return toView(row, connectors);
  }

  async list(tenantId: string, options: { limit: number; after?: string | undefined; siteId?: string | undefined }): Promise<StationView[]> {
    const rows = await this.deps.store.list(tenantId, options);
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
    return rows.map((row) => toView(row, byStation.get(row.id) ?? []));
  }

  async connected(tenantId: string, stationId: string, ocppVersion: OcppVersionLabel, remoteAddress: string | undefined): Promise<void> {
    const at = this.deps.clock.now();
    await this.deps.store.update(tenantId, stationId, { online: true, connected_at: at, last_seen_at: at, ocpp_version: ocppVersion });
    this.publish({ type: 'StationConnected', tenantId, occurredAt: at, payload: { stationId, ocppVersion, remoteAddress } });
  }

  async disconnected(tenantId: string, stationId: string, reason: string): Promise<void> {
    const at = this.deps.clock.now();
    await this.deps.store.update(tenantId, stationId, { online: false, disconnected_at: at });
    this.publish({ type: 'StationDisconnected', tenantId, occurredAt: at, payload: { stationId, reason } });
  }

  async boot(tenantId: string, stationId: string, info: BootInfo): Promise<BootDecision> {
    const row = await this.deps.store.find(tenantId, stationId);
    if (!row) throw new DomainError('NotFound', `station ${stationId} not found`);
    let status = parseBootStatus(row.boot_policy);
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
    await this.deps.store.update(tenantId, stationId, {
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
    return { status, intervalS: status === 'Accepted' ? this.deps.heartbeatIntervalS : this.deps.bootRetryIntervalS };
  }

  async heartbeat(tenantId: string, stationId: string): Promise<Date> {
    const at = this.deps.clock.now();
    await this.deps.store.update(tenantId, stationId, { last_seen_at: at });
    return at;
  }

  async connectorStatus(tenantId: string, stationId: string, report: ConnectorStatusReport): Promise<void> {
    const { previousStatus, applied } = await this.deps.store.upsertConnectorStatus({
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
    // An old report delivered late (offline queue) must not overwrite a newer state.
    if (!applied) return;
    this.publish({
      type: 'ConnectorStatusChanged',
      tenantId,
      occurredAt: this.deps.clock.now(),
      payload: {
        stationId,
        evseId: report.evseId,
        connectorId: report.connectorId,
        status: report.status,
        previousStatus,
        errorCode: report.errorCode ?? null,
        at: report.timestamp.toISOString(),
      },
    });
  }

  async securityEvent(tenantId: string, stationId: string, type: string, techInfo: string | null): Promise<void> {
    const at = this.deps.clock.now();
    await this.deps.store.addSecurityEvent({ tenant_id: tenantId, station_id: stationId, type, tech_info: techInfo, occurred_at: at });
    this.publish({ type: 'StationSecurityEvent', tenantId, occurredAt: at, payload: { stationId, type, techInfo } });
  }

  async securityEvents(tenantId: string, stationId: string, limit = 100) {
    const rows = await this.deps.store.securityEvents(tenantId, stationId, limit);
    return rows.map((r) => ({ id: Number(r.id), type: r.type, techInfo: r.tech_info, occurredAt: r.occurred_at.toISOString() }));
  }

  /** At start-up of a single node: nobody is connected yet, whatever the last run left behind. */
  async resetPresence(): Promise<void> {
    await this.deps.store.markAllOffline(this.deps.clock.now());
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
