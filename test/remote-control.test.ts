import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_16, BOOT_201 } from './support/raw-station.js';

const PASSWORD = 'station-password-remote';

describe('remote start and stop (1.6 §5.11/§5.12, 2.0.1 F01–F03)', () => {
  let server: TestServer;
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer();
    for (const uid of ['REMOTE-OK-1', 'REMOTE-OK-2', 'REMOTE-OK-3', 'REMOTE-OK-4', 'REMOTE-OK-5']) {
      expect((await server.api('POST', '/api/v1/tokens', { uid, type: 'ISO14443' })).status).toBe(201);
    }
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'REMOTE-BLOCKED', type: 'ISO14443', status: 'Blocked' })).status).toBe(201);
  });
  afterAll(async () => server?.close());

  async function online(version: '1.6' | '2.0.1'): Promise<{ id: string; station: RawStation }> {
    const id = `REMOTE-${version.replace(/\./g, '')}-${++seq}`;
    expect((await server.api('POST', '/api/v1/stations', { id, password: PASSWORD })).status).toBe(201);
    const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id, password: PASSWORD, protocols: [version === '1.6' ? 'ocpp1.6' : 'ocpp2.0.1'] });
    expect((await station.call('BootNotification', version === '1.6' ? BOOT_16 : BOOT_201))[2]).toMatchObject({ status: 'Accepted' });
    return { id, station };
  }

  it('TC_F_02_CSMS 2.0.1 RequestStartTransaction carries remoteStartId; the API answers with the session it started', async () => {
    const { id, station } = await online('2.0.1');
    const api = server.api('POST', '/api/v1/sessions/remote-start', { stationId: id, evseId: 1, idToken: { idToken: 'REMOTE-OK-1', type: 'ISO14443' }, waitSeconds: 10 });
    const call = await station.nextCall('RequestStartTransaction');
    const request = call[3] as { remoteStartId: number; evseId: number; idToken: { idToken: string } };
    expect(request).toMatchObject({ evseId: 1, idToken: { idToken: 'REMOTE-OK-1', type: 'ISO14443' } });
    station.reply(call[1] as string, { status: 'Accepted' });
    const started = await station.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: new Date().toISOString(),
      triggerReason: 'RemoteStart',
      seqNo: 0,
      transactionInfo: { transactionId: 'RS-TX-1', remoteStartId: request.remoteStartId, chargingState: 'Charging' },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: 'REMOTE-OK-1', type: 'ISO14443' },
    });
    expect(started[0]).toBe(3);
    const answer = await api;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'Accepted', remoteStartId: request.remoteStartId });
    const session = await server.api('GET', `/api/v1/sessions/${answer.body.sessionId}`);
    expect(session.body).toMatchObject({ stationId: id, transactionId: 'RS-TX-1', remoteStartId: request.remoteStartId });

    const stop = server.api('POST', `/api/v1/sessions/${answer.body.sessionId}/remote-stop`);
    const stopCall = await station.nextCall('RequestStopTransaction');
    expect(stopCall[3]).toEqual({ transactionId: 'RS-TX-1' });
    station.reply(stopCall[1] as string, { status: 'Accepted' });
    expect((await stop).body).toMatchObject({ status: 'Accepted' });
    await station.close();
  });

  it('1.6 RemoteStartTransaction; the StartTransaction that follows is the session, RemoteStopTransaction stops it', async () => {
    const { id, station } = await online('1.6');
    const api = server.api('POST', '/api/v1/sessions/remote-start', { stationId: id, evseId: 1, idToken: 'REMOTE-OK-2', waitSeconds: 10 });
    const call = await station.nextCall('RemoteStartTransaction');
    expect(call[3]).toEqual({ idTag: 'REMOTE-OK-2', connectorId: 1 });
    station.reply(call[1] as string, { status: 'Accepted' });
    const start = await station.call('StartTransaction', { connectorId: 1, idTag: 'REMOTE-OK-2', meterStart: 1000, timestamp: new Date().toISOString() });
    const transactionId = (start[2] as { transactionId: number }).transactionId;
    const answer = await api;
    expect(answer.body).toMatchObject({ status: 'Accepted' });
    expect(answer.body.sessionId).toEqual(expect.any(String));
    expect((await server.api('GET', `/api/v1/sessions/${answer.body.sessionId}`)).body.transactionId).toBe(String(transactionId));

    const stop = server.api('POST', `/api/v1/sessions/${answer.body.sessionId}/remote-stop`);
    const stopCall = await station.nextCall('RemoteStopTransaction');
    expect(stopCall[3]).toEqual({ transactionId });
    station.reply(stopCall[1] as string, { status: 'Accepted' });
    expect((await stop).body).toMatchObject({ status: 'Accepted' });
    await station.close();
  });

  it('TC_F_01_CSMS cable plugged in first: the station names the running transaction and the API returns its session', async () => {
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'REMOTE-CABLE', type: 'ISO14443' })).status).toBe(201);
    const { id, station } = await online('2.0.1');
    const plugged = await station.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: new Date().toISOString(),
      triggerReason: 'CablePluggedIn',
      seqNo: 0,
      transactionInfo: { transactionId: 'CABLE-TX-1', chargingState: 'EVConnected' },
      evse: { id: 1, connectorId: 1 },
    });
    expect(plugged[0]).toBe(3);
    const api = server.api('POST', '/api/v1/sessions/remote-start', { stationId: id, evseId: 1, idToken: { idToken: 'REMOTE-CABLE', type: 'ISO14443' } });
    const call = await station.nextCall('RequestStartTransaction');
    station.reply(call[1] as string, { status: 'Accepted', transactionId: 'CABLE-TX-1' });
    const answer = await api;
    expect(answer.body.status).toBe('Accepted');
    expect((await server.api('GET', `/api/v1/sessions/${answer.body.sessionId}`)).body).toMatchObject({ transactionId: 'CABLE-TX-1', stationId: id });
    await station.close();
  });

  it('TC_F_02_CSMS AuthorizeRemoteStart true: the station authorizes the token before it starts', async () => {
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'REMOTE-AUTH', type: 'ISO14443' })).status).toBe(201);
    const { id, station } = await online('2.0.1');
    const api = server.api('POST', '/api/v1/sessions/remote-start', { stationId: id, evseId: 1, idToken: { idToken: 'REMOTE-AUTH', type: 'ISO14443' } });
    const call = await station.nextCall('RequestStartTransaction');
    const { remoteStartId } = call[3] as { remoteStartId: number };
    station.reply(call[1] as string, { status: 'Accepted' });
    const authorize = await station.call('Authorize', { idToken: { idToken: 'REMOTE-AUTH', type: 'ISO14443' } });
    expect(authorize[2]).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
    await station.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: new Date().toISOString(),
      triggerReason: 'RemoteStart',
      seqNo: 0,
      transactionInfo: { transactionId: 'AUTH-TX-1', remoteStartId, chargingState: 'EVConnected' },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: 'REMOTE-AUTH', type: 'ISO14443' },
    });
    const answer = await api;
    expect((await server.api('GET', `/api/v1/sessions/${answer.body.sessionId}`)).body.transactionId).toBe('AUTH-TX-1');
    await station.close();
  });

  it('a station that refuses the remote start: Rejected and no session', async () => {
    const { id, station } = await online('2.0.1');
    const api = server.api('POST', '/api/v1/sessions/remote-start', { stationId: id, idToken: { idToken: 'REMOTE-OK-3', type: 'ISO14443' } });
    const call = await station.nextCall('RequestStartTransaction');
    station.reply(call[1] as string, { status: 'Rejected' });
    expect((await api).body).toMatchObject({ status: 'Rejected', sessionId: null });
    await station.close();
  });

  it('Accepted but no transaction within the wait: the answer says so with a null session id', async () => {
    const { id, station } = await online('1.6');
    const api = server.api('POST', '/api/v1/sessions/remote-start', { stationId: id, idToken: 'REMOTE-OK-4', waitSeconds: 0.2 });
    const call = await station.nextCall('RemoteStartTransaction');
    station.reply(call[1] as string, { status: 'Accepted' });
    expect((await api).body).toMatchObject({ status: 'Accepted', sessionId: null });
    await station.close();
  });

  it('a blocked or unknown token is refused before anything is sent (409)', async () => {
    const { id, station } = await online('2.0.1');
    const blocked = await server.api('POST', '/api/v1/sessions/remote-start', { stationId: id, idToken: { idToken: 'REMOTE-BLOCKED', type: 'ISO14443' } });
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({ field: 'idToken', tokenStatus: 'Blocked' });
    const unknown = await server.api('POST', '/api/v1/sessions/remote-start', { stationId: id, idToken: 'NOBODY' });
    expect(unknown.status).toBe(409);
    const log = await server.api('GET', `/api/v1/stations/${id}/messages`);
    expect(log.body.items.filter((f: { direction: string; frame: string }) => f.direction === 'out' && f.frame.startsWith('[2,'))).toEqual([]);
    await station.close();
  });

  it('a 2.0.1 station needs the token type: a bare idTag string is refused with 400', async () => {
    const { id, station } = await online('2.0.1');
    const res = await server.api('POST', '/api/v1/sessions/remote-start', { stationId: id, idToken: 'REMOTE-OK-3' });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('idToken');
    await station.close();
  });

  it('remote start to an offline station answers 409; remote stop of an unknown session 404', async () => {
    expect((await server.api('POST', '/api/v1/stations', { id: 'REMOTE-OFFLINE', password: PASSWORD })).status).toBe(201);
    const res = await server.api('POST', '/api/v1/sessions/remote-start', { stationId: 'REMOTE-OFFLINE', idToken: 'REMOTE-OK-5' });
    expect(res.status).toBe(409);
    expect(res.body.title).toBe('StationOffline');
    expect((await server.api('POST', '/api/v1/sessions/00000000-0000-0000-0000-000000000000/remote-stop')).status).toBe(404);
  });
});
