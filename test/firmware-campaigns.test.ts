import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { nextEvent } from './support/events.js';
import { bootStation, registerStation } from './helpers/stations.js';
import { uploadImage } from './helpers/firmware.js';
import { ManualClock } from '../src/platform/clock.js';
import type { FirmwareCampaignChanged, FirmwareStatusChanged } from '../src/modules/firmware/index.js';

const IMAGE = Buffer.from('firmware image bytes for a campaign');
const SUCCESS = ['Downloading', 'Downloaded', 'Installing', 'Installed'];
const FAILURE = ['Downloading', 'Downloaded', 'Installing', 'InstallationFailed'];

/**
 * A simulated 2.0.1 station's side of L01: answers UpdateFirmware Accepted, downloads the image
 * from the signed URL and reports the given statuses. Resolves with the requestId.
 */
async function playUpdate(station: RawStation, statuses: string[]): Promise<number> {
  const call = await station.nextCall('UpdateFirmware');
  const { requestId, firmware } = call[3] as { requestId: number; firmware: { location: string } };
  station.reply(call[1] as string, { status: 'Accepted' });
  const download = await fetch(firmware.location);
  if (download.status !== 200) throw new Error(`download failed: ${download.status}`);
  for (const status of statuses) await station.call('FirmwareStatusNotification', { status, requestId });
  return requestId;
}

function campaignEvent(server: TestServer, id: string, match: (p: FirmwareCampaignChanged['payload']) => boolean) {
  return nextEvent<FirmwareCampaignChanged>(server.app.bus, 'FirmwareCampaignChanged', (e) => e.payload.campaignId === id && match(e.payload));
}

describe('firmware campaigns', () => {
  let server: TestServer;
  const open: RawStation[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  async function fleet(prefix: string, count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
    for (const id of ids) await registerStation(server, id);
    return ids;
  }

  async function online(id: string): Promise<RawStation> {
    const station = await bootStation(server, id, '2.0.1');
    open.push(station);
    return station;
  }

  it('staged rollout: canary, then batches; pauses when InstallationFailed passes the threshold; resume; an offline station is updated when it boots', async () => {
    const ids = await fleet('CS-CMP', 6);
    const [s1, s2, s3, s4, s5, s6] = ids as [string, string, string, string, string, string];
    // s4 is offline when its batch comes.
    const stations = new Map<string, RawStation>();
    for (const id of [s1, s2, s3, s5, s6]) stations.set(id, await online(id));
    const image = await uploadImage(server, IMAGE);

    const canaryDone = nextEvent<FirmwareStatusChanged>(server.app.bus, 'FirmwareStatusChanged', (e) => e.payload.stationId === s1 && e.payload.status === 'Installed');
    const canary = playUpdate(stations.get(s1)!, SUCCESS);
    const created = await server.api('POST', '/api/v1/firmware-campaigns', {
      imageId: image.id,
      stationIds: ids,
      canarySize: 1,
      batchSize: 2,
      failureThresholdPercent: 30,
      installTimeoutS: 600,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const campaignId = created.body.id as string;
    expect(created.body).toMatchObject({ status: 'running', batches: 4, currentBatch: 0 });
    expect(created.body.targets.map((t: { stationId: string; batch: number }) => [t.stationId, t.batch])).toEqual([
      [s1, 0],
      [s2, 1],
      [s3, 1],
      [s4, 2],
      [s5, 2],
      [s6, 3],
    ]);

    // Batch 1 opens only after the canary installed.
    const batch1 = campaignEvent(server, campaignId, (p) => p.batch === 1);
    await canary;
    await canaryDone;
    await batch1;
    const paused = campaignEvent(server, campaignId, (p) => p.status === 'paused');
    // One after the other, so the failure rate is judged over exactly three finished stations.
    await playUpdate(stations.get(s2)!, SUCCESS);
    await playUpdate(stations.get(s3)!, FAILURE);
    const pause = await paused;
    expect(pause.payload.reason).toMatch(/failure rate 33% \(1 of 3 finished\) passed the 30% threshold/);
    await server.app.firmwareCampaigns.idle();

    let view = (await server.api('GET', `/api/v1/firmware-campaigns/${campaignId}`)).body;
    expect(view).toMatchObject({ status: 'paused', currentBatch: 1, counts: { installed: 2, failed: 1, pending: 3 } });
    expect(view.targets.find((t: { stationId: string }) => t.stationId === s3)).toMatchObject({ progress: 'failed', detail: 'InstallationFailed' });
    // Nothing was sent to the next batches while paused.
    for (const id of [s5, s6]) expect(stations.get(id)!.frames.some((f) => f[0] === 2 && f[2] === 'UpdateFirmware')).toBe(false);

    // Resume: batch 2 goes out; s4 is offline and waits, s5 installs, then batch 3 (s6).
    const batch3 = campaignEvent(server, campaignId, (p) => p.batch === 3);
    const s5Run = playUpdate(stations.get(s5)!, SUCCESS);
    const resumed = await server.api('POST', `/api/v1/firmware-campaigns/${campaignId}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe('running');
    await s5Run;
    await batch3;
    await playUpdate(stations.get(s6)!, SUCCESS);
    await server.app.firmwareCampaigns.idle();
    view = (await server.api('GET', `/api/v1/firmware-campaigns/${campaignId}`)).body;
    expect(view).toMatchObject({ status: 'running', counts: { installed: 4, failed: 1, pending: 1 } });

    // s4 boots: it is sent the update and the campaign completes.
    const completed = campaignEvent(server, campaignId, (p) => p.status === 'completed');
    const late = await online(s4);
    await playUpdate(late, SUCCESS);
    await completed;
    view = (await server.api('GET', `/api/v1/firmware-campaigns/${campaignId}`)).body;
    expect(view).toMatchObject({ status: 'completed', counts: { installed: 5, failed: 1, pending: 0 } });
    expect((await server.api('GET', '/api/v1/firmware-campaigns')).body.items.map((c: { id: string }) => c.id)).toContain(campaignId);
  });

  it('pause and cancel from the API: pending stations are cancelled, a finished campaign refuses resume', async () => {
    const ids = await fleet('CS-CMP-CANCEL', 3);
    const image = await uploadImage(server, IMAGE);
    const first = await online(ids[0]!);
    const sent = first.nextCall('UpdateFirmware');
    const created = await server.api('POST', '/api/v1/firmware-campaigns', { imageId: image.id, stationIds: ids, canarySize: 1, batchSize: 5 });
    const campaignId = created.body.id as string;
    const call = await sent;
    first.reply(call[1] as string, { status: 'Accepted' });
    await server.app.firmwareCampaigns.idle();
    const paused = await server.api('POST', `/api/v1/firmware-campaigns/${campaignId}/pause`);
    expect(paused.body).toMatchObject({ status: 'paused', pausedReason: 'paused by an operator' });
    const cancelled = await server.api('POST', `/api/v1/firmware-campaigns/${campaignId}/cancel`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', counts: { sent: 1, cancelled: 2 } });
    const again = await server.api('POST', `/api/v1/firmware-campaigns/${campaignId}/resume`);
    expect(again.status).toBe(409);
  });

  it('targets every station of a site; with canary 0 the first batch goes out at once', async () => {
    const site = await server.api('POST', '/api/v1/sites', { name: 'Depot', timeZone: 'Europe/Oslo' });
    expect(site.status).toBe(201);
    const ids = ['CS-SITE-1', 'CS-SITE-2'];
    for (const id of ids) await registerStation(server, id, { siteId: site.body.id });
    await registerStation(server, 'CS-ELSEWHERE-1');
    const image = await uploadImage(server, IMAGE);
    const created = await server.api('POST', '/api/v1/firmware-campaigns', { imageId: image.id, siteId: site.body.id, canarySize: 0, batchSize: 2 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ currentBatch: 1, batches: 2 });
    expect(created.body.targets.map((t: { stationId: string; batch: number }) => [t.stationId, t.batch])).toEqual([
      ['CS-SITE-1', 1],
      ['CS-SITE-2', 1],
    ]);
    const empty = await server.api('POST', '/api/v1/sites', { name: 'Empty', timeZone: 'Europe/Oslo' });
    const none = await server.api('POST', '/api/v1/firmware-campaigns', { imageId: image.id, siteId: empty.body.id });
    expect(none.status).toBe(400);
    expect(none.body.field).toBe('siteId');
  });

  it('refuses a campaign with an unknown station, no targets or both targets and site, naming the field', async () => {
    const image = await uploadImage(server, IMAGE);
    const unknown = await server.api('POST', '/api/v1/firmware-campaigns', { imageId: image.id, stationIds: ['NO-SUCH-STATION'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('stationIds.0');
    const neither = await server.api('POST', '/api/v1/firmware-campaigns', { imageId: image.id });
    expect(neither.status).toBe(400);
    const badThreshold = await server.api('POST', '/api/v1/firmware-campaigns', { imageId: image.id, stationIds: ['X'], failureThresholdPercent: 101 });
    expect(badThreshold.status).toBe(400);
    expect(badThreshold.body.field).toBe('failureThresholdPercent');
    expect((await server.api('GET', '/api/v1/firmware-campaigns/nope')).status).toBe(404);
  });
});

describe('firmware campaigns on a controlled clock', () => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  const open: RawStation[] = [];

  beforeAll(async () => {
    server = await startTestServer({}, { clock });
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  it('a station silent past the install time-out counts as failed and the campaign pauses (threshold 0%)', async () => {
    const ids = ['CS-CLK-1', 'CS-CLK-2'];
    for (const id of ids) await registerStation(server, id);
    const station = await bootStation(server, ids[0]!, '2.0.1');
    open.push(station);
    const image = await uploadImage(server, IMAGE);
    const sent = station.nextCall('UpdateFirmware');
    const created = await server.api('POST', '/api/v1/firmware-campaigns', {
      imageId: image.id,
      stationIds: ids,
      canarySize: 1,
      batchSize: 1,
      failureThresholdPercent: 0,
      installTimeoutS: 600,
    });
    const campaignId = created.body.id as string;
    const call = await sent;
    station.reply(call[1] as string, { status: 'Accepted' });
    await server.app.firmwareCampaigns.idle();

    clock.advance(599_000);
    await server.app.firmwareCampaigns.tick();
    expect((await server.api('GET', `/api/v1/firmware-campaigns/${campaignId}`)).body.status).toBe('running');

    const paused = campaignEvent(server, campaignId, (p) => p.status === 'paused');
    clock.advance(2_000);
    await server.app.firmwareCampaigns.tick();
    await paused;
    const view = (await server.api('GET', `/api/v1/firmware-campaigns/${campaignId}`)).body;
    expect(view.targets[0]).toMatchObject({ progress: 'failed', detail: 'no final status before the install time-out' });
    expect(view.targets[1]).toMatchObject({ progress: 'pending' });
  });
});
