import type { Generated } from 'kysely';

/** One GetDiagnostics / GetLog sent to a station; its id is the OCPP requestId. */
export interface LogRequestsTable {
  id: Generated<number>;
  tenant_id: string;
  station_id: string;
  action: string;
  log_type: string;
  /** The station's answer (Accepted, Rejected…) then its last upload status (Uploading, Uploaded…). */
  status: string;
  file_name: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface LogStatusEventsTable {
  id: Generated<number>;
  tenant_id: string;
  station_id: string;
  request_id: number | null;
  status: string;
  at: Date;
}

export interface LogFilesTable {
  id: string;
  tenant_id: string;
  station_id: string;
  request_id: number;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  data: Uint8Array;
  uploaded_at: Date;
}

export interface DiagnosticsTables {
  log_requests: LogRequestsTable;
  log_status_events: LogStatusEventsTable;
  log_files: LogFilesTable;
}
