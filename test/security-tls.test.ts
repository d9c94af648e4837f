import type { TLSSocket } from 'node:tls';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { BOOT_16, BOOT_201, RawStation, type RawStationOptions } from './support/raw-station.js';
import { createTestPki, type TestPki } from './support/pki.js';

const PASSWORD = 'tls-station-password-0123';
// TLS 1.2 signature algorithms that only an RSA (or only an ECDSA) server certificate can satisfy.
const RSA_ONLY = 'rsa_pss_rsae_sha256:rsa_pkcs1_sha256';
const ECDSA_ONLY = 'ecdsa_secp256r1_sha256';

let pki: TestPki;
let server: TestServer;
let wss: string;
let ws: string;

function peerOf(station: RawStation) {
  return ((station.ws as unknown as { _socket: TLSSocket })._socket).getPeerCertificate();
}

async function register(id: string, securityProfile: 0 | 1 | 2 | 3, ocppVersion: '1.6' | '2.0.1' = '2.0.1') {
  const created = await server.api('POST', '/api/v1/stations', { id, securityProfile, ocppVersion, ...(securityProfile <= 2 && securityProfile > 0 ? { password: PASSWORD } : {}) });
  expect(created.status).toBe(201);
}

function over(id: string, extra: Partial<RawStationOptions> = {}): RawStationOptions {
  return { baseUrl: wss, id, tls: { ca: pki.caPem, ...(extra.tls ?? {}) }, ...(extra.password !== undefined ? { password: extra.password } : {}), ...(extra.protocols ? { protocols: extra.protocols } : {}) };
}

async function bootAccepted(station: RawStation, v16 = false) {
  const reply = await station.call('BootNotification', v16 ? BOOT_16 : BOOT_201);
  expect(reply[0]).toBe(3);
  expect((reply[2] as { status: string }).status).toBe('Accepted');
}

beforeAll(async () => {
  pki = await createTestPki();
  server = await startTestServer({
    tls: {
      port: 0,
      certFiles: [pki.rsaServer.certFile, pki.ecdsaServer.certFile],
      keyFiles: [pki.rsaServer.keyFile, pki.ecdsaServer.keyFile],
      caFile: pki.caFile,
    },
    caDir: pki.caDir,
  });
  wss = server.app.tls!.url.replace('127.0.0.1', 'localhost');
  ws = server.app.ocppUrl;
});

afterAll(async () => {
  await server?.close();
});

describe('security profile 2: TLS with Basic auth on the TLS listener', () => {
  it('TC_A_04_CSMS A00.FR.318 an RSA-only client is served the RSA certificate and boots', async () => {
    await register('SP2-RSA', 2);
    const station = await RawStation.connect(over('SP2-RSA', { password: PASSWORD, tls: { sigalgs: RSA_ONLY, maxVersion: 'TLSv1.2' } }));
    expect(peerOf(station).modulus).toBeTruthy();
    await bootAccepted(station);
    await station.close();
  });

  it('TC_A_04_CSMS A00.FR.318 an ECDSA-only client is served the ECDSA certificate on the same port (1.6)', async () => {
    await register('SP2-EC', 2, '1.6');
    const station = await RawStation.connect(over('SP2-EC', { password: PASSWORD, protocols: ['ocpp1.6'], tls: { sigalgs: ECDSA_ONLY, maxVersion: 'TLSv1.2' } }));
    const peer = peerOf(station) as { modulus?: string; asn1Curve?: string };
    expect(peer.modulus).toBeUndefined();
    expect(peer.asn1Curve).toBe('prime256v1');
    await bootAccepted(station, true);
    await station.close();
  });

  it('TC_A_06_CSMS A00.FR.313/315 a client that only speaks TLS 1.1 is refused', async () => {
    await register('SP2-OLDTLS', 2);
    const status = await RawStation.refused(over('SP2-OLDTLS', { password: PASSWORD, tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } }));
    expect(status).toBe(-1);
  });

  it('TC_A_03_CSMS A00.FR.324 a wrong password over TLS is refused with 401', async () => {
    await register('SP2-BADPW', 2);
    expect(await RawStation.refused(over('SP2-BADPW', { password: 'not-the-password-at-all' }))).toBe(401);
  });

  it('A00.FR.002 a profile-2 station is refused on the plain listener (no downgrade, A00.FR.005)', async () => {
    await register('SP2-PLAIN', 2);
    expect(await RawStation.refused({ baseUrl: ws, id: 'SP2-PLAIN', password: PASSWORD })).toBe(401);
    const events = await server.api('GET', '/api/v1/stations/SP2-PLAIN/security-events');
    expect(events.body.items[0].type).toBe('AuthenticationFailed');
  });

  it('A00.FR.002 a profile-1 station is refused on the TLS listener, and still served on the plain one', async () => {
    await register('SP1-TLS', 1);
    expect(await RawStation.refused(over('SP1-TLS', { password: PASSWORD }))).toBe(401);
    const plain = await RawStation.connect({ baseUrl: ws, id: 'SP1-TLS', password: PASSWORD });
    await bootAccepted(plain);
    await plain.close();
  });
});

describe('security profile 3: mutual TLS', () => {
  it('TC_A_07_CSMS A00.FR.401/403/405 a station certificate from the operator CA with CN = identity connects without Basic auth', async () => {
    await register('SP3-OK', 3);
    const issued = await pki.stationCertificate('SP3-OK', 'rsa');
    const station = await RawStation.connect(over('SP3-OK', { tls: { cert: issued.certificatePem, key: issued.privateKeyPem } }));
    await bootAccepted(station);
    await station.close();
  });

  it('TC_A_08_CSMS A00.FR.405/407/408 a certificate for another identity is refused and InvalidChargingStationCertificate recorded', async () => {
    await register('SP3-WRONGCN', 3);
    const issued = await pki.stationCertificate('SP3-SOMEONE-ELSE');
    expect(await RawStation.refused(over('SP3-WRONGCN', { tls: { cert: issued.certificatePem, key: issued.privateKeyPem } }))).toBe(401);
    const events = await server.api('GET', '/api/v1/security-events?stationId=SP3-WRONGCN&type=InvalidChargingStationCertificate');
    expect(events.status).toBe(200);
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0].techInfo).toContain('A00.FR.405');
  });

  it('TC_A_08_CSMS A00.FR.403/407 a certificate that does not chain to the operator CA is refused', async () => {
    await register('SP3-FOREIGN', 3);
    const issued = await pki.foreignCertificate('SP3-FOREIGN');
    expect(await RawStation.refused(over('SP3-FOREIGN', { tls: { cert: issued.certificatePem, key: issued.privateKeyPem } }))).toBe(401);
  });

  it('A00.FR.401 a profile-3 station without a client certificate is refused, even with a password', async () => {
    await register('SP3-NOCERT', 3);
    expect(await RawStation.refused(over('SP3-NOCERT', { password: PASSWORD }))).toBe(401);
  });

  it('A00.FR.002 a profile-3 station is refused on the plain listener', async () => {
    await register('SP3-PLAIN', 3);
    expect(await RawStation.refused({ baseUrl: ws, id: 'SP3-PLAIN' })).toBe(401);
  });
});

describe('certificate reload without restart', () => {
  it('new handshakes get the replaced server certificate after a reload; the old connection stays up', async () => {
    await register('SP2-RELOAD', 2);
    const before = await RawStation.connect(over('SP2-RELOAD', { password: PASSWORD, tls: { sigalgs: ECDSA_ONLY, maxVersion: 'TLSv1.2' } }));
    const oldSerial = peerOf(before).serialNumber;
    const renewed = await pki.authority.issueWithKey('ecdsa', 'localhost', 'server', ['localhost', '127.0.0.1']);
    await writeFile(pki.ecdsaServer.keyFile, renewed.privateKeyPem);
    await writeFile(pki.ecdsaServer.certFile, renewed.certificatePem);
    await server.app.tls!.reload();
    const after = await RawStation.connect(over('SP2-RELOAD', { password: PASSWORD, tls: { sigalgs: ECDSA_ONLY, maxVersion: 'TLSv1.2' } }));
    expect(peerOf(after).serialNumber).not.toBe(oldSerial);
    await bootAccepted(after);
    await after.close();
    await before.close();
  });
});
