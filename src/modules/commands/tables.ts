import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string, string>;

/** One CSMS-initiated CALL and how it ended. */
export interface StationCommandsTable {
  id: Generated<string>;
  tenant_id: string;
  station_id: string;
  action: string;
  /** The request as sent, secrets redacted and large lists summarised. */
  request: Json<unknown>;
  /** An API principal's id, or 'system' for calls the CSMS makes on its own. */
  requested_by: string;
  started_at: Date;
  duration_ms: number;
  /** The answer's status field ('Accepted', 'Rejected', ...), 'Answered' when it has none, 'Error' on failure. */
  outcome: string;
  /** StationOffline | StationTimeout | StationCallError (+ the OCPP error code) | InvalidInput. */
  error: string | null;
  response: Json<unknown> | null;
}

/** What the CSMS believes about a station's local authorization list (1.6 §5.15/§5.10, 2.0.1 D01/D02). */
export interface StationLocalListsTable {
  tenant_id: string;
  station_id: string;
  /** The highest version sent; the next message uses a larger one. */
  sent_version: number;
  /** The version of the last list the station accepted in full; null before the first. */
  accepted_version: number | null;
  /** What GetLocalListVersion last answered; null before we asked. */
  reported_version: number | null;
  reported_at: Date | null;
  last_update_type: string | null;
  last_status: string | null;
  synced_at: Date | null;
}

/** The entries of the list the station last accepted: the base for a differential update. */
export interface StationLocalListEntriesTable {
  tenant_id: string;
  station_id: string;
  /** Upper-cased uid + '|' + type; a 1.6 entry has type ''. */
  key: string;
  entry: Json<unknown>;
}

/** A CustomerInformation report assembled from its NotifyCustomerInformation parts (N09/N10). */
export interface CustomerInformationReportsTable {
  tenant_id: string;
  station_id: string;
  request_id: number;
  requested_by: string;
  status: string;
  data: Generated<string>;
  parts: Generated<number>;
  generated_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
}

export interface CommandsTables {
  station_commands: StationCommandsTable;
  station_local_lists: StationLocalListsTable;
  station_local_list_entries: StationLocalListEntriesTable;
  customer_information_reports: CustomerInformationReportsTable;
}
