import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived, HMAC-signed paths for files a station fetches or uploads without an API token
 * (firmware images, log uploads). The signature and expiry sit in the path, not the query, because
 * some chargers append a file name to the location they were given.
 */
export interface SignedLinkParts {
  /** What the link is for ('firmware', 'log'): a firmware link cannot be replayed as an upload link. */
  purpose: string;
  id: string;
  expiresMs: number;
}

export class SignedLinks {
  constructor(private readonly key: Buffer) {}

  signature(parts: SignedLinkParts): string {
    return createHmac('sha256', this.key).update(`${parts.purpose}\n${parts.id}\n${parts.expiresMs}`).digest('base64url');
  }

  /** `/{id}/{expiresMs}/{signature}`, to be put after the route prefix. */
  path(parts: SignedLinkParts): string {
    return `/${encodeURIComponent(parts.id)}/${parts.expiresMs}/${this.signature(parts)}`;
  }

  /** 'ok', or why the link is refused; the caller answers 403 either way. */
  check(parts: { purpose: string; id: string; expires: string; signature: string }, nowMs: number): 'ok' | 'expired' | 'bad-signature' {
    const expiresMs = Number(parts.expires);
    if (!/^\d{1,15}$/.test(parts.expires) || !Number.isSafeInteger(expiresMs)) return 'bad-signature';
    const expected = Buffer.from(this.signature({ purpose: parts.purpose, id: parts.id, expiresMs }));
    const given = Buffer.from(parts.signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad-signature';
    return expiresMs < nowMs ? 'expired' : 'ok';
  }
}
