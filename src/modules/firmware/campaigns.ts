import type { EventBus } from '../../platform/bus.js';
import type { Clock } from '../../platform/clock.js';
import { DomainError, isDomainError } from '../../platform/errors.js';
import type { IdSource } from '../../platform/ids.js';
import { SYSTEM_REQUESTER, type RequestedBy } from '../../platform/requester.js';
import type { FirmwareCampaignChanged, FirmwareStatusChanged } from './events.js';
import type { FirmwareService } from './service.js';
import { CampaignStore, type CampaignRow, type TargetRow } from './campaign-store.js';
import type { ListWindowQuery } from '../../platform/list-sort.js';
import type { Page } from '../../platform/pagination.js';
import { CAMPAIGN_SORT } from './firmware-sort.js';
import type { FirmwareCampaignsTable } from './tables.js';
import { FINISHED, type CampaignStatus, type CampaignView, type CreateCampaignInput, type StationChannel, type UpdateProgress } from './types.js';

export interface FirmwareCampaignsDeps {
  store: CampaignStore;
  firmware: FirmwareService;
  channel: StationChannel;
  bus: EventBus;
  clock: Clock;
  ids: IdSource;
  onError: (err: unknown, context: { campaignId?: string; stationId?: string }) => void;
}

/** Booted-station events the runner listens to (published by the stations module). */
interface StationBootedLike {
  type: 'StationBooted';
  tenantId: string;
  occurredAt: Date;
  payload: { stationId: string; status: string };
}

const IN_FLIGHT: ReadonlySet<string> = new Set(['sent', 'downloading', 'installing']);

/**
 * Staged firmware rollouts. Batch 0 is the canary, then batches of `batchSize`. The next batch is
 * sent when nothing of the current ones is still in flight; after every finished station the
 * failure rate of the finished ones is compared with the threshold and the campaign pauses when it
 * passes it. Driven only by bus events (station statuses, boots) and `tick()` with the injected
 * clock (install time-outs), and every step runs in one queue so two events never race on a campaign.
 * The updates an operator's create or resume sends at once are recorded as asked by that operator;
 * those sent later, as stations finish or boot, as asked by the system.
 */
export class FirmwareCampaigns {
  private queue: Promise<void> = Promise.resolve();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: FirmwareCampaignsDeps) {}

  start(): void {
    this.unsubscribe.push(
      this.deps.bus.subscribe<FirmwareStatusChanged>('FirmwareStatusChanged', (event) => {
        const { campaignId, stationId } = event.payload;
        if (campaignId) this.enqueue(() => this.onStatus(event), { campaignId, stationId });
      }),
      this.deps.bus.subscribe<StationBootedLike>('StationBooted', (event) => {
        if (event.payload.status !== 'Accepted') return;
        const { stationId } = event.payload;
        this.enqueue(async () => {
          for (const id of await this.deps.store.waitingFor(event.tenantId, stationId)) await this.advance(id, SYSTEM_REQUESTER);
        }, { stationId });
      }),
    );
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** Resolves when every queued step has run (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  async create(tenantId: string, input: CreateCampaignInput, requestedBy: RequestedBy): Promise<CampaignView> {
    await this.deps.firmware.getImage(tenantId, input.imageId);
    const stationIds = [...new Set(input.stationIds)];
    if (stationIds.length === 0) throw new DomainError('InvalidInput', 'a campaign needs at least one target station', { field: 'stationIds' });
    const now = this.deps.clock.now();
    const id = this.deps.ids.uuid();
    const batchOf = (index: number) => (index < input.canarySize ? 0 : 1 + Math.floor((index - input.canarySize) / input.batchSize));
    const campaign: FirmwareCampaignsTable = {
      id,
      tenant_id: tenantId,
      image_id: input.imageId,
      status: 'running',
      canary_size: input.canarySize,
      batch_size: input.batchSize,
      failure_threshold_percent: input.failureThresholdPercent,
      install_timeout_s: input.installTimeoutS,
      current_batch: input.canarySize > 0 ? 0 : 1,
      paused_reason: null,
      acknowledged_failed: 0,
      acknowledged_finished: 0,
      created_at: now,
      updated_at: now,
    };
    const targets = stationIds.map((stationId, index) => ({
      campaign_id: id,
      tenant_id: tenantId,
      station_id: stationId,
      batch: batchOf(index),
      progress: 'pending',
      update_id: null,
      detail: null,
      deadline_at: null,
      updated_at: now,
    }));
    await this.deps.store.insert(campaign, targets);
    // Sending waits for stations' answers; the caller gets the campaign at once and follows progress.
    this.enqueue(() => this.advance(id, requestedBy), { campaignId: id });
    return this.get(tenantId, id);
  }

  async get(tenantId: string, id: string): Promise<CampaignView> {
    const row = await this.row(tenantId, id);
    return toView(row, await this.deps.store.targets(id));
  }

  async list(tenantId: string, query: ListWindowQuery): Promise<Page<Omit<CampaignView, 'targets'>>> {
    const window = CAMPAIGN_SORT.window(query);
    const page = window.page(await this.deps.store.list(tenantId, window));
    const views: Omit<CampaignView, 'targets'>[] = [];
    for (const row of page.items) {
      const { targets: _targets, ...summary } = toView(row, await this.deps.store.targets(row.id));
      views.push(summary);
    }
    return { items: views, nextCursor: page.nextCursor };
  }

  async pause(tenantId: string, id: string): Promise<CampaignView> {
    await this.run(async () => {
      const row = await this.row(tenantId, id);
      if (row.status !== 'running') throw new DomainError('Conflict', `campaign ${id} is ${row.status}, not running`);
      await this.setStatus(row, 'paused', 'paused by an operator');
    });
    return this.get(tenantId, id);
  }

  /** The failures seen so far are acknowledged: the threshold judges only stations that finish after this. */
  async resume(tenantId: string, id: string, requestedBy: RequestedBy): Promise<CampaignView> {
    await this.run(async () => {
      const row = await this.row(tenantId, id);
      if (row.status !== 'paused') throw new DomainError('Conflict', `campaign ${id} is ${row.status}, not paused`);
      const { failed, finished } = tally(await this.deps.store.targets(id));
      await this.deps.store.patch(id, { acknowledged_failed: failed, acknowledged_finished: finished });
      await this.setStatus(row, 'running', null);
    });
    this.enqueue(() => this.advance(id, requestedBy), { campaignId: id });
    return this.get(tenantId, id);
  }

  /** Stations not sent the update yet are cancelled; those already updating finish on their own. */
  async cancel(tenantId: string, id: string): Promise<CampaignView> {
    await this.run(async () => {
      const row = await this.row(tenantId, id);
      if (row.status === 'completed' || row.status === 'cancelled') throw new DomainError('Conflict', `campaign ${id} is already ${row.status}`);
      await this.deps.store.cancelPending(id, this.deps.clock.now());
      await this.setStatus(row, 'cancelled', 'cancelled by an operator');
    });
    return this.get(tenantId, id);
  }

  /** Fails in-flight stations whose install time-out passed, then moves their campaigns on. */
  tick(): Promise<void> {
    return this.run(async () => {
      const now = this.deps.clock.now();
      for (const campaign of await this.deps.store.running()) {
        for (const target of await this.deps.store.targets(campaign.id)) {
          if (IN_FLIGHT.has(target.progress) && target.deadline_at && target.deadline_at.getTime() <= now.getTime()) {
            await this.deps.store.patchTarget(campaign.id, target.station_id, { progress: 'failed', detail: 'no final status before the install time-out', deadline_at: null, updated_at: now });
          }
        }
        await this.advance(campaign.id, SYSTEM_REQUESTER);
      }
    });
  }

  private async onStatus(event: FirmwareStatusChanged): Promise<void> {
    const { campaignId, stationId, requestId, progress, status } = event.payload;
    if (!campaignId || !progress) return;
    const target = await this.deps.store.target(campaignId, stationId);
    if (!target || target.update_id !== requestId || FINISHED.has(target.progress as UpdateProgress)) return;
    const finished = FINISHED.has(progress);
    await this.deps.store.patchTarget(campaignId, stationId, {
      progress,
      detail: status,
      updated_at: this.deps.clock.now(),
      ...(finished ? { deadline_at: null } : {}),
    });
    await this.advance(campaignId, SYSTEM_REQUESTER);
  }

  /** One step of the rollout: judge the failure rate, send what is due (on behalf of `requestedBy`), open the next batch, finish. */
  private async advance(id: string, requestedBy: RequestedBy): Promise<void> {
    let campaign = await this.deps.store.byId(id);
    if (!campaign || campaign.status !== 'running') return;
    for (;;) {
      const targets = await this.deps.store.targets(id);
      const { failed, finished } = tally(targets);
      const judgedFinished = finished - campaign.acknowledged_finished;
      const judgedFailed = failed - campaign.acknowledged_failed;
      if (judgedFinished > 0 && (judgedFailed * 100) / judgedFinished > campaign.failure_threshold_percent) {
        const rate = Math.round((judgedFailed * 100) / judgedFinished);
        await this.setStatus(campaign, 'paused', `failure rate ${rate}% (${judgedFailed} of ${judgedFinished} finished) passed the ${campaign.failure_threshold_percent}% threshold`);
        return;
      }
      if (targets.every((t) => FINISHED.has(t.progress as UpdateProgress))) {
        await this.setStatus(campaign, 'completed', null);
        return;
      }
      const due = targets.filter((t) => t.progress === 'pending' && t.batch <= campaign!.current_batch && this.deps.channel.isConnected(t.station_id));
      if (due.length > 0) {
        await Promise.all(due.map((t) => this.send(campaign!, t, requestedBy)));
        continue;
      }
      const inFlight = targets.some((t) => IN_FLIGHT.has(t.progress) && t.batch <= campaign!.current_batch);
      const lastBatch = Math.max(...targets.map((t) => t.batch));
      if (inFlight || campaign.current_batch >= lastBatch) return;
      const next: number = campaign.current_batch + 1;
      await this.deps.store.patch(id, { current_batch: next, updated_at: this.deps.clock.now() });
      campaign = { ...campaign, current_batch: next };
      this.publish(campaign, null);
    }
  }

  private async send(campaign: CampaignRow, target: TargetRow, requestedBy: RequestedBy): Promise<void> {
    const now = this.deps.clock.now();
    try {
      const update = await this.deps.firmware.updateStation(campaign.tenant_id, target.station_id, campaign.image_id, requestedBy, { campaignId: campaign.id });
      await this.deps.store.patchTarget(campaign.id, target.station_id, {
        progress: update.progress,
        update_id: update.requestId,
        detail: update.status,
        deadline_at: new Date(now.getTime() + campaign.install_timeout_s * 1000),
        updated_at: now,
      });
    } catch (err) {
      // Offline now: stays pending and is sent when the station boots again.
      if (isDomainError(err, 'StationOffline')) return;
      const detail = isDomainError(err) ? `${err.code}: ${err.message}` : 'send failed';
      if (!isDomainError(err)) this.deps.onError(err, { campaignId: campaign.id, stationId: target.station_id });
      await this.deps.store.patchTarget(campaign.id, target.station_id, { progress: 'failed', detail, updated_at: now });
    }
  }

  private async setStatus(row: CampaignRow, status: CampaignStatus, reason: string | null): Promise<void> {
    await this.deps.store.patch(row.id, { status, paused_reason: reason, updated_at: this.deps.clock.now() });
    this.publish({ ...row, status }, reason);
  }

  private publish(row: CampaignRow, reason: string | null): void {
    const event: FirmwareCampaignChanged = {
      type: 'FirmwareCampaignChanged',
      tenantId: row.tenant_id,
      occurredAt: this.deps.clock.now(),
      payload: { campaignId: row.id, status: row.status, batch: row.current_batch, reason },
    };
    this.deps.bus.publish(event);
  }

  private async row(tenantId: string, id: string): Promise<CampaignRow> {
    const row = await this.deps.store.get(tenantId, id);
    if (!row) throw new DomainError('NotFound', `firmware campaign ${id} not found`);
    return row;
  }

  /** Runs a step in the queue and resolves with its outcome (errors reach the caller). */
  private run(step: () => Promise<void>): Promise<void> {
    const result = this.queue.then(step);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private enqueue(step: () => Promise<void>, context: { campaignId?: string; stationId?: string }): void {
    this.run(step).catch((err: unknown) => this.deps.onError(err, context));
  }
}

function tally(targets: TargetRow[]): { failed: number; finished: number } {
  const failed = targets.filter((t) => t.progress === 'failed').length;
  return { failed, finished: failed + targets.filter((t) => t.progress === 'installed').length };
}

function toView(row: CampaignRow, targets: TargetRow[]): CampaignView {
  const counts: Record<UpdateProgress, number> = { pending: 0, sent: 0, downloading: 0, installing: 0, installed: 0, failed: 0, cancelled: 0 };
  for (const t of targets) counts[t.progress as UpdateProgress] += 1;
  return {
    id: row.id,
    imageId: row.image_id,
    status: row.status as CampaignStatus,
    canarySize: row.canary_size,
    batchSize: row.batch_size,
    failureThresholdPercent: row.failure_threshold_percent,
    installTimeoutS: row.install_timeout_s,
    currentBatch: row.current_batch,
    batches: targets.length === 0 ? 0 : Math.max(...targets.map((t) => t.batch)) + 1,
    pausedReason: row.paused_reason,
    counts,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    targets: targets.map((t) => ({ stationId: t.station_id, batch: t.batch, progress: t.progress as UpdateProgress, requestId: t.update_id, detail: t.detail })),
  };
}
