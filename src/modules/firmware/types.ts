import type { CallOptions } from '../../platform/requester.js';

export type OcppVersionLabel = '1.6' | '2.0.1' | '2.1';

/** Where one station stands in an update, whatever its OCPP version calls the steps. */
export type UpdateProgress = 'pending' | 'sent' | 'downloading' | 'installing' | 'installed' | 'failed' | 'cancelled';

export const FINISHED: ReadonlySet<UpdateProgress> = new Set(['installed', 'failed', 'cancelled']);

/**
 * FirmwareStatus (1.6 §7.25, 1.6 security FirmwareStatusEnumType, 2.0.1 FirmwareStatusEnumType)
 * mapped to progress; statuses not listed (Idle) leave the progress as it is.
 */
export function progressOf(status: string): UpdateProgress | undefined {
  switch (status) {
    case 'DownloadScheduled':
    case 'Downloading':
    case 'DownloadPaused':
    case 'Downloaded':
    case 'SignatureVerified':
      return 'downloading';
    case 'InstallScheduled':
    case 'Installing':
    case 'InstallRebooting':
      return 'installing';
    case 'Installed':
      return 'installed';
    case 'DownloadFailed':
    case 'InstallationFailed':
    case 'InstallVerificationFailed':
    case 'InvalidSignature':
      return 'failed';
    default:
      return undefined;
  }
}

export interface FirmwareImageView {
  id: string;
  name: string;
  version: string | null;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  signed: boolean;
  createdAt: string;
}

export interface UploadImageInput {
  name: string;
  version?: string | undefined;
  fileName: string;
  contentType: string;
  data: Buffer;
  signature?: string | undefined;
  signingCertificate?: string | undefined;
}

export interface FirmwareUpdateView {
  requestId: number;
  stationId: string;
  imageId: string;
  campaignId: string | null;
  action: string;
  status: string;
  progress: UpdateProgress;
  createdAt: string;
  updatedAt: string;
}

export interface StationFirmwareView {
  stationId: string;
  current: FirmwareUpdateView | null;
  history: { requestId: number | null; status: string; at: string }[];
}

export interface UpdateOptions {
  retrieveAt?: Date | undefined;
  installAt?: Date | undefined;
  retries?: number | undefined;
  retryIntervalS?: number | undefined;
  campaignId?: string | undefined;
}

/** The station side the firmware module needs: send a CALL, and know the link's version. */
export interface StationChannel {
  send(tenantId: string, stationId: string, action: string, payload: Record<string, unknown>, call: CallOptions): Promise<Record<string, unknown>>;
  isConnected(stationId: string): boolean;
  /** The version of the live link; undefined when the station is not connected to this node. */
  versionOf(tenantId: string, stationId: string): OcppVersionLabel | undefined;
}

/** Builds the absolute URL a station uses for a signed path (the server's public base). */
export type PublicUrl = (path: string) => string;

export interface CreateCampaignInput {
  imageId: string;
  stationIds: string[];
  canarySize: number;
  batchSize: number;
  failureThresholdPercent: number;
  installTimeoutS: number;
}

export type CampaignStatus = 'running' | 'paused' | 'completed' | 'cancelled';

export interface CampaignTargetView {
  stationId: string;
  batch: number;
  progress: UpdateProgress;
  requestId: number | null;
  detail: string | null;
}

export interface CampaignView {
  id: string;
  imageId: string;
  status: CampaignStatus;
  canarySize: number;
  batchSize: number;
  failureThresholdPercent: number;
  installTimeoutS: number;
  currentBatch: number;
  batches: number;
  pausedReason: string | null;
  counts: Record<UpdateProgress, number>;
  createdAt: string;
  updatedAt: string;
  targets: CampaignTargetView[];
}

/** What the firmware routes ask of the stations module. */
export interface StationDirectory {
  /** Throws NotFound when the station is not the tenant's. */
  get(tenantId: string, stationId: string): Promise<unknown>;
  idsAtSite(tenantId: string, siteId: string): Promise<string[]>;
}
