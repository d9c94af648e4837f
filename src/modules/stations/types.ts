import type { CallOptions } from '../../platform/requester.js';

export type BootStatus = 'Accepted' | 'Pending' | 'Rejected';
export const BOOT_STATUSES: readonly BootStatus[] = ['Accepted', 'Pending', 'Rejected'];

/** Security profile 0 (no authentication) is only ever set by an operator, per station. */
export type SecurityProfile = 0 | 1 | 2 | 3;

export type OcppVersionLabel = '1.6' | '2.0.1' | '2.1';

export interface ConnectorView {
  connectorId: number;
  status: string;
  errorCode: string | null;
  info: string | null;
  vendorErrorCode: string | null;
  statusAt: string;
}

export interface EvseView {
  evseId: number;
  connectors: ConnectorView[];
}

export interface StationView {
  id: string;
  tenantId: string;
  siteId: string | null;
  online: boolean;
  ocppVersion: OcppVersionLabel | null;
  securityProfile: SecurityProfile;
  hasPassword: boolean;
  bootPolicy: BootStatus;
  lastBootStatus: BootStatus | null;
  lastBootAt: string | null;
  registeredBy: 'operator' | 'auto';
  vendor: string | null;
  model: string | null;
  serialNumber: string | null;
  firmware: string | null;
  iccid: string | null;
  imsi: string | null;
  connectedAt: string | null;
  disconnectedAt: string | null;
  lastSeen: string | null;
  createdAt: string;
  /** Station-wide status (1.6 connector 0), when reported. */
  stationStatus: ConnectorView | null;
  evses: EvseView[];
}

/** What the gateway needs to let a socket in, before any tenant is known. */
export interface StationCredentials {
  id: string;
  tenantId: string;
  securityProfile: SecurityProfile;
  passwordHash: string | null;
  lastBootStatus: BootStatus | null;
  /** A01: a rotated password the station has been sent but not yet confirmed; accepted too. */
  pendingPasswordHash?: string | undefined;
  /** A05: a higher profile the station was told to move to; admitted alongside the current one. */
  pendingSecurityProfile?: 2 | 3 | undefined;
}

export interface BootInfo {
  vendor: string;
  model: string;
  serialNumber?: string | undefined;
  firmware?: string | undefined;
  iccid?: string | undefined;
  imsi?: string | undefined;
  reason?: string | undefined;
}

export interface BootDecision {
  status: BootStatus;
  intervalS: number;
}

export interface ConnectorStatusReport {
  evseId: number;
  connectorId: number;
  status: string;
  errorCode?: string | undefined;
  info?: string | undefined;
  vendorErrorCode?: string | undefined;
  timestamp: Date;
}

export interface RegisterStationInput {
  id: string;
  password?: string | undefined;
  ocppVersion?: OcppVersionLabel | undefined;
  securityProfile?: SecurityProfile | undefined;
  siteId?: string | undefined;
  bootPolicy?: BootStatus | undefined;
}

export interface UpdateStationInput {
  password?: string | undefined;
  securityProfile?: SecurityProfile | undefined;
  siteId?: string | null | undefined;
  bootPolicy?: BootStatus | undefined;
  ocppVersion?: OcppVersionLabel | null | undefined;
}

/**
 * Later modules (desired configuration, approval queues) can hold a booting station in Pending.
 * The first gate that answers Pending wins.
 */
export type BootGate = (station: { tenantId: string; stationId: string; info: BootInfo }) => Promise<BootStatus | undefined>;

/** Sends a CSMS-initiated OCPP call to a station wherever its socket is; implemented by the gateway. */
export interface StationCommands {
  send(tenantId: string, stationId: string, action: string, payload: Record<string, unknown>, call: CallOptions): Promise<Record<string, unknown>>;
  isConnected(stationId: string): boolean;
  frames(stationId: string): { at: string; direction: 'in' | 'out'; frame: string }[];
}

/** Sites are another module's; stations only ask whether one exists. */
export interface SiteLookup {
  exists(tenantId: string, siteId: string): Promise<boolean>;
}

export interface SecurityEventQuery {
  stationId?: string | undefined;
  type?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export interface SecurityEventView {
  id: number;
  stationId: string;
  type: string;
  techInfo: string | null;
  occurredAt: string;
}
