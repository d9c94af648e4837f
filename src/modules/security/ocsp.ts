import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { BasicOCSPResponse, CertID, OCSPRequest, OCSPResponse, OCSPResponseStatus, Request, TBSRequest, id_pkix_ocsp_basic } from '@peculiar/asn1-ocsp';
import type { Clock } from '../../platform/clock.js';
import type { CertificateHashData } from './types.js';

/** RFC 5754 digest OIDs for the CertID hash algorithm (2.0.1 HashAlgorithmEnumType). */
const HASH_OID: Record<CertificateHashData['hashAlgorithm'], string> = {
  SHA256: '2.16.840.1.101.3.4.2.1',
  SHA384: '2.16.840.1.101.3.4.2.2',
  SHA512: '2.16.840.1.101.3.4.2.3',
};

function hexBytes(hex: string): ArrayBuffer {
  const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

/** The RFC 6960 CertID a station names in GetCertificateStatus (M06). */
export function certIdOf(hash: CertificateHashData): CertID {
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: HASH_OID[hash.hashAlgorithm] }),
    issuerNameHash: new OctetString(hexBytes(hash.issuerNameHash)),
    issuerKeyHash: new OctetString(hexBytes(hash.issuerKeyHash)),
    serialNumber: hexBytes(hash.serialNumber),
  });
}

/** A DER OCSPRequest for one certificate (RFC 6960 §4.1), unsigned and without nonce. */
export function buildOcspRequest(hash: CertificateHashData): Buffer {
  const request = new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certIdOf(hash) })] }) });
  return Buffer.from(AsnConvert.serialize(request));
}

export interface OcspAnswer {
  /** The RFC 6960 response status; only `successful` responses carry a certificate status. */
  successful: boolean;
  certStatus: 'good' | 'revoked' | 'unknown' | undefined;
  nextUpdate: Date | undefined;
}

/** Reads what caching needs from a DER OCSPResponse; the station verifies the signature itself. */
export function readOcspResponse(der: Buffer): OcspAnswer {
  const response = AsnConvert.parse(der, OCSPResponse);
  if (response.responseStatus !== OCSPResponseStatus.successful || response.responseBytes?.responseType !== id_pkix_ocsp_basic) {
    return { successful: false, certStatus: undefined, nextUpdate: undefined };
  }
  const basic = AsnConvert.parse(response.responseBytes.response.buffer, BasicOCSPResponse);
  const single = basic.tbsResponseData.responses[0];
  const status = single?.certStatus;
  const certStatus = status === undefined ? undefined : status.revoked ? 'revoked' : status.good !== undefined ? 'good' : 'unknown';
  return { successful: true, certStatus, nextUpdate: single?.nextUpdate };
}

export type OcspFetch = (url: string, body: Buffer) => Promise<Buffer>;

/** POST application/ocsp-request (RFC 6960 appendix A.1). */
export const httpOcspFetch: OcspFetch = async (url, body) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`OCSP responder ${url} answered HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
};

export type CertificateStatusResult = { status: 'Accepted'; ocspResult: string } | { status: 'Failed'; reason: string };

/**
 * M06 GetCertificateStatus: asks the responder the station named and caches successful answers
 * until their nextUpdate (at most maxAgeMs), so a busy site does not query per plug-in.
 */
export class OcspStatusCache {
  private readonly cache = new Map<string, { der: Buffer; expiresAtMs: number }>();

  constructor(private readonly deps: { fetch: OcspFetch; clock: Clock; maxAgeMs: number; maxEntries?: number }) {}

  async status(hash: CertificateHashData & { responderURL: string }): Promise<CertificateStatusResult> {
    if (!/^https?:\/\//i.test(hash.responderURL)) return { status: 'Failed', reason: 'responderURL is not an http(s) URL' };
    const key = [hash.hashAlgorithm, hash.issuerNameHash, hash.issuerKeyHash, hash.serialNumber].join('/').toLowerCase();
    const nowMs = this.deps.clock.nowMs();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAtMs > nowMs) return { status: 'Accepted', ocspResult: hit.der.toString('base64') };
    let der: Buffer;
    let answer: OcspAnswer;
    try {
      der = await this.deps.fetch(hash.responderURL, buildOcspRequest(hash));
      answer = readOcspResponse(der);
    } catch (err) {
      return { status: 'Failed', reason: (err as Error).message };
    }
    if (!answer.successful) return { status: 'Failed', reason: 'OCSP responder did not answer successfully' };
    // GetCertificateStatusResponse.ocspResult holds at most 5500 base64 characters.
    if (Math.ceil(der.length / 3) * 4 > 5500) return { status: 'Failed', reason: 'OCSP response is larger than ocspResult allows' };
    const untilMs = Math.min(answer.nextUpdate?.getTime() ?? nowMs, nowMs + this.deps.maxAgeMs);
    if (untilMs > nowMs) {
      if (this.cache.size >= (this.deps.maxEntries ?? 10_000)) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, { der, expiresAtMs: untilMs });
    }
    return { status: 'Accepted', ocspResult: der.toString('base64') };
  }
}
