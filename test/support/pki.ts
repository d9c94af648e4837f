import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority, type IssuedCertificate } from '../../src/modules/security/index.js';

export interface TestPki {
  dir: string;
  caDir: string;
  caFile: string;
  caPem: string;
  authority: CertificateAuthority;
  rsaServer: { certFile: string; keyFile: string };
  ecdsaServer: { certFile: string; keyFile: string };
  /** A station (client) certificate from the operator CA, CN = stationId (profile 3). */
  stationCertificate(stationId: string, kind?: 'rsa' | 'ecdsa'): Promise<IssuedCertificate>;
  /** A certificate from a CA the server does not trust. */
  foreignCertificate(stationId: string): Promise<IssuedCertificate>;
}

/** A throwaway PKI made with the built-in CA code: the operator root, RSA and ECDSA server certificates. */
export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'ampline-pki-'));
  const caDir = join(dir, 'ca');
  const authority = await CertificateAuthority.init(caDir, { kind: 'ecdsa', commonName: 'Test Operator Root' });
  const write = async (name: string, issued: IssuedCertificate) => {
    const certFile = join(dir, `${name}-cert.pem`);
    const keyFile = join(dir, `${name}-key.pem`);
    await writeFile(certFile, issued.certificatePem);
    await writeFile(keyFile, issued.privateKeyPem);
    return { certFile, keyFile };
  };
  const hosts = ['localhost', '127.0.0.1'];
  const rsaServer = await write('server-rsa', await authority.issueWithKey('rsa', 'localhost', 'server', hosts));
  const ecdsaServer = await write('server-ecdsa', await authority.issueWithKey('ecdsa', 'localhost', 'server', hosts));
  const { authority: foreign } = await CertificateAuthority.create({ kind: 'ecdsa', commonName: 'Someone Else Root' });
  return {
    dir,
    caDir,
    caFile: join(caDir, 'ca-cert.pem'),
    caPem: authority.certificatePem,
    authority,
    rsaServer,
    ecdsaServer,
    stationCertificate: (stationId, kind = 'ecdsa') => authority.issueWithKey(kind, stationId, 'client'),
    foreignCertificate: (stationId) => foreign.issueWithKey('ecdsa', stationId, 'client'),
  };
}
