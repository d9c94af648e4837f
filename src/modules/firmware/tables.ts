import type { Generated } from 'kysely';

export interface FirmwareImagesTable {
  id: string;
  tenant_id: string;
  name: string;
  version: string | null;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  /** The image itself: see docs/adr/019-firmware-and-log-files-in-the-database.md. */
  data: Uint8Array;
  signature: string | null;
  signing_certificate: string | null;
  created_at: Date;
}

/** One UpdateFirmware/SignedUpdateFirmware sent to one station; its id is the OCPP requestId. */
export interface FirmwareUpdatesTable {
  id: Generated<number>;
  tenant_id: string;
  station_id: string;
  image_id: string;
  campaign_id: string | null;
  action: string;
  /** The station's last reported FirmwareStatus, or Sent / Rejected / the send error. */
  status: string;
  progress: string;
  created_at: Date;
  updated_at: Date;
}

export interface FirmwareStatusEventsTable {
  id: Generated<number>;
  tenant_id: string;
  station_id: string;
  update_id: number | null;
  status: string;
  at: Date;
}

export interface FirmwareCampaignsTable {
  id: string;
  tenant_id: string;
  image_id: string;
  status: string;
  canary_size: number;
  batch_size: number;
  failure_threshold_percent: number;
  install_timeout_s: number;
  current_batch: number;
  paused_reason: string | null;
  /** Failures and finishes seen before the last resume; the threshold judges only what came after. */
  acknowledged_failed: number;
  acknowledged_finished: number;
  created_at: Date;
  updated_at: Date;
}

export interface FirmwareCampaignTargetsTable {
  campaign_id: string;
  tenant_id: string;
  station_id: string;
  batch: number;
  progress: string;
  update_id: number | null;
  detail: string | null;
  deadline_at: Date | null;
  updated_at: Date;
}

export interface FileLinkKeysTable {
  id: string;
  secret: string;
}

export interface FirmwareTables {
  firmware_images: FirmwareImagesTable;
  firmware_updates: FirmwareUpdatesTable;
  firmware_status_events: FirmwareStatusEventsTable;
  firmware_campaigns: FirmwareCampaignsTable;
  firmware_campaign_targets: FirmwareCampaignTargetsTable;
  file_link_keys: FileLinkKeysTable;
}
