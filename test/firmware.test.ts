import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type TestServer } from './support/test-server.js';
import { useStationSuite } from './support/station-suite.js';
import { nextEvent } from './support/events.js';
import { registerStation } from './helpers/stations.js';
import { multipartBody, uploadImage } from './helpers/firmware.js';
import type { FirmwareStatusChanged } from '../src/modules/firmware/index.js';
import { DEFAULT_TENANT_ID } from '../src/modules/accounts/index.js';

const IMAGE = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

/** Firmware images and single-station updates over real sockets and real HTTP downloads. */
describe('firmware images and updates', () => {
  const suite = useStationSuite('CS-FW', '2.0.1');
  const online = suite.online;
  let server: TestServer;
  beforeAll(() => {
    server = suite.server;
  });

  function statusFrom(id: string, status: string) {
    return nextEvent<FirmwareStatusChanged>(server.app.bus, 'FirmwareStatusChanged', (e) => e.payload.stationId === id && e.payload.status === status);
  }

  it('uploads an image as a raw body with its sha256 recorded, lists, gets and deletes it', async () => {
    const image = await uploadImage(server, IMAGE, { version: '2.0.0' });
    expect(image.sha256).toBe(createHash('sha256').update(IMAGE).digest('hex'));
    expect(image.sizeBytes).toBe(IMAGE.length);
    expect(image.signed).toBe(false);
    const listed = await server.api('GET', '/api/v1/firmware');
    expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(image.id);
    expect((await server.api('GET', `/api/v1/firmware/${image.id}`)).body).toMatchObject({ version: '2.0.0', fileName: 'fw-2.0.bin' });
    expect((await server.api('DELETE', `/api/v1/firmware/${image.id}`)).status).toBe(204);
    expect((await server.api('GET', `/api/v1/firmware/${image.id}`)).status).toBe(404);
  });

  it('uploads a signed image as multipart/form-data with signature and signingCertificate fields', async () => {
    const boundary = 'fw-boundary-123';
    const body = multipartBody(boundary, [
      { name: 'name', value: 'Signed build' },
      { name: 'signature', value: 'c2lnbmF0dXJl' },
      { name: 'signingCertificate', value: CERT },
      { name: 'file', value: IMAGE, fileName: 'signed.bin', contentType: 'application/octet-stream' },
    ]);
    const res = await fetch(`${server.app.baseUrl}/api/v1/firmware`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    const image = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(201);
    expect(image).toMatchObject({ name: 'Signed build', fileName: 'signed.bin', signed: true, sizeBytes: IMAGE.length });
  });

  it('refuses bad uploads with a problem naming the field and stores nothing', async () => {
    const before = (await server.api('GET', '/api/v1/firmware')).body.items.length;
    const post = (query: string, body: Buffer) =>
      fetch(`${server.app.baseUrl}/api/v1/firmware?${query}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/octet-stream' }, body });
    const empty = await post('name=x', Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ field: 'body' });
    const half = await post('name=x&signature=abc', IMAGE);
    expect(half.status).toBe(400);
    expect(await half.json()).toMatchObject({ field: 'signingCertificate' });
    const unknown = await post('name=x&colour=red', IMAGE);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ field: 'colour' });
    expect((await server.api('GET', '/api/v1/firmware')).body.items.length).toBe(before);
  });

  it('1.6 §5.19 UpdateFirmware: the station downloads the image from the signed URL and reports statuses (§4.5)', async () => {
    const { id, station } = await online('1.6');
    const image = await uploadImage(server, IMAGE);
    const pending = server.api('POST', `/api/v1/stations/${id}/firmware/update`, { imageId: image.id, retries: 2, retryIntervalS: 60 });
    const call = await station.nextCall('UpdateFirmware');
    const payload = call[3] as { location: string; retrieveDate: string; retries: number; retryInterval: number };
    expect(payload).toMatchObject({ retries: 2, retryInterval: 60 });
    station.reply(call[1] as string, {});
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'UpdateFirmware', status: 'Sent', progress: 'sent', stationId: id });

    // The station fetches the file with no API token.
    const download = await fetch(payload.location);
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(image.sha256);

    for (const status of ['Downloading', 'Downloaded', 'Installing']) {
      expect(await station.call('FirmwareStatusNotification', { status })).toEqual([3, expect.any(String), {}]);
    }
    const installed = statusFrom(id, 'Installed');
    await station.call('FirmwareStatusNotification', { status: 'Installed' });
    expect((await installed).payload).toMatchObject({ requestId: res.body.requestId, progress: 'installed' });
    const view = await server.api('GET', `/api/v1/stations/${id}/firmware`);
    expect(view.body.current).toMatchObject({ requestId: res.body.requestId, status: 'Installed', progress: 'installed' });
    expect(view.body.history.map((h: { status: string }) => h.status)).toEqual(['Installed', 'Installing', 'Downloaded', 'Downloading']);
  });

  it('a tampered or expired download link is refused with 403, an unsigned one is not served', async () => {
    const { id, station } = await online('1.6');
    const image = await uploadImage(server, IMAGE);
    const pending = server.api('POST', `/api/v1/stations/${id}/firmware/update`, { imageId: image.id });
    const call = await station.nextCall('UpdateFirmware');
    station.reply(call[1] as string, {});
    await pending;
    const location = (call[3] as { location: string }).location;
    const url = new URL(location);
    const [, , , imageId, expires, signature, name] = url.pathname.split('/');
    const tampered = `${url.origin}/files/firmware/${imageId}/${Number(expires) + 1000}/${signature}/${name}`;
    expect((await fetch(tampered)).status).toBe(403);
    const expired = await server.app.firmware.downloadUrl(DEFAULT_TENANT_ID, image.id, Date.now() - 1000);
    const refused = await fetch(expired);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ detail: 'this download link has expired' });
    expect((await fetch(location)).status).toBe(200);
    expect((await fetch(`${url.origin}/files/firmware/${imageId}`)).status).toBe(404);
  });

  it('TC_L_01_CSMS L01.FR.01 2.0.1 UpdateFirmware carries signature and signingCertificate; statuses tracked to Installed', async () => {
    const { id, station } = await online('2.0.1');
    const image = await uploadImage(server, IMAGE, { signature: 'c2lnbmF0dXJl', signingCertificate: CERT });
    const pending = server.api('POST', `/api/v1/stations/${id}/firmware/update`, { imageId: image.id });
    const call = await station.nextCall('UpdateFirmware');
    const payload = call[3] as { requestId: number; firmware: Record<string, string> };
    expect(payload.firmware).toMatchObject({ signature: 'c2lnbmF0dXJl', signingCertificate: CERT });
    station.reply(call[1] as string, { status: 'Accepted' });
    const res = await pending;
    expect(res.body).toMatchObject({ requestId: payload.requestId, status: 'Accepted', progress: 'sent' });
    expect((await fetch(payload.firmware['location']!)).status).toBe(200);
    const { requestId } = payload;
    for (const status of ['Downloading', 'Downloaded', 'SignatureVerified', 'Installing', 'InstallRebooting']) {
      await station.call('FirmwareStatusNotification', { status, requestId });
    }
    const installed = statusFrom(id, 'Installed');
    await station.call('FirmwareStatusNotification', { status: 'Installed', requestId });
    expect((await installed).payload).toMatchObject({ requestId, progress: 'installed' });
  });

  it('TC_L_02_CSMS / TC_L_03_CSMS retrieveDateTime and installDateTime in the future are sent and the link outlives the retrieve time', async () => {
    const { id, station } = await online('2.0.1');
    const image = await uploadImage(server, IMAGE);
    const retrieveAt = new Date(Date.now() + 2 * 3600_000).toISOString();
    const installAt = new Date(Date.now() + 3 * 3600_000).toISOString();
    const pending = server.api('POST', `/api/v1/stations/${id}/firmware/update`, { imageId: image.id, retrieveAt, installAt });
    const call = await station.nextCall('UpdateFirmware');
    const firmware = (call[3] as { firmware: Record<string, string> }).firmware;
    expect(firmware).toMatchObject({ retrieveDateTime: retrieveAt, installDateTime: installAt });
    expect(firmware).not.toHaveProperty('signature');
    const expiresMs = Number(new URL(firmware['location']!).pathname.split('/')[4]);
    expect(expiresMs).toBeGreaterThan(Date.parse(retrieveAt));
    station.reply(call[1] as string, { status: 'Accepted' });
    await pending;
    const scheduled = statusFrom(id, 'DownloadScheduled');
    await station.call('FirmwareStatusNotification', { status: 'DownloadScheduled', requestId: (call[3] as { requestId: number }).requestId });
    expect((await scheduled).payload.progress).toBe('downloading');
  });

  it('TC_L_04_CSMS a RevokedCertificate answer marks the update failed', async () => {
    const { id, station } = await online('2.0.1');
    const image = await uploadImage(server, IMAGE, { signature: 'c2ln', signingCertificate: CERT });
    const pending = server.api('POST', `/api/v1/stations/${id}/firmware/update`, { imageId: image.id });
    const call = await station.nextCall('UpdateFirmware');
    station.reply(call[1] as string, { status: 'RevokedCertificate' });
    expect((await pending).body).toMatchObject({ status: 'RevokedCertificate', progress: 'failed' });
  });

  it('TC_L_09_CSMS InstallationFailed is tracked as failed in the station firmware view', async () => {
    const { id, station } = await online('2.0.1');
    const image = await uploadImage(server, IMAGE);
    const pending = server.api('POST', `/api/v1/stations/${id}/firmware/update`, { imageId: image.id });
    const call = await station.nextCall('UpdateFirmware');
    station.reply(call[1] as string, { status: 'Accepted' });
    const { requestId } = (await pending).body as { requestId: number };
    for (const status of ['Downloading', 'Downloaded', 'Installing', 'InstallationFailed']) await station.call('FirmwareStatusNotification', { status, requestId });
    const view = await server.api('GET', `/api/v1/stations/${id}/firmware`);
    expect(view.body.current).toMatchObject({ requestId, status: 'InstallationFailed', progress: 'failed' });
  });

  it('1.6 security SignedUpdateFirmware for a signed image; SignedFirmwareStatusNotification tracked by requestId', async () => {
    const { id, station } = await online('1.6');
    const image = await uploadImage(server, IMAGE, { signature: 'c2lnbmF0dXJl', signingCertificate: CERT });
    const pending = server.api('POST', `/api/v1/stations/${id}/firmware/update`, { imageId: image.id });
    const call = await station.nextCall('SignedUpdateFirmware');
    const payload = call[3] as { requestId: number; firmware: Record<string, string> };
    expect(payload.firmware).toMatchObject({ signature: 'c2lnbmF0dXJl', signingCertificate: CERT, retrieveDateTime: expect.any(String) });
    station.reply(call[1] as string, { status: 'Accepted' });
    expect((await pending).body).toMatchObject({ action: 'SignedUpdateFirmware', status: 'Accepted' });
    const verified = statusFrom(id, 'SignatureVerified');
    await station.call('SignedFirmwareStatusNotification', { status: 'SignatureVerified', requestId: payload.requestId });
    expect((await verified).payload).toMatchObject({ requestId: payload.requestId, progress: 'downloading' });
  });

  it('an update to an offline station is a 409 StationOffline; to an unknown one a 404', async () => {
    const id = suite.nextId('OFF');
    await registerStation(server, id);
    const image = await uploadImage(server, IMAGE);
    const offline = await server.api('POST', `/api/v1/stations/${id}/firmware/update`, { imageId: image.id });
    expect(offline.status).toBe(409);
    expect(offline.body.title).toBe('StationOffline');
    expect((await server.api('POST', '/api/v1/stations/NOPE/firmware/update', { imageId: image.id })).status).toBe(404);
    const bad = await server.api('POST', `/api/v1/stations/${id}/firmware/update`, { imageId: image.id, retrieveAt: 'tomorrow' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('retrieveAt');
  });
});
