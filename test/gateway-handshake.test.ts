import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_16, BOOT_201 } from './support/raw-station.js';

const PASSWORD = 'station-password-0001';

describe('OCPP handshake: subprotocols, identity, security profile 1', () => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer();
    url = server.app.ocppUrl;
    for (const id of ['HS-16', 'HS-201', 'HS-21', 'HS-PREF', 'HS-AUTH', 'HS-ENC%']) {
      const res = await server.api('POST', '/api/v1/stations', { id, password: PASSWORD });
      expect(res.status).toBe(201);
    }
    expect((await server.api('POST', '/api/v1/stations', { id: 'HS-HEX', password: '0123456789abcdef0123' })).status).toBe(201);
    expect((await server.api('POST', '/api/v1/stations', { id: 'HS-OPEN', securityProfile: 0 })).status).toBe(201);
  });
  afterAll(async () => server?.close());

  it.each([
    ['ocpp1.6', 'HS-16', BOOT_16],
    ['ocpp2.0.1', 'HS-201', BOOT_201],
    ['ocpp2.1', 'HS-21', BOOT_201],
  ])('negotiates %s and serves its BootNotification', async (protocol, id, boot) => {
    const station = await RawStation.connect({ baseUrl: url, id, password: PASSWORD, protocols: [protocol] });
    expect(station.protocol).toBe(protocol);
    const reply = await station.call('BootNotification', boot);
    expect(reply[0]).toBe(3);
    expect(reply[2]).toMatchObject({ status: 'Accepted' });
    await station.close();
    const view = await server.api('GET', `/api/v1/stations/${id}`);
    expect(view.body.ocppVersion).toBe(protocol.slice(4));
  });

  it("picks the station's first preference among the versions it offers", async () => {
    const station = await RawStation.connect({ baseUrl: url, id: 'HS-PREF', password: PASSWORD, protocols: ['ocpp1.5', 'ocpp1.6', 'ocpp2.0.1'] });
    expect(station.protocol).toBe('ocpp1.6');
    await station.close();
  });

  it('OCPP-J 2.0.1 §3.1.2 no acceptable subprotocol: handshake completes without the header, then the socket closes', async () => {
    const ws = new WebSocket(`${url}/HS-PREF`, ['ocpp1.2', 'ocpp9'], {
      headers: { authorization: `Basic ${Buffer.from(`HS-PREF:${PASSWORD}`).toString('base64')}` },
    });
    const upgraded = new Promise<string | undefined>((resolve) => ws.on('upgrade', (res) => resolve(res.headers['sec-websocket-protocol'] as string | undefined)));
    const failed = new Promise<string>((resolve) => ws.on('error', (err) => resolve(err.message)));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    expect(await upgraded).toBeUndefined();
    // The ws client itself flags a missing protocol header; either way the socket is closed.
    await Promise.race([failed, closed]);
    expect(ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING).toBe(true);
  });

  it('unknown station identity gets HTTP 404 (OCPP-J 2.0.1 §3.1.1)', async () => {
    expect(await RawStation.refused({ baseUrl: url, id: 'NOBODY-HERE', password: PASSWORD })).toBe(404);
  });

  it('identity is percent-decoded from the URL', async () => {
    const station = await RawStation.connect({ baseUrl: url, id: 'HS-ENC%', password: PASSWORD });
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted' });
    await station.close();
  });

  it('an identity longer than 48 characters or with ":" is refused with HTTP 400', async () => {
    expect(await RawStation.refused({ baseUrl: url, id: 'X'.repeat(49), password: PASSWORD })).toBe(400);
    expect(await RawStation.refused({ baseUrl: url, id: 'A:B', password: PASSWORD })).toBe(400);
  });

  it('TC_A_01_CSMS valid username and password is accepted', async () => {
    const station = await RawStation.connect({ baseUrl: url, id: 'HS-AUTH', password: PASSWORD });
    await station.close();
  });

  it('TC_A_02_CSMS username that does not equal the station id gets 401 and a security event', async () => {
    expect(await RawStation.refused({ baseUrl: url, id: 'HS-AUTH', username: 'HS-OTHER', password: PASSWORD })).toBe(401);
    const events = await server.api('GET', '/api/v1/stations/HS-AUTH/security-events');
    expect(events.body.items.some((e: { techInfo: string }) => e.techInfo.includes('does not equal'))).toBe(true);
  });

  it('TC_A_03_CSMS wrong password gets 401 and a security event', async () => {
    expect(await RawStation.refused({ baseUrl: url, id: 'HS-AUTH', password: 'wrong-password-000000' })).toBe(401);
    const events = await server.api('GET', '/api/v1/stations/HS-AUTH/security-events');
    expect(events.body.items.some((e: { type: string; techInfo: string }) => e.type === 'AuthenticationFailed' && e.techInfo === 'wrong password')).toBe(true);
  });

  it('missing credentials on a profile 1 station get 401', async () => {
    expect(await RawStation.refused({ baseUrl: url, id: 'HS-AUTH' })).toBe(401);
  });

  it('1.6 AuthorizationKey is accepted in hex form and as its decoded bytes', async () => {
    const asHex = await RawStation.connect({ baseUrl: url, id: 'HS-HEX', password: '0123456789abcdef0123', protocols: ['ocpp1.6'] });
    await asHex.close();
    const raw = Buffer.from('0123456789abcdef0123', 'hex');
    const asBytes = await RawStation.connect({ baseUrl: url, id: 'HS-HEX', password: raw, protocols: ['ocpp1.6'] });
    await asBytes.close();
    expect(await RawStation.refused({ baseUrl: url, id: 'HS-HEX', password: Buffer.from('00112233', 'hex'), protocols: ['ocpp1.6'] })).toBe(401);
  });

  it('security profile 0 is only what the operator set: that station connects without credentials', async () => {
    const station = await RawStation.connect({ baseUrl: url, id: 'HS-OPEN' });
    await station.close();
  });
});

describe('--auto-register', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ autoRegister: true });
  });
  afterAll(async () => server?.close());

  it('accepts and registers an unknown station without authentication', async () => {
    const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'LAB-1' });
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted' });
    const view = await server.api('GET', '/api/v1/stations/LAB-1');
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ registeredBy: 'auto', securityProfile: 0, vendor: 'Ampline', model: 'TestBox' });
    await station.close();
  });
});
