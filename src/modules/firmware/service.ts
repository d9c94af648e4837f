import { createHash } from 'node:crypto';
import type { EventBus } from '../../platform/bus.js';
import type { Clock } from '../../platform/clock.js';
import { DomainError, isDomainError } from '../../platform/errors.js';
import type { IdSource } from '../../platform/ids.js';
import type { RequestedBy } from '../../platform/requester.js';
import type { SignedLinks } from '../../platform/signed-links.js';
import type { FirmwareStatusChanged } from './events.js';
import { FirmwareStore, toImageView, toUpdateView } from './store.js';
import { mapPage, type ListWindowQuery } from '../../platform/list-sort.js';
import type { Page } from '../../platform/pagination.js';
import { IMAGE_SORT } from './firmware-sort.js';
import {
  progressOf,
  type FirmwareImageView,
  type FirmwareUpdateView,
  type PublicUrl,
  type StationChannel,
  type StationFirmwareView,
  type UpdateOptions,
  type UploadImageInput,
} from './types.js';

export const FIRMWARE_LINK_PURPOSE = 'firmware';
/** Where the station fetches images; outside /api so no API token is asked for. */
export const FIRMWARE_FILES_PREFIX = '/files/firmware';

export interface FirmwareServiceDeps {
  store: FirmwareStore;
  bus: EventBus;
  clock: Clock;
  ids: IdSource;
  links: SignedLinks;
  channel: StationChannel;
  publicUrl: PublicUrl;
  /** How long a download link stays valid after the retrieve time. */
  linkTtlMs: number;
}

/** Firmware images and the updates sent to single stations (1.6 §5.19, 1.6 security, 2.0.1 L01). */
export class FirmwareService {
  constructor(private readonly deps: FirmwareServiceDeps) {}

  async uploadImage(tenantId: string, input: UploadImageInput): Promise<FirmwareImageView> {
    if (input.data.length === 0) throw new DomainError('InvalidInput', 'the firmware image is empty', { field: 'body' });
    if ((input.signature === undefined) !== (input.signingCertificate === undefined)) {
      throw new DomainError('InvalidInput', 'a signed image needs both signature and signingCertificate', {
        field: input.signature === undefined ? 'signature' : 'signingCertificate',
      });
    }
    const row = {
      id: this.deps.ids.uuid(),
      tenant_id: tenantId,
      name: input.name,
      version: input.version ?? null,
      file_name: input.fileName,
      content_type: input.contentType,
      size_bytes: input.data.length,
      sha256: createHash('sha256').update(input.data).digest('hex'),
      data: input.data,
      signature: input.signature ?? null,
      signing_certificate: input.signingCertificate ?? null,
      created_at: this.deps.clock.now(),
    };
    await this.deps.store.insertImage(row);
    return toImageView(row);
  }

  async listImages(tenantId: string, query: ListWindowQuery): Promise<Page<FirmwareImageView>> {
    const window = IMAGE_SORT.window(query);
    return mapPage(window.page(await this.deps.store.listImages(tenantId, window)), toImageView);
  }

  async getImage(tenantId: string, id: string): Promise<FirmwareImageView> {
    return toImageView(await this.imageRow(tenantId, id));
  }

  async deleteImage(tenantId: string, id: string): Promise<void> {
    await this.imageRow(tenantId, id);
    if (await this.deps.store.imageInUse(tenantId, id)) throw new DomainError('Conflict', `firmware image ${id} is used by a running or paused campaign`);
    await this.deps.store.deleteImage(tenantId, id);
  }

  /** A download URL for the station, valid until `expiresMs`. */
  async downloadUrl(tenantId: string, imageId: string, expiresMs: number): Promise<string> {
    const image = await this.imageRow(tenantId, imageId);
    const path = this.deps.links.path({ purpose: FIRMWARE_LINK_PURPOSE, id: image.id, expiresMs });
    return this.deps.publicUrl(`${FIRMWARE_FILES_PREFIX}${path}/${encodeURIComponent(image.file_name)}`);
  }

  /** What the signed download route serves; NotFound / Forbidden on a bad link. */
  async imageForLink(id: string, expires: string, signature: string) {
    const verdict = this.deps.links.check({ purpose: FIRMWARE_LINK_PURPOSE, id, expires, signature }, this.deps.clock.nowMs());
    if (verdict !== 'ok') throw new DomainError('Forbidden', verdict === 'expired' ? 'this download link has expired' : 'this download link is not valid');
    const image = await this.deps.store.imageData(id);
    if (!image) throw new DomainError('NotFound', 'the firmware image was deleted');
    return image;
  }

  /**
   * Sends the update in the station's version: 1.6 UpdateFirmware (§5.19), 1.6 security
   * SignedUpdateFirmware for a signed image, 2.0.1 UpdateFirmware with signature and signing
   * certificate when the image has them (L01.FR.01). The row is written first: its id is the requestId.
   */
  async updateStation(tenantId: string, stationId: string, imageId: string, requestedBy: RequestedBy, options: UpdateOptions = {}): Promise<FirmwareUpdateView> {
    const image = await this.imageRow(tenantId, imageId);
    const version = this.deps.channel.versionOf(tenantId, stationId);
    if (!version) throw new DomainError('StationOffline', `station ${stationId} is not connected`);
    const now = this.deps.clock.now();
    const retrieveAt = options.retrieveAt ?? now;
    const location = await this.downloadUrl(tenantId, imageId, Math.max(now.getTime(), retrieveAt.getTime()) + this.deps.linkTtlMs);
    const signed = image.signature !== null && image.signing_certificate !== null;
    const action = version === '1.6' && signed ? 'SignedUpdateFirmware' : 'UpdateFirmware';
    const requestId = await this.deps.store.insertUpdate({
      tenant_id: tenantId,
      station_id: stationId,
      image_id: imageId,
      campaign_id: options.campaignId ?? null,
      action,
      status: 'Sending',
      progress: 'pending',
      created_at: now,
      updated_at: now,
    });
    const retry = {
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.retryIntervalS !== undefined ? { retryInterval: options.retryIntervalS } : {}),
    };
    const payload =
      version === '1.6' && !signed
        ? { location, retrieveDate: retrieveAt.toISOString(), ...retry }
        : {
            requestId,
            ...retry,
            firmware: {
              location,
              retrieveDateTime: retrieveAt.toISOString(),
              ...(options.installAt ? { installDateTime: options.installAt.toISOString() } : {}),
              ...(signed ? { signingCertificate: image.signing_certificate, signature: image.signature } : {}),
            },
          };
    let status: string;
    try {
      const response = await this.deps.channel.send(tenantId, stationId, action, payload, { requestedBy });
      // 1.6 UpdateFirmware.conf is empty: the station only tells how it goes by FirmwareStatusNotification.
      status = typeof response['status'] === 'string' ? response['status'] : 'Sent';
    } catch (err) {
      const code = isDomainError(err) ? err.code : 'Error';
      await this.settle(tenantId, stationId, requestId, options.campaignId ?? null, code, 'failed');
      throw err;
    }
    const accepted = status === 'Sent' || status === 'Accepted' || status === 'AcceptedCanceled';
    await this.settle(tenantId, stationId, requestId, options.campaignId ?? null, status, accepted ? 'sent' : 'failed');
    const row = await this.deps.store.update(tenantId, stationId, requestId);
    if (!row) throw new DomainError('NotFound', `firmware update ${requestId} vanished`);
    return toUpdateView(row);
  }

  /**
   * FirmwareStatusNotification (1.6 §4.5, 2.0.1 L01.FR.xx) and SignedFirmwareStatusNotification:
   * history kept, the update it belongs to moved on, a FirmwareStatusChanged published. A 1.6
   * notification carries no requestId: it belongs to the station's latest update.
   */
  async recordStatus(tenantId: string, stationId: string, status: string, requestId: number | undefined): Promise<void> {
    const at = this.deps.clock.now();
    const update =
      requestId !== undefined ? await this.deps.store.update(tenantId, stationId, requestId) : await this.deps.store.latestUpdate(tenantId, stationId);
    await this.deps.store.insertStatusEvent({ tenant_id: tenantId, station_id: stationId, update_id: update?.id ?? requestId ?? null, status, at });
    const progress = progressOf(status) ?? null;
    if (update && progress) await this.deps.store.setUpdateStatus(update.id, status, progress, at);
    this.publish(tenantId, at, { stationId, requestId: update?.id ?? requestId ?? null, campaignId: update?.campaign_id ?? null, status, progress });
  }

  async stationFirmware(tenantId: string, stationId: string, limit = 100): Promise<StationFirmwareView> {
    const latest = await this.deps.store.latestUpdate(tenantId, stationId);
    const history = await this.deps.store.statusHistory(tenantId, stationId, limit);
    return {
      stationId,
      current: latest ? toUpdateView(latest) : null,
      history: history.map((h) => ({ requestId: h.update_id, status: h.status, at: h.at.toISOString() })),
    };
  }

  private async settle(tenantId: string, stationId: string, requestId: number, campaignId: string | null, status: string, progress: 'sent' | 'failed'): Promise<void> {
    const at = this.deps.clock.now();
    await this.deps.store.setUpdateStatus(requestId, status, progress, at);
    this.publish(tenantId, at, { stationId, requestId, campaignId, status, progress });
  }

  private publish(tenantId: string, at: Date, payload: FirmwareStatusChanged['payload']): void {
    const event: FirmwareStatusChanged = { type: 'FirmwareStatusChanged', tenantId, occurredAt: at, payload };
    this.deps.bus.publish(event);
  }

  private async imageRow(tenantId: string, id: string) {
    const image = await this.deps.store.imageMeta(tenantId, id);
    if (!image) throw new DomainError('NotFound', `firmware image ${id} not found`);
    return image;
  }
}
