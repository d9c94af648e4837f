import type { DomainEvent } from '../../platform/bus.js';
import type { UpdateProgress } from './types.js';

/** A station reported a firmware status (FirmwareStatusNotification / SignedFirmwareStatusNotification) or a send settled. */
export type FirmwareStatusChanged = DomainEvent<
  'FirmwareStatusChanged',
  { stationId: string; requestId: number | null; campaignId: string | null; status: string; progress: UpdateProgress | null }
>;
export type FirmwareCampaignChanged = DomainEvent<
  'FirmwareCampaignChanged',
  { campaignId: string; status: string; batch: number; reason: string | null }
>;

export type FirmwareEvent = FirmwareStatusChanged | FirmwareCampaignChanged;
