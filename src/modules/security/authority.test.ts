import { describe, expect, it } from 'vitest';
import { CertificateAuthority } from './authority.js';
import { generateKeys } from './keys.js';
import { x509 } from './x509.js';

async function csrFor(commonName: string, kind: 'rsa' | 'ecdsa') {
  const keys = await generateKeys(kind);
  const alg = kind === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', hash: 'SHA-256' };
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [commonName] }, { O: ['Operator'] }],
    keys: { privateKey: keys.privateKey, publicKey: keys.publicKey } as never,
    signingAlgorithm: alg,
  });
  return csr.toString('pem');
}

describe('built-in certificate authority', () => {
  it.each(['rsa', 'ecdsa'] as const)('A02.FR.03 signs a %s CSR whose CN is the station identity, chained to the root', async (kind) => {
    const { authority } = await CertificateAuthority.create({ kind: kind === 'rsa' ? 'ecdsa' : 'rsa' });
    const chain = await authority.signStationRequest(await csrFor('CS-1', kind), 'CS-1');
    const [leafPem] = x509.PemConverter.decodeWithHeaders(chain);
    const leaf = new x509.X509Certificate(leafPem!.rawData);
    expect(leaf.subjectName.getField('CN')).toEqual(['CS-1']);
    expect(leaf.subjectName.getField('O')).toEqual(['Operator']);
    expect(await leaf.verify({ publicKey: authority.certificate })).toBe(true);
  });

  it('A00.FR.405 refuses a CSR whose CN names another station', async () => {
    const { authority } = await CertificateAuthority.create({ kind: 'ecdsa' });
    await expect(authority.signStationRequest(await csrFor('CS-OTHER', 'ecdsa'), 'CS-1')).rejects.toMatchObject({ code: 'InvalidInput' });
  });

  it('refuses text that is not a CSR with InvalidInput naming the csr field', async () => {
    const { authority } = await CertificateAuthority.create({ kind: 'ecdsa' });
    await expect(authority.signStationRequest('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', 'CS-1')).rejects.toMatchObject({
      code: 'InvalidInput',
      details: { field: 'csr' },
    });
  });
});
