import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_16, BOOT_201 } from './support/raw-station.js';

const PASSWORD = 'station-password-group';

/**
 * Stopping with another card is the station's decision, made from the groupIdToken the CSMS
 * returns (C09, C16); the CSMS must return the right group and record who stopped.
 */
describe('group and master-pass stops (C09 TC_C_39_CSMS, C16 TC_C_47..49_CSMS)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    for (const token of [
      { uid: 'FLEET-CARD-A', groupId: 'FLEET-7' },
      { uid: 'FLEET-CARD-B', groupId: 'FLEET-7' },
      { uid: 'OTHER-CARD', groupId: 'FLEET-9' },
      { uid: 'MASTER-CARD', groupId: 'MASTERPASS', masterPass: true },
    ]) {
      expect((await server.api('POST', '/api/v1/tokens', { type: 'ISO14443', ...token })).status).toBe(201);
    }
  });
  afterAll(async () => server?.close());

  it('2.0.1: a card of the same group gets the same groupIdToken and its stop is recorded', async () => {
    expect((await server.api('POST', '/api/v1/stations', { id: 'GROUP-201', password: PASSWORD })).status).toBe(201);
    const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'GROUP-201', password: PASSWORD });
    await station.call('BootNotification', BOOT_201);
    const start = await station.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: new Date(Date.now() - 60_000).toISOString(),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'GROUP-TX-1', chargingState: 'Charging' },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: 'FLEET-CARD-A', type: 'ISO14443' },
    });
    const starterGroup = (start[2] as { idTokenInfo: { groupIdToken: unknown } }).idTokenInfo.groupIdToken;
    const peer = await station.call('Authorize', { idToken: { idToken: 'FLEET-CARD-B', type: 'ISO14443' } });
    expect((peer[2] as { idTokenInfo: { groupIdToken: unknown } }).idTokenInfo.groupIdToken).toEqual(starterGroup);
    const other = await station.call('Authorize', { idToken: { idToken: 'OTHER-CARD', type: 'ISO14443' } });
    expect((other[2] as { idTokenInfo: { groupIdToken: unknown } }).idTokenInfo.groupIdToken).not.toEqual(starterGroup);
    await station.call('TransactionEvent', {
      eventType: 'Ended',
      timestamp: new Date().toISOString(),
      triggerReason: 'StopAuthorized',
      seqNo: 1,
      transactionInfo: { transactionId: 'GROUP-TX-1', stoppedReason: 'Local' },
      idToken: { idToken: 'FLEET-CARD-B', type: 'ISO14443' },
    });
    const sessions = (await server.api('GET', '/api/v1/sessions?stationId=GROUP-201')).body.items;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ status: 'finished', idToken: 'FLEET-CARD-A', stopIdToken: 'FLEET-CARD-B', stopReason: 'Local' });
    await station.close();
  });

  it('TC_C_49_CSMS a master pass is answered with the master-pass group', async () => {
    expect((await server.api('POST', '/api/v1/stations', { id: 'GROUP-MP', password: PASSWORD })).status).toBe(201);
    const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'GROUP-MP', password: PASSWORD });
    await station.call('BootNotification', BOOT_201);
    const reply = await station.call('Authorize', { idToken: { idToken: 'MASTER-CARD', type: 'ISO14443' } });
    expect(reply[2]).toMatchObject({ idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'MASTERPASS' } } });
    await station.close();
  });

  it('1.6: the stopping idTag gets its parentIdTag and the stop is recorded against the session', async () => {
    expect((await server.api('POST', '/api/v1/stations', { id: 'GROUP-16', password: PASSWORD })).status).toBe(201);
    const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'GROUP-16', password: PASSWORD, protocols: ['ocpp1.6'] });
    await station.call('BootNotification', BOOT_16);
    const start = await station.call('StartTransaction', { connectorId: 1, idTag: 'FLEET-CARD-A', meterStart: 0, timestamp: new Date(Date.now() - 60_000).toISOString() });
    const { transactionId, idTagInfo } = start[2] as { transactionId: number; idTagInfo: { parentIdTag: string } };
    expect(idTagInfo.parentIdTag).toBe('FLEET-7');
    const stop = await station.call('StopTransaction', { transactionId, idTag: 'FLEET-CARD-B', meterStop: 4200, timestamp: new Date().toISOString(), reason: 'Local' });
    expect(stop[2]).toMatchObject({ idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET-7' } });
    const sessions = (await server.api('GET', '/api/v1/sessions?stationId=GROUP-16')).body.items;
    expect(sessions[0]).toMatchObject({ status: 'finished', idToken: 'FLEET-CARD-A', stopIdToken: 'FLEET-CARD-B', energyWh: 4200 });
    await station.close();
  });
});
