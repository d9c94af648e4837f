import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_16 } from './support/raw-station.js';
import { PASSWORD } from './helpers/stations.js';

/** Issue #5 API: Idempotency-Key on commands that start or stop charging. */
describe('idempotency keys on remote start/stop', () => {
  let server: TestServer;
  let station: RawStation;
  const ID = 'CS-IDEM-1';

  beforeAll(async () => {
    server = await startTestServer();
    for (const uid of ['IDEM-1', 'IDEM-2']) expect((await server.api('POST', '/api/v1/tokens', { uid, type: 'ISO14443' })).status).toBe(201);
    expect((await server.api('POST', '/api/v1/stations', { id: ID, password: PASSWORD })).status).toBe(201);
    station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: ID, password: PASSWORD, protocols: ['ocpp1.6'] });
    expect((await station.call('BootNotification', BOOT_16))[2]).toMatchObject({ status: 'Accepted' });
  });
  afterAll(async () => {
    await station?.close();
    await server?.close();
  });

  async function post(path: string, body: unknown, key?: string): Promise<{ status: number; body: any; headers: Headers }> {
    const res = await fetch(`${server.app.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json(), headers: res.headers };
  }

  async function remoteStart(idTag: string, key: string): Promise<{ status: number; body: any; headers: Headers }> {
    const answer = post('/api/v1/sessions/remote-start', { stationId: ID, evseId: 1, idToken: idTag, waitSeconds: 0 }, key);
    const call = await station.nextCall('RemoteStartTransaction');
    expect(call[3]).toEqual({ idTag, connectorId: 1 });
    station.reply(call[1] as string, { status: 'Accepted' });
    return answer;
  }

  it('#5 idempotency: a repeat with the same key and body gets the stored answer and nothing is sent again', async () => {
    const first = await remoteStart('IDEM-1', 'start-key-1');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'Accepted', remoteStartId: expect.any(Number) });
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const repeat = await post('/api/v1/sessions/remote-start', { stationId: ID, evseId: 1, idToken: 'IDEM-1', waitSeconds: 0 }, 'start-key-1');
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    // The next RemoteStartTransaction the station sees is the next request's, not a duplicate.
    const next = await remoteStart('IDEM-2', 'start-key-2');
    expect(next.body.remoteStartId).not.toBe(first.body.remoteStartId);
  });

  it('#5 idempotency: the same key with a different body is 422 naming the header, and nothing is sent', async () => {
    const reused = await post('/api/v1/sessions/remote-start', { stationId: ID, evseId: 2, idToken: 'IDEM-1', waitSeconds: 0 }, 'start-key-1');
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ type: 'https://ampline.dev/problems/IdempotencyKeyReused', field: 'Idempotency-Key' });
    const bad = await post('/api/v1/sessions/remote-start', { stationId: ID, idToken: 'IDEM-1', waitSeconds: 0 }, 'bad key with spaces');
    expect([bad.status, bad.body.field]).toEqual([400, 'Idempotency-Key']);
    const next = await remoteStart('IDEM-2', 'start-key-3');
    expect(next.status).toBe(200);
  });

  it('#5 idempotency: remote stop honours the key too, and an error answer is replayed as stored', async () => {
    const first = await post('/api/v1/sessions/no-such-session/remote-stop', {}, 'stop-key-1');
    expect(first.status).toBe(404);
    const repeat = await post('/api/v1/sessions/no-such-session/remote-stop', {}, 'stop-key-1');
    expect(repeat.status).toBe(404);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(repeat.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(repeat.body).toEqual(first.body);
    const otherSession = await post('/api/v1/sessions/another-session/remote-stop', {}, 'stop-key-1');
    expect(otherSession.status).toBe(422);
  });
});
