import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny OpenID provider for tests: discovery, an authorize endpoint that "signs in" the email it
 * is told to and redirects back at once, a token endpoint that checks PKCE (S256), and a JWKS.
 */
export class TestOidcProvider {
  issuer = '';
  /** Who the next /authorize signs in. */
  email = 'someone@example.test';
  /** Sign ID tokens with a key the JWKS does not publish (a forged token). */
  forge = false;
  private server: Server | undefined;
  private readonly key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly forgedKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly codes = new Map<string, { challenge: string; nonce: string; email: string; redirectUri: string; clientId: string }>();

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, { issuer: this.issuer, authorization_endpoint: `${this.issuer}/authorize`, token_endpoint: `${this.issuer}/token`, jwks_uri: `${this.issuer}/jwks` });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [{ ...this.key.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' }] });
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('code_challenge_method') !== 'S256' || q.get('response_type') !== 'code') return json(400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('hex');
      const redirectUri = q.get('redirect_uri') ?? '';
      this.codes.set(code, { challenge: q.get('code_challenge') ?? '', nonce: q.get('nonce') ?? '', email: this.email, redirectUri, clientId: q.get('client_id') ?? '' });
      return void res.writeHead(302, { location: `${redirectUri}?code=${code}&state=${encodeURIComponent(q.get('state') ?? '')}` }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const form = new URLSearchParams(raw);
      const grant = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (!grant || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge || form.get('redirect_uri') !== grant.redirectUri) {
        return json(400, { error: 'invalid_grant' });
      }
      const now = Math.floor(Date.now() / 1000);
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'k1' })).toString('base64url');
      const payload = Buffer.from(
        JSON.stringify({ iss: this.issuer, sub: `sub-${grant.email}`, aud: grant.clientId, exp: now + 300, iat: now, nonce: grant.nonce, email: grant.email, email_verified: true }),
      ).toString('base64url');
      const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), (this.forge ? this.forgedKey : this.key).privateKey).toString('base64url');
      return json(200, { access_token: 'unused', token_type: 'Bearer', id_token: `${header}.${payload}.${signature}` });
    }
    json(404, { error: 'not_found' });
  }
}
