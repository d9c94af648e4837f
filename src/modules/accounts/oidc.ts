import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import type { Clock } from '../../platform/clock.js';
import type { IdSource } from '../../platform/ids.js';
import { DomainError } from '../../platform/errors.js';
import type { TokenPair } from './types.js';
import type { LoginService } from './logins.js';
import type { UserRow, UsersService } from './users.js';

export interface OidcConfig {
  /** The provider's issuer URL; its /.well-known/openid-configuration is read on first use. */
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
  /** Where the provider sends the browser back: this server's /api/v1/auth/oidc/callback. */
  redirectUri: string;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

interface Pending {
  verifier: string;
  nonce: string;
  expiresMs: number;
}

const PENDING_TTL_MS = 10 * 60_000;
const CLOCK_SKEW_S = 60;

const base64url = (buffer: Buffer) => buffer.toString('base64url');

async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new DomainError('Unauthorized', `OIDC provider answered ${response.status} at ${url}`);
  return (await response.json()) as T;
}

/**
 * OpenID Connect sign-in: discovery, authorization code with PKCE (S256), ID token checked
 * against the provider's JWKS (RS256), issuer, audience, expiry and nonce. The provider vouches
 * for an email; the account must exist already (an operator creates it), and its subject is
 * remembered on first sign-in (ADR 021).
 */
export class OidcLogin {
  private discovery: Promise<Discovery> | undefined;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly config: OidcConfig,
    private readonly deps: { users: UsersService; logins: LoginService; clock: Clock; ids: IdSource },
  ) {}

  /** The provider URL to send the browser to. */
  async start(): Promise<string> {
    const discovery = await this.discover();
    const state = this.deps.ids.secret(16);
    const verifier = this.deps.ids.secret(32);
    const nonce = this.deps.ids.secret(16);
    const now = this.deps.clock.nowMs();
    for (const [key, entry] of this.pending) if (entry.expiresMs < now) this.pending.delete(key);
    this.pending.set(state, { verifier, nonce, expiresMs: now + PENDING_TTL_MS });
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.config.clientId,
      redirect_uri: this.config.redirectUri,
      scope: 'openid email profile',
      state,
      nonce,
      code_challenge: base64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  async callback(code: string, state: string): Promise<TokenPair> {
    const pending = this.pending.get(state);
    this.pending.delete(state);
    if (!pending || pending.expiresMs < this.deps.clock.nowMs()) throw new DomainError('InvalidInput', 'unknown or expired sign-in state', { field: 'state' });
    const discovery = await this.discover();
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.config.redirectUri,
      client_id: this.config.clientId,
      code_verifier: pending.verifier,
    });
    if (this.config.clientSecret) body.set('client_secret', this.config.clientSecret);
    const tokens = await fetchJson<{ id_token?: string }>(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    if (!tokens.id_token) throw new DomainError('Unauthorized', 'the OIDC provider returned no id_token');
    const claims = await this.verifyIdToken(tokens.id_token, discovery, pending.nonce);
    return this.deps.logins.startSession(await this.account(claims));
  }

  private async account(claims: Record<string, unknown>): Promise<UserRow> {
    const email = typeof claims['email'] === 'string' ? claims['email'] : undefined;
    if (!email || claims['email_verified'] === false) throw new DomainError('Unauthorized', 'the OIDC provider did not vouch for an email address');
    const user = await this.deps.users.byEmail(email);
    if (!user || user.disabled) throw new DomainError('Unauthorized', `no account for ${email}; an administrator creates it first`);
    const subject = `${this.config.issuer}#${String(claims['sub'])}`;
    if (user.oidc_subject && user.oidc_subject !== subject) throw new DomainError('Unauthorized', 'this account is linked to another OIDC subject');
    if (!user.oidc_subject) await this.deps.users.linkOidcSubject(user.id, subject);
    return user;
  }

  private async verifyIdToken(jwt: string, discovery: Discovery, nonce: string): Promise<Record<string, unknown>> {
    const [headerB64, payloadB64, signatureB64] = jwt.split('.');
    if (!headerB64 || !payloadB64 || !signatureB64) throw new DomainError('Unauthorized', 'id_token is not a JWT');
    const header = JSON.parse(Buffer.from(headerB64, 'base64url').toString('utf8')) as { alg?: string; kid?: string };
    if (header.alg !== 'RS256') throw new DomainError('Unauthorized', `id_token algorithm ${header.alg} is not accepted (RS256 only)`);
    const { keys } = await fetchJson<{ keys: (JsonWebKey & { kid?: string })[] }>(discovery.jwks_uri);
    const jwk = keys.find((k) => k.kid === header.kid) ?? (keys.length === 1 ? keys[0] : undefined);
    if (!jwk) throw new DomainError('Unauthorized', 'id_token signing key not found in the provider JWKS');
    const valid = verify('RSA-SHA256', Buffer.from(`${headerB64}.${payloadB64}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signatureB64, 'base64url'));
    if (!valid) throw new DomainError('Unauthorized', 'id_token signature is not valid');
    const claims = JSON.parse(Buffer.from(payloadB64, 'base64url').toString('utf8')) as Record<string, unknown>;
    const nowS = this.deps.clock.nowMs() / 1000;
    const audience = Array.isArray(claims['aud']) ? claims['aud'] : [claims['aud']];
    if (claims['iss'] !== discovery.issuer) throw new DomainError('Unauthorized', 'id_token issuer does not match');
    if (!audience.includes(this.config.clientId)) throw new DomainError('Unauthorized', 'id_token is not for this client');
    if (typeof claims['exp'] !== 'number' || claims['exp'] + CLOCK_SKEW_S < nowS) throw new DomainError('Unauthorized', 'id_token expired');
    if (claims['nonce'] !== nonce) throw new DomainError('Unauthorized', 'id_token nonce does not match');
    return claims;
  }

  private discover(): Promise<Discovery> {
    if (!this.discovery) {
      const url = `${this.config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      this.discovery = fetchJson<Discovery>(url).then((d) => {
        // OIDC Discovery §4.3: the document's issuer must be the one configured.
        if (d.issuer !== this.config.issuer) throw new DomainError('Unauthorized', `OIDC discovery issuer ${d.issuer} differs from ${this.config.issuer}`);
        return d;
      });
      this.discovery.catch(() => (this.discovery = undefined));
    }
    return this.discovery;
  }
}
