import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_16, BOOT_201 } from './support/raw-station.js';

const PASSWORD = 'station-password-0003';

describe('BootNotification: Accepted, Pending, Rejected (B01, B02, B03)', () => {
  let server: TestServer;
  let url: string;
  const register = async (id: string, extra: object = {}) =>
    expect((await server.api('POST', '/api/v1/stations', { id, password: PASSWORD, ...extra })).status).toBe(201);
  const connect = (id: string, protocols = ['ocpp2.0.1']) => RawStation.connect({ baseUrl: url, id, password: PASSWORD, protocols });

  beforeAll(async () => {
    server = await startTestServer({ heartbeatIntervalS: 120, bootRetryIntervalS: 15 });
    url = server.app.ocppUrl;
  });
  afterAll(async () => server?.close());

  it('B01.FR.02 TC_B_01_CSMS Accepted with the configured heartbeat interval and the current time', async () => {
    await register('BOOT-ACC');
    const station = await connect('BOOT-ACC');
    const before = Date.now();
    const [, , body] = (await station.call('BootNotification', BOOT_201)) as [number, string, { status: string; interval: number; currentTime: string }];
    expect(body.status).toBe('Accepted');
    expect(body.interval).toBe(120);
    expect(Math.abs(Date.parse(body.currentTime) - before)).toBeLessThan(5000);
    const view = (await server.api('GET', '/api/v1/stations/BOOT-ACC')).body;
    expect(view).toMatchObject({ online: true, vendor: 'Ampline', model: 'TestBox', firmware: '1.0.0', serialNumber: 'SN-1', lastBootStatus: 'Accepted' });
    await station.close();
  });

  it('B01.FR.08 a station that never booted may not send StatusNotification first (SecurityError)', async () => {
    await register('BOOT-NEW');
    const station = await connect('BOOT-NEW');
    const reply = await station.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    expect(reply[0]).toBe(4);
    expect(reply[2]).toBe('SecurityError');
    await station.close();
  });

  it.each([
    ['ocpp2.0.1', 'BOOT-PEND-201', BOOT_201],
    ['ocpp1.6', 'BOOT-PEND-16', BOOT_16],
  ])('B02.FR.09 TC_B_30_CSMS a Pending %s station gets SecurityError for StatusNotification', async (protocol, id, boot) => {
    await register(id, { bootPolicy: 'Pending' });
    const station = await connect(id, [protocol]);
    const [, , body] = (await station.call('BootNotification', boot)) as [number, string, { status: string; interval: number }];
    expect(body).toMatchObject({ status: 'Pending', interval: 15 });
    const status =
      protocol === 'ocpp1.6'
        ? { connectorId: 1, errorCode: 'NoError', status: 'Available' }
        : { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 };
    expect((await station.call('StatusNotification', status))[2]).toBe('SecurityError');
    expect((await station.call('Heartbeat', {}))[2]).toBe('SecurityError');
    // B02.FR.06: the channel stays open while Pending.
    expect(station.ws.readyState).toBe(1);
    await station.close();
  });

  it('TC_B_31_CSMS a Pending station may send what the CSMS triggered', async () => {
    await register('BOOT-TRIG', { bootPolicy: 'Pending' });
    const station = await connect('BOOT-TRIG');
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Pending' });
    const api = server.api('POST', '/api/v1/stations/BOOT-TRIG/ocpp/TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } });
    const trigger = await station.nextCall('TriggerMessage');
    station.reply(trigger[1] as string, { status: 'Accepted' });
    expect((await api).body).toMatchObject({ response: { status: 'Accepted' } });
    const reply = await station.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    expect(reply[0]).toBe(3);
    // Only what was asked for: a Heartbeat is still refused.
    expect((await station.call('Heartbeat', {}))[2]).toBe('SecurityError');
    await station.close();
  });

  it('B03 a Rejected station is told so and may send nothing else', async () => {
    await register('BOOT-REJ', { bootPolicy: 'Rejected' });
    const station = await connect('BOOT-REJ');
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Rejected', interval: 15 });
    expect((await station.call('Heartbeat', {}))[2]).toBe('SecurityError');
    await station.close();
  });

  it('PATCH bootPolicy takes effect at the next BootNotification; Pending then Accepted', async () => {
    await register('BOOT-APPROVE', { bootPolicy: 'Pending' });
    const station = await connect('BOOT-APPROVE');
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Pending' });
    const patched = await server.api('PATCH', '/api/v1/stations/BOOT-APPROVE', { bootPolicy: 'Accepted' });
    expect(patched.status).toBe(200);
    expect(patched.body.bootPolicy).toBe('Accepted');
    // Not yet: the station is still Pending until it boots again.
    expect((await station.call('Heartbeat', {}))[2]).toBe('SecurityError');
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted', interval: 120 });
    expect((await station.call('Heartbeat', {}))[0]).toBe(3);
    await station.close();
  });

  it('an operator can block an accepted station: Rejected at its next boot', async () => {
    await register('BOOT-BLOCK');
    const station = await connect('BOOT-BLOCK');
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted' });
    expect((await server.api('PATCH', '/api/v1/stations/BOOT-BLOCK', { bootPolicy: 'Rejected' })).status).toBe(200);
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Rejected' });
    expect((await station.call('Heartbeat', {}))[2]).toBe('SecurityError');
    await station.close();
  });

  it('a reconnect without a new BootNotification is normal for an Accepted station', async () => {
    await register('BOOT-RECON');
    const first = await connect('BOOT-RECON');
    expect((await first.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted' });
    await first.close();
    const second = await connect('BOOT-RECON');
    expect((await second.call('Heartbeat', {}))[0]).toBe(3);
    await second.close();
  });

  it('Heartbeat answers the current time (1.6 §4.6 / G02)', async () => {
    await register('BOOT-HB');
    const station = await connect('BOOT-HB', ['ocpp1.6']);
    await station.call('BootNotification', BOOT_16);
    const [, , body] = (await station.call('Heartbeat', {})) as [number, string, { currentTime: string }];
    expect(Math.abs(Date.parse(body.currentTime) - Date.now())).toBeLessThan(5000);
    await station.close();
  });
});
