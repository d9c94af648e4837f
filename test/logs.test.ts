import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type TestServer } from './support/test-server.js';
import { useStationSuite } from './support/station-suite.js';
import { nextEvent } from './support/events.js';
import { multipartBody } from './helpers/firmware.js';
import type { LogStatusChanged, LogUploaded } from '../src/modules/diagnostics/index.js';

const LOG = Buffer.from('2026-01-01T00:00:00Z boot ok\n2026-01-01T00:01:00Z connector 1 Available\n');

/** GetDiagnostics / GetLog round trips, the station's upload over real HTTP, and the stored files. */
describe('station logs', () => {
  const suite = useStationSuite('CS-LOG', '2.0.1');
  const online = suite.online;
  let server: TestServer;
  beforeAll(() => {
    server = suite.server;
  });

  function uploaded(id: string) {
    return nextEvent<LogUploaded>(server.app.bus, 'LogUploaded', (e) => e.payload.stationId === id);
  }

  async function download(fileId: string): Promise<Buffer> {
    const res = await fetch(`${server.app.baseUrl}/api/v1/log-files/${fileId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  }

  it('TC_N_25_CSMS N01.FR.01/07/08/09 2.0.1 GetLog DiagnosticsLog: raw PUT upload, statuses tracked, file listed and downloadable', async () => {
    const { id, station } = await online('2.0.1');
    const pending = server.api('POST', `/api/v1/stations/${id}/logs`, { logType: 'DiagnosticsLog', oldestTimestamp: '2026-01-01T00:00:00Z' });
    const call = await station.nextCall('GetLog');
    const request = call[3] as { logType: string; requestId: number; log: { remoteLocation: string; oldestTimestamp: string } };
    expect(request).toMatchObject({ logType: 'DiagnosticsLog', log: { oldestTimestamp: '2026-01-01T00:00:00.000Z' } });
    station.reply(call[1] as string, { status: 'Accepted', filename: 'diag.log' });
    const res = await pending;
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ requestId: request.requestId, action: 'GetLog', status: 'Accepted', fileName: 'diag.log' });

    await station.call('LogStatusNotification', { status: 'Uploading', requestId: request.requestId });
    const stored = uploaded(id);
    const put = await fetch(request.log.remoteLocation, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: LOG });
    expect(put.status).toBe(201);
    expect((await stored).payload).toMatchObject({ requestId: request.requestId, sizeBytes: LOG.length, sha256: createHash('sha256').update(LOG).digest('hex') });
    const done = nextEvent<LogStatusChanged>(server.app.bus, 'LogStatusChanged', (e) => e.payload.stationId === id && e.payload.status === 'Uploaded');
    await station.call('LogStatusNotification', { status: 'Uploaded', requestId: request.requestId });
    await done;

    const list = await server.api('GET', `/api/v1/stations/${id}/logs`);
    expect(list.body.items).toHaveLength(1);
    const [entry] = list.body.items;
    expect(entry).toMatchObject({ requestId: request.requestId, status: 'Uploaded', fileName: 'diag.log' });
    expect(entry).not.toHaveProperty('uploadUrl');
    expect(entry.files).toHaveLength(1);
    expect(entry.files[0]).toMatchObject({ fileName: 'diag.log', contentType: 'text/plain', sizeBytes: LOG.length });
    expect((await download(entry.files[0].id)).equals(LOG)).toBe(true);
  });

  it('N01.FR.18/19 a raw POST naming its file in Content-Disposition is stored under that name', async () => {
    const { id, station } = await online('2.0.1');
    const pending = server.api('POST', `/api/v1/stations/${id}/logs`, {});
    const call = await station.nextCall('GetLog');
    station.reply(call[1] as string, { status: 'Accepted' });
    await pending;
    const stored = uploaded(id);
    const res = await fetch((call[3] as { log: { remoteLocation: string } }).log.remoteLocation, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="station-diag.tar.gz"' },
      body: LOG,
    });
    expect(res.status).toBe(201);
    expect((await stored).payload.fileName).toBe('station-diag.tar.gz');
  });

  it('a station-chosen file name with quotes and non-ASCII is stored but served in a safe Content-Disposition, nosniff', async () => {
    const { id, station } = await online('2.0.1');
    const pending = server.api('POST', `/api/v1/stations/${id}/logs`, {});
    const call = await station.nextCall('GetLog');
    station.reply(call[1] as string, { status: 'Accepted' });
    await pending;
    const stored = uploaded(id);
    const location = (call[3] as { log: { remoteLocation: string } }).log.remoteLocation;
    expect((await fetch(`${location}/${encodeURIComponent('lög"x.html')}`, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: LOG })).status).toBe(201);
    const { fileId, fileName } = (await stored).payload;
    expect(fileName).toBe('lög"x.html');
    const res = await fetch(`${server.app.baseUrl}/api/v1/log-files/${fileId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="l_g_x.html"');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('1.6 §5.9 GetDiagnostics: multipart POST to the location with the file name appended; DiagnosticsStatusNotification (§4.4) tracked', async () => {
    const { id, station } = await online('1.6');
    const pending = server.api('POST', `/api/v1/stations/${id}/logs`, { retries: 3, retryIntervalS: 30, latestTimestamp: '2026-02-01T00:00:00Z' });
    const call = await station.nextCall('GetDiagnostics');
    const request = call[3] as { location: string; retries: number; retryInterval: number; stopTime: string };
    expect(request).toMatchObject({ retries: 3, retryInterval: 30, stopTime: '2026-02-01T00:00:00.000Z' });
    station.reply(call[1] as string, { fileName: 'cp-diag.zip' });
    expect((await pending).body).toMatchObject({ action: 'GetDiagnostics', status: 'Accepted', fileName: 'cp-diag.zip' });

    await station.call('DiagnosticsStatusNotification', { status: 'Uploading' });
    const boundary = '----charger-boundary';
    const stored = uploaded(id);
    const res = await fetch(`${request.location}/cp-diag.zip`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: multipartBody(boundary, [{ name: 'file', value: LOG, fileName: 'cp-diag.zip', contentType: 'application/zip' }]),
    });
    expect(res.status).toBe(201);
    const file = (await stored).payload;
    expect(file).toMatchObject({ fileName: 'cp-diag.zip', sizeBytes: LOG.length });
    const done = nextEvent<LogStatusChanged>(server.app.bus, 'LogStatusChanged', (e) => e.payload.stationId === id && e.payload.status === 'Uploaded');
    await station.call('DiagnosticsStatusNotification', { status: 'Uploaded' });
    expect((await done).payload.requestId).toBe(file.requestId);
    const list = await server.api('GET', `/api/v1/stations/${id}/logs`);
    expect(list.body.items[0]).toMatchObject({ status: 'Uploaded', files: [{ fileName: 'cp-diag.zip', contentType: 'application/zip' }] });
    expect((await download(file.fileId)).equals(LOG)).toBe(true);
  });

  it('1.6 security GetLog SecurityLog (TC_N_35_CSMS analogue) with LogStatusNotification by requestId', async () => {
    const { id, station } = await online('1.6');
    const pending = server.api('POST', `/api/v1/stations/${id}/logs`, { logType: 'SecurityLog' });
    const call = await station.nextCall('GetLog');
    const request = call[3] as { logType: string; requestId: number };
    expect(request.logType).toBe('SecurityLog');
    station.reply(call[1] as string, { status: 'Accepted', filename: 'security.log' });
    await pending;
    const failed = nextEvent<LogStatusChanged>(server.app.bus, 'LogStatusChanged', (e) => e.payload.stationId === id);
    await station.call('LogStatusNotification', { status: 'UploadFailure', requestId: request.requestId });
    expect((await failed).payload).toMatchObject({ requestId: request.requestId, status: 'UploadFailure' });
    expect((await server.api('GET', `/api/v1/stations/${id}/logs`)).body.items[0]).toMatchObject({ status: 'UploadFailure', logType: 'SecurityLog' });
  });

  it('TC_N_34_CSMS N01.FR.05 a Rejected GetLog is recorded as Rejected', async () => {
    const { id, station } = await online('2.0.1');
    const pending = server.api('POST', `/api/v1/stations/${id}/logs`, { logType: 'SecurityLog' });
    const call = await station.nextCall('GetLog');
    station.reply(call[1] as string, { status: 'Rejected' });
    expect((await pending).body).toMatchObject({ status: 'Rejected' });
  });

  it('an upload to a tampered or expired link is refused with 403 and nothing is stored', async () => {
    const { id, station } = await online('2.0.1');
    const pending = server.api('POST', `/api/v1/stations/${id}/logs`, {});
    const call = await station.nextCall('GetLog');
    station.reply(call[1] as string, { status: 'Accepted' });
    await pending;
    const url = new URL((call[3] as { log: { remoteLocation: string } }).log.remoteLocation);
    const [, , , requestId, expires, signature] = url.pathname.split('/');
    const forged = `${url.origin}/files/logs/${Number(requestId) + 1}/${expires}/${signature}`;
    expect((await fetch(forged, { method: 'PUT', body: LOG })).status).toBe(403);
    const stale = `${url.origin}/files/logs/${requestId}/1/${signature}`;
    expect((await fetch(stale, { method: 'PUT', body: LOG })).status).toBe(403);
    expect((await server.api('GET', `/api/v1/stations/${id}/logs`)).body.items[0].files).toEqual([]);
  });
});
