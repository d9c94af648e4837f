import { randomBytes, webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '../../platform/errors.js';
import { generateKeys, importPrivateKey, privateKeyPem, signingAlgorithm, type KeyKind, type SigningKeys } from './keys.js';
import { x509 } from './x509.js';

export const CA_CERT_FILE = 'ca-cert.pem';
export const CA_KEY_FILE = 'ca-key.pem';
const DAY_MS = 86_400_000;

export type CertificateUsage = 'server' | 'client';

export interface IssuedCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

export interface AuthorityInit {
  kind: KeyKind;
  commonName?: string;
  organization?: string;
  validityDays?: number;
}

/** X.500 names are built as JSON so a station id with a comma or '=' cannot inject an RDN. */
function nameOf(commonName: string, organization?: string): x509.Name {
  const rdns: x509.JsonName = [{ CN: [commonName] }];
  if (organization) rdns.push({ O: [organization] });
  return new x509.Name(rdns);
}

/** The subject commonName of a certificate or request, or undefined when it has none. */
export function commonNameOf(name: x509.Name): string | undefined {
  return name.getField('CN')[0];
}

/**
 * The operator's own certificate authority: a root key and self-signed certificate kept in a
 * directory, which signs station certificates (A02/A03 SignCertificate, profile 3 client
 * certificates) and, for labs, the CSMS server certificate.
 */
export class CertificateAuthority {
  private constructor(
    readonly certificate: x509.X509Certificate,
    private readonly keys: SigningKeys,
    private readonly clockMs: () => number,
  ) {}

  get certificatePem(): string {
    return this.certificate.toString('pem');
  }

  get kind(): KeyKind {
    return this.keys.kind;
  }

  static exists(dir: string): boolean {
    return existsSync(join(dir, CA_CERT_FILE)) && existsSync(join(dir, CA_KEY_FILE));
  }

  static async load(dir: string, clockMs: () => number = Date.now): Promise<CertificateAuthority> {
    const [certPem, keyPem] = await Promise.all([readFile(join(dir, CA_CERT_FILE), 'utf8'), readFile(join(dir, CA_KEY_FILE), 'utf8')]);
    return new CertificateAuthority(new x509.X509Certificate(certPem), await importPrivateKey(keyPem), clockMs);
  }

  /** Creates a new root in memory; `init` also writes it. */
  static async create(init: AuthorityInit, clockMs: () => number = Date.now): Promise<{ authority: CertificateAuthority; privateKeyPem: string }> {
    const keys = await generateKeys(init.kind);
    const name = nameOf(init.commonName ?? 'Ampline Root CA', init.organization);
    const notBefore = new Date(clockMs() - 60_000);
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: name,
      issuer: name,
      notBefore,
      notAfter: new Date(notBefore.getTime() + (init.validityDays ?? 3650) * DAY_MS),
      signingAlgorithm: signingAlgorithm(init.kind),
      publicKey: keys.publicKey as never,
      signingKey: keys.privateKey as never,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
      ],
    });
    return { authority: new CertificateAuthority(certificate, keys, clockMs), privateKeyPem: await privateKeyPem(keys.privateKey) };
  }

  /** `ampline ca init`: writes the root key (mode 0600) and certificate; never overwrites a root. */
  static async init(dir: string, init: AuthorityInit): Promise<CertificateAuthority> {
    if (CertificateAuthority.exists(dir)) throw new DomainError('Conflict', `a CA already exists in ${dir}; remove it first to make a new one`);
    const { authority, privateKeyPem: keyPem } = await CertificateAuthority.create(init);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, CA_KEY_FILE), keyPem, { mode: 0o600, flag: 'wx' });
    await writeFile(join(dir, CA_CERT_FILE), authority.certificatePem, { flag: 'wx' });
    return authority;
  }

  /** Signs a public key for a subject; server certificates carry DNS/IP names for host checks. */
  async issue(options: {
    commonName: string;
    organization?: string | undefined;
    publicKey: webcrypto.CryptoKey;
    usage: CertificateUsage;
    hostNames?: string[];
    validityDays?: number;
  }): Promise<x509.X509Certificate> {
    const notBefore = new Date(this.clockMs() - 60_000);
    const names = (options.hostNames ?? []).map((h) => ({ type: /^[\d.]+$|:/.test(h) ? ('ip' as const) : ('dns' as const), value: h }));
    const keyUsage =
      this.keys.kind === 'rsa' || options.usage === 'client'
        ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyAgreement
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement;
    return x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: nameOf(options.commonName, options.organization),
      issuer: this.certificate.subjectName,
      notBefore,
      notAfter: new Date(notBefore.getTime() + (options.validityDays ?? 365) * DAY_MS),
      signingAlgorithm: signingAlgorithm(this.keys.kind),
      publicKey: options.publicKey as never,
      signingKey: this.keys.privateKey as never,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(keyUsage, true),
        new x509.ExtendedKeyUsageExtension([options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
        await x509.AuthorityKeyIdentifierExtension.create(this.certificate),
        ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      ],
    });
  }

  /** A fresh key pair with a certificate from this CA (labs, tests, the CSMS server certificate). */
  async issueWithKey(kind: KeyKind, commonName: string, usage: CertificateUsage, hostNames: string[] = []): Promise<IssuedCertificate> {
    const keys = await generateKeys(kind);
    const certificate = await this.issue({ commonName, publicKey: keys.publicKey, usage, hostNames });
    return { certificatePem: certificate.toString('pem'), privateKeyPem: await privateKeyPem(keys.privateKey) };
  }

  /**
   * Signs a station's PKCS#10 request (A02.FR.03) after checking its self-signature and that
   * its subject CN names the station (A00.FR.405, certificate properties in part 2 §A). Returns
   * the PEM chain, leaf first, as CertificateSigned carries it.
   */
  async signStationRequest(csrPem: string, stationId: string): Promise<string> {
    let request: x509.Pkcs10CertificateRequest;
    try {
      request = new x509.Pkcs10CertificateRequest(csrPem.trim());
    } catch (err) {
      throw new DomainError('InvalidInput', `csr is not a PEM PKCS#10 request: ${(err as Error).message}`, { field: 'csr' });
    }
    if (!(await request.verify())) throw new DomainError('InvalidInput', 'csr signature does not verify', { field: 'csr' });
    const commonName = commonNameOf(request.subjectName);
    if (commonName !== stationId) {
      throw new DomainError('InvalidInput', `csr subject CN "${commonName ?? ''}" does not equal the station identity "${stationId}"`, {
        field: 'csr',
      });
    }
    const organization = request.subjectName.getField('O')[0];
    const publicKey = await request.publicKey.export();
    const leaf = await this.issue({ commonName, organization, publicKey: publicKey as never, usage: 'client' });
    return `${leaf.toString('pem')}\n${this.certificatePem}\n`;
  }
}

/** A positive 128-bit serial (RFC 5280 §4.1.2.2: at most 20 octets, unpredictable). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}
