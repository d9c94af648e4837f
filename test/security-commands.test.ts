import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { BOOT_16, BOOT_201, RawStation } from './support/raw-station.js';
import { nextEvent } from './support/events.js';
import { createTestPki, type TestPki } from './support/pki.js';
import type { StationSecurityProfileUpgraded } from '../src/modules/security/index.js';
import type { StationSecurityEvent } from '../src/modules/stations/index.js';

const PASSWORD = 'cmd-station-password-0123';
const HASH = { hashAlgorithm: 'SHA256', issuerNameHash: 'ab12', issuerKeyHash: 'cd34', serialNumber: '01' };

let pki: TestPki;
let server: TestServer;

async function online(id: string, v16 = false): Promise<RawStation> {
  expect((await server.api('POST', '/api/v1/stations', { id, password: PASSWORD, ocppVersion: v16 ? '1.6' : '2.0.1' })).status).toBe(201);
  const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id, password: PASSWORD, protocols: [v16 ? 'ocpp1.6' : 'ocpp2.0.1'] });
  expect(((await station.call('BootNotification', v16 ? BOOT_16 : BOOT_201))[2] as { status: string }).status).toBe('Accepted');
  return station;
}

/** Calls the API, answers the one CALL it causes, and returns both. */
async function roundTrip(station: RawStation, path: string, body: unknown, action: string, answer: unknown) {
  const response = server.api('POST', path, body);
  const call = await station.nextCall(action);
  station.reply(call[1] as string, answer);
  return { sent: call[3] as any, response: await response };
}

beforeAll(async () => {
  pki = await createTestPki();
  server = await startTestServer({
    tls: { port: 0, certFiles: [pki.rsaServer.certFile], keyFiles: [pki.rsaServer.keyFile], caFile: pki.caFile },
    caDir: pki.caDir,
  });
});

afterAll(async () => {
  await server?.close();
});

describe('M certificate management, both versions', () => {
  it('M05 InstallCertificate (2.0.1) sends the CSMS root and returns the station answer', async () => {
    const station = await online('M-201');
    const { sent, response } = await roundTrip(station, '/api/v1/stations/M-201/install-certificate', { certificateType: 'CSMSRootCertificate', certificate: pki.caPem }, 'InstallCertificate', { status: 'Accepted' });
    expect(sent).toEqual({ certificateType: 'CSMSRootCertificate', certificate: pki.caPem });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ action: 'InstallCertificate', response: { status: 'Accepted' } });
    await station.close();
  });

  it('1.6 security §3.3 InstallCertificate maps CSMSRootCertificate to CentralSystemRootCertificate', async () => {
    const station = await online('M-16', true);
    const { sent, response } = await roundTrip(station, '/api/v1/stations/M-16/install-certificate', { certificateType: 'CSMSRootCertificate', certificate: pki.caPem }, 'InstallCertificate', { status: 'Rejected' });
    expect(sent.certificateType).toBe('CentralSystemRootCertificate');
    expect(response.body.response).toEqual({ status: 'Rejected' });
    await station.close();
  });

  it('M03/M04 GetInstalledCertificateIds and DeleteCertificate round trips (2.0.1 list, 1.6 single type)', async () => {
    const station = await online('M-IDS');
    const ids = await roundTrip(station, '/api/v1/stations/M-IDS/get-installed-certificate-ids', { certificateType: ['CSMSRootCertificate'] }, 'GetInstalledCertificateIds', {
      status: 'Accepted',
      certificateHashDataChain: [{ certificateType: 'CSMSRootCertificate', certificateHashData: HASH }],
    });
    expect(ids.sent).toEqual({ certificateType: ['CSMSRootCertificate'] });
    expect(ids.response.body.response.certificateHashDataChain[0].certificateHashData).toEqual(HASH);
    const del = await roundTrip(station, '/api/v1/stations/M-IDS/delete-certificate', { certificateHashData: HASH }, 'DeleteCertificate', { status: 'Accepted' });
    expect(del.sent).toEqual({ certificateHashData: HASH });
    expect(del.response.body.response).toEqual({ status: 'Accepted' });
    await station.close();

    const old = await online('M-IDS-16', true);
    const ids16 = await roundTrip(old, '/api/v1/stations/M-IDS-16/get-installed-certificate-ids', { certificateType: ['ManufacturerRootCertificate'] }, 'GetInstalledCertificateIds', { status: 'NotFound' });
    expect(ids16.sent).toEqual({ certificateType: 'ManufacturerRootCertificate' });
    expect(ids16.response.body.response).toEqual({ status: 'NotFound' });
    await old.close();
  });

  it('bad input is a 400 naming the field, and nothing is sent', async () => {
    const station = await online('M-BAD');
    const notPem = await server.api('POST', '/api/v1/stations/M-BAD/install-certificate', { certificateType: 'CSMSRootCertificate', certificate: 'hello' });
    expect(notPem.status).toBe(400);
    expect(JSON.stringify(notPem.body)).toContain('certificate');
    const badType = await server.api('POST', '/api/v1/stations/M-BAD/install-certificate', { certificateType: 'Nope', certificate: pki.caPem });
    expect(badType.status).toBe(400);
    const badHash = await server.api('POST', '/api/v1/stations/M-BAD/delete-certificate', { certificateHashData: { ...HASH, serialNumber: 'xyz' } });
    expect(badHash.status).toBe(400);
    await station.call('Heartbeat', {});
    expect(station.frames.filter((f) => f[0] === 2)).toHaveLength(0);
    await station.close();
  });
});

describe('A05 security profile upgrade', () => {
  it('TC_A_19_CSMS A05.FR.04-07 2.0.1: SetNetworkProfile, NetworkConfigurationPriority, Reset; the record changes when the station is back on profile 2', async () => {
    const station = await online('UP-201');
    const tlsUrl = server.app.tls!.url.replace('127.0.0.1', 'localhost');
    const response = server.api('POST', '/api/v1/stations/UP-201/upgrade-security-profile', { securityProfile: 2, csmsUrl: tlsUrl, configurationSlot: 2 });
    const network = await station.nextCall('SetNetworkProfile');
    expect((network[3] as any).connectionData).toMatchObject({ securityProfile: 2, ocppCsmsUrl: tlsUrl, ocppVersion: 'OCPP20' });
    station.reply(network[1] as string, { status: 'Accepted' });
    const priority = await station.nextCall('SetVariables');
    expect((priority[3] as any).setVariableData[0]).toMatchObject({ variable: { name: 'NetworkConfigurationPriority' }, attributeValue: '2' });
    station.reply(priority[1] as string, {
      setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' } }],
    });
    const reset = await station.nextCall('Reset');
    station.reply(reset[1] as string, { status: 'Accepted' });
    const answer = await response;
    expect(answer.status).toBe(200);
    expect(answer.body.accepted).toBe(true);
    expect(answer.body.steps.map((s: { action: string }) => s.action)).toEqual(['SetNetworkProfile', 'SetVariables', 'Reset']);
    expect((await server.api('GET', '/api/v1/stations/UP-201')).body.securityProfile).toBe(1);
    await station.close();

    const upgraded = nextEvent<StationSecurityProfileUpgraded>(server.app.bus, 'StationSecurityProfileUpgraded', (e) => e.payload.stationId === 'UP-201');
    const back = await RawStation.connect({ baseUrl: tlsUrl, id: 'UP-201', password: PASSWORD, tls: { ca: pki.caPem } });
    expect((await upgraded).payload).toMatchObject({ from: 1, to: 2 });
    expect((await server.api('GET', '/api/v1/stations/UP-201')).body.securityProfile).toBe(2);
    await back.close();
    // A05.FR.07: no way back to profile 1.
    expect(await RawStation.refused({ baseUrl: server.app.ocppUrl, id: 'UP-201', password: PASSWORD })).toBe(401);
  });

  it('1.6 security §2.1 ChangeConfiguration SecurityProfile; a downgrade or same-profile request is refused (A00.FR.005)', async () => {
    const station = await online('UP-16', true);
    const { sent, response } = await roundTrip(station, '/api/v1/stations/UP-16/upgrade-security-profile', { securityProfile: 2 }, 'ChangeConfiguration', { status: 'Accepted' });
    expect(sent).toEqual({ key: 'SecurityProfile', value: '2' });
    expect(response.body.accepted).toBe(true);
    await station.close();
    // Until it comes back on TLS it is still a profile-1 station: the plain listener still serves it.
    const plain = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'UP-16', password: PASSWORD, protocols: ['ocpp1.6'] });
    await plain.close();

    // The operator sets profile 2 directly (a method outside OCPP, A00.FR.005); asking OCPP for 2 again is a 409.
    expect((await server.api('PATCH', '/api/v1/stations/UP-16', { securityProfile: 2 })).status).toBe(200);
    const lower = await server.api('POST', '/api/v1/stations/UP-16/upgrade-security-profile', { securityProfile: 2 });
    expect(lower.status).toBe(409);
    const bad = await server.api('POST', '/api/v1/stations/UP-16/upgrade-security-profile', { securityProfile: 1 });
    expect(bad.status).toBe(400);
  });
});

describe('A04 SecurityEventNotification', () => {
  it('A04.FR.02 both versions store the event, raise StationSecurityEvent, and GET /security-events filters by station, type and time', async () => {
    const from = new Date().toISOString();
    const v201 = await online('SEC-201');
    const v16 = await online('SEC-16', true);
    const raised = nextEvent<StationSecurityEvent>(server.app.bus, 'StationSecurityEvent', (e) => e.payload.stationId === 'SEC-201');
    expect((await v201.call('SecurityEventNotification', { type: 'FirmwareUpdated', timestamp: new Date().toISOString(), techInfo: 'v2' }))[2]).toEqual({});
    expect((await raised).payload.type).toBe('FirmwareUpdated');
    expect((await v16.call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: new Date().toISOString() }))[2]).toEqual({});

    const byStation = await server.api('GET', '/api/v1/security-events?stationId=SEC-16');
    expect(byStation.body.items).toEqual([expect.objectContaining({ stationId: 'SEC-16', type: 'TamperDetectionActivated', techInfo: null })]);
    const byType = await server.api('GET', `/api/v1/security-events?type=FirmwareUpdated&from=${encodeURIComponent(from)}`);
    expect(byType.body.items.map((e: { stationId: string }) => e.stationId)).toEqual(['SEC-201']);
    const future = await server.api('GET', `/api/v1/security-events?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(future.body.items).toEqual([]);
    expect((await server.api('GET', '/api/v1/security-events?from=yesterday')).status).toBe(400);
    const perStation = await server.api('GET', '/api/v1/stations/SEC-201/security-events');
    expect(perStation.body.items[0].type).toBe('FirmwareUpdated');
    await v201.close();
    await v16.close();
  });
});
