import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { BOOT_16, BOOT_201, RawStation } from './support/raw-station.js';
import { nextEvent } from './support/events.js';
import { createTestPki, type TestPki } from './support/pki.js';
import { generateKeys, privateKeyPem, x509, type StationCertificateIssued, type StationCertificateRefused } from '../src/modules/security/index.js';

const PASSWORD = 'cert-station-password-012';

let pki: TestPki;
let server: TestServer;

type Frame = unknown[];

async function register(id: string, ocppVersion: '1.6' | '2.0.1') {
  expect((await server.api('POST', '/api/v1/stations', { id, password: PASSWORD, ocppVersion })).status).toBe(201);
}

async function connect(id: string, v16 = false): Promise<RawStation> {
  const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id, password: PASSWORD, protocols: [v16 ? 'ocpp1.6' : 'ocpp2.0.1'] });
  const boot = await station.call('BootNotification', v16 ? BOOT_16 : BOOT_201);
  expect((boot[2] as { status: string }).status).toBe('Accepted');
  return station;
}

/** What a station does for A02: a key pair and a PKCS#10 request with its identity as CN. */
async function stationCsr(commonName: string) {
  const keys = await generateKeys('ecdsa');
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [commonName] }, { O: ['Test Operator'] }],
    keys: { privateKey: keys.privateKey, publicKey: keys.publicKey } as never,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  return { csr: csr.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

beforeAll(async () => {
  pki = await createTestPki();
  server = await startTestServer({
    tls: { port: 0, certFiles: [pki.ecdsaServer.certFile], keyFiles: [pki.ecdsaServer.keyFile], caFile: pki.caFile },
    caDir: pki.caDir,
  });
});

afterAll(async () => {
  await server?.close();
});

describe('A02/A03 SignCertificate with the built-in CA', () => {
  it('TC_A_11_CSMS A02.FR.11 a CSR is accepted, signed, sent with CertificateSigned, and the certificate then opens a profile-3 connection', async () => {
    await register('CSR-201', '2.0.1');
    const station = await connect('CSR-201');
    const { csr, keyPem } = await stationCsr('CSR-201');
    const issued = nextEvent<StationCertificateIssued>(server.app.bus, 'StationCertificateIssued', (e) => e.payload.stationId === 'CSR-201');
    const answer = await station.call('SignCertificate', { csr, certificateType: 'ChargingStationCertificate' });
    expect(answer[2]).toEqual({ status: 'Accepted' });
    const signed = await station.nextCall('CertificateSigned');
    const payload = signed[3] as { certificateChain: string; certificateType: string };
    expect(payload.certificateType).toBe('ChargingStationCertificate');
    const [leafDer] = x509.PemConverter.decode(payload.certificateChain);
    const leaf = new x509.X509Certificate(leafDer!);
    expect(leaf.subjectName.getField('CN')).toEqual(['CSR-201']);
    expect(await leaf.verify({ publicKey: pki.authority.certificate })).toBe(true);
    station.reply(signed[1] as string, { status: 'Accepted' });
    expect((await issued).payload.stationStatus).toBe('Accepted');
    await station.close();

    // Installed: the station now moves to profile 3 and authenticates with the signed certificate.
    expect((await server.api('PATCH', '/api/v1/stations/CSR-201', { securityProfile: 3 })).status).toBe(200);
    const mtls = await RawStation.connect({
      baseUrl: server.app.tls!.url.replace('127.0.0.1', 'localhost'),
      id: 'CSR-201',
      tls: { ca: pki.caPem, cert: payload.certificateChain, key: keyPem },
    });
    const boot = await mtls.call('BootNotification', BOOT_201);
    expect((boot[2] as { status: string }).status).toBe('Accepted');
    await mtls.close();
  });

  it('1.6 security §3.2 SignCertificate is accepted and CertificateSigned carries the chain', async () => {
    await register('CSR-16', '1.6');
    const station = await connect('CSR-16', true);
    const { csr } = await stationCsr('CSR-16');
    expect((await station.call('SignCertificate', { csr }))[2]).toEqual({ status: 'Accepted' });
    const signed = await station.nextCall('CertificateSigned');
    expect(Object.keys(signed[3] as object)).toEqual(['certificateChain']);
    station.reply(signed[1] as string, { status: 'Accepted' });
    await station.close();
  });

  it('A02.FR.12 A00.FR.405 a CSR whose CN names another station is Rejected and nothing is signed', async () => {
    await register('CSR-WRONG', '2.0.1');
    const station = await connect('CSR-WRONG');
    const refused = nextEvent<StationCertificateRefused>(server.app.bus, 'StationCertificateRefused', (e) => e.payload.stationId === 'CSR-WRONG');
    const answer = await station.call('SignCertificate', { csr: (await stationCsr('SOMEBODY-ELSE')).csr });
    expect((answer[2] as { status: string }).status).toBe('Rejected');
    expect((await refused).payload.reason).toContain('SOMEBODY-ELSE');
    // A heartbeat round trip after the refusal: had a CertificateSigned been sent, it would be queued first.
    await station.call('Heartbeat', {});
    expect(station.frames.some((f: Frame) => f[0] === 2 && f[2] === 'CertificateSigned')).toBe(false);
    await station.close();
  });

  it('A02.FR.12 a V2GCertificate request is Rejected (the operator CA does not issue ISO 15118 certificates)', async () => {
    await register('CSR-V2G', '2.0.1');
    const station = await connect('CSR-V2G');
    const answer = await station.call('SignCertificate', { csr: (await stationCsr('CSR-V2G')).csr, certificateType: 'V2GCertificate' });
    expect((answer[2] as { status: string }).status).toBe('Rejected');
    await station.close();
  });
});

describe('A01 password rotation', () => {
  async function rotate(station: RawStation, id: string, answer: (payload: any) => unknown) {
    const response = server.api('POST', `/api/v1/stations/${id}/rotate-password`);
    const call = await Promise.race([station.nextCall('SetVariables'), station.nextCall('ChangeConfiguration')]);
    const payload = call[3] as any;
    station.reply(call[1] as string, answer(payload));
    return { call, payload, response: await response };
  }

  it('TC_A_09_CSMS A01.FR.02/03 the station accepts: only the new password works afterwards', async () => {
    await register('ROT-OK', '2.0.1');
    const station = await connect('ROT-OK');
    const { payload, response } = await rotate(station, 'ROT-OK', () => ({
      setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }],
    }));
    const data = payload.setVariableData[0];
    expect(data.component.name).toBe('SecurityCtrlr');
    expect(data.variable.name).toBe('BasicAuthPassword');
    const newPassword = data.attributeValue as string;
    expect(newPassword.length).toBeGreaterThanOrEqual(16);
    expect(response.status).toBe(200);
    expect(response.body.accepted).toBe(true);
    expect(JSON.stringify(response.body)).not.toContain(newPassword);
    await station.close();
    expect(await RawStation.refused({ baseUrl: server.app.ocppUrl, id: 'ROT-OK', password: PASSWORD })).toBe(401);
    const again = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'ROT-OK', password: newPassword });
    await again.close();
  });

  it('TC_A_10_CSMS A01.FR.04 the station rejects: the old password keeps working, the new one does not', async () => {
    await register('ROT-NO', '2.0.1');
    const station = await connect('ROT-NO');
    const { payload, response } = await rotate(station, 'ROT-NO', () => ({
      setVariableResult: [{ attributeStatus: 'Rejected', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }],
    }));
    expect(response.body.accepted).toBe(false);
    await station.close();
    expect(await RawStation.refused({ baseUrl: server.app.ocppUrl, id: 'ROT-NO', password: payload.setVariableData[0].attributeValue })).toBe(401);
    const again = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'ROT-NO', password: PASSWORD });
    await again.close();
  });

  it('A01 a station that reconnects with the new password before answering is let in and the password adopted', async () => {
    await register('ROT-EARLY', '2.0.1');
    const station = await connect('ROT-EARLY');
    const response = server.api('POST', '/api/v1/stations/ROT-EARLY/rotate-password');
    const call = await station.nextCall('SetVariables');
    const newPassword = (call[3] as any).setVariableData[0].attributeValue as string;
    // The old socket is replaced before the answer: the pending call ends, the new login confirms.
    const again = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'ROT-EARLY', password: newPassword });
    expect((await response).body.accepted).toBe(true);
    await again.close();
    expect(await RawStation.refused({ baseUrl: server.app.ocppUrl, id: 'ROT-EARLY', password: PASSWORD })).toBe(401);
  });

  it('1.6 security §2.3 ChangeConfiguration AuthorizationKey (40 hex digits) accepted: the station logs in with it', async () => {
    await register('ROT-16', '1.6');
    const station = await connect('ROT-16', true);
    const { payload, response } = await rotate(station, 'ROT-16', () => ({ status: 'Accepted' }));
    expect(payload.key).toBe('AuthorizationKey');
    expect(payload.value).toMatch(/^[0-9a-f]{40}$/);
    expect(response.body.accepted).toBe(true);
    await station.close();
    // Sent as its decoded 20 bytes, as some 1.6 stations do.
    const again = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'ROT-16', password: Buffer.from(payload.value, 'hex'), protocols: ['ocpp1.6'] });
    await again.close();
  });

  it('an offline station cannot be rotated (503 problem), and PATCH password takes effect at once', async () => {
    await register('ROT-OFF', '2.0.1');
    const offline = await server.api('POST', '/api/v1/stations/ROT-OFF/rotate-password');
    expect(offline.status).toBeGreaterThanOrEqual(400);
    const station = await connect('ROT-OFF');
    await station.close();
    expect((await server.api('PATCH', '/api/v1/stations/ROT-OFF', { password: 'a-brand-new-password-99' })).status).toBe(200);
    expect(await RawStation.refused({ baseUrl: server.app.ocppUrl, id: 'ROT-OFF', password: PASSWORD })).toBe(401);
  });
});
