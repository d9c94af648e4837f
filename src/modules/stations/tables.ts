import type { Generated } from 'kysely';

export interface StationsTable {
  id: string;
  tenant_id: string;
  site_id: string | null;
  password_hash: string | null;
  security_profile: number;
  /** What the next BootNotification is answered: Accepted, Pending or Rejected. */
  boot_policy: string;
  ocpp_version: string | null;
  registered_by: string;
  vendor: string | null;
  model: string | null;
  serial_number: string | null;
  firmware_version: string | null;
  iccid: string | null;
  imsi: string | null;
  last_boot_status: string | null;
  last_boot_at: Date | null;
  online: Generated<boolean>;
  connected_at: Date | null;
  disconnected_at: Date | null;
  last_seen_at: Date | null;
  created_at: Generated<Date>;
}

export interface StationConnectorsTable {
  tenant_id: string;
  station_id: string;
  evse_id: number;
  connector_id: number;
  status: string;
  error_code: string | null;
  info: string | null;
  vendor_error_code: string | null;
  status_at: Date;
}

export interface StationSecurityEventsTable {
  id: Generated<number>;
  tenant_id: string;
  station_id: string;
  type: string;
  tech_info: string | null;
  occurred_at: Date;
}

export interface StationFramesTable {
  id: Generated<number>;
  tenant_id: string;
  station_id: string;
  at: Date;
  direction: string;
  frame: string;
}

export interface StationsTables {
  station_frames: StationFramesTable;
  stations: StationsTable;
  station_connectors: StationConnectorsTable;
  station_security_events: StationSecurityEventsTable;
}
