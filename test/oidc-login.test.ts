import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { TestOidcProvider } from './support/oidc-provider.js';
import { PASSWORD, uniqueEmail } from './helpers/accounts.js';

const CALLBACK = 'http://ampline.test/api/v1/auth/oidc/callback';

/** OIDC sign-in: discovery, authorization code with PKCE, ID token checked against the JWKS (ADR 021). */
describe('OIDC sign-in', () => {
  let server: TestServer;
  const provider = new TestOidcProvider();

  beforeAll(async () => {
    await provider.start();
    server = await startTestServer({ oidc: { issuer: provider.issuer, clientId: 'ampline', redirectUri: CALLBACK } });
  });
  afterAll(async () => {
    await server?.close();
    await provider.stop();
  });

  /** Browser steps: start → provider → back to our callback (on the real server). */
  async function signIn(): Promise<{ status: number; body: any; state: string }> {
    const start = await fetch(`${server.app.baseUrl}/api/v1/auth/oidc/start`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const toProvider = new URL(start.headers.get('location') ?? '');
    expect(toProvider.searchParams.get('code_challenge_method')).toBe('S256');
    const back = await fetch(toProvider, { redirect: 'manual' });
    const callback = new URL(back.headers.get('location') ?? '');
    expect(callback.toString().startsWith(CALLBACK)).toBe(true);
    const res = await server.api('GET', `${callback.pathname}${callback.search}`, undefined, 'none');
    return { ...res, state: callback.searchParams.get('state') ?? '' };
  }

  it('an existing user signs in through the provider and gets a token pair that reaches the API', async () => {
    const email = uniqueEmail('oidc');
    const created = await server.api('POST', '/api/v1/users', { email, password: PASSWORD, role: 'operator' });
    expect(created.status).toBe(201);
    provider.email = email;
    const res = await signIn();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) });
    const me = await server.api('GET', '/api/v1/me', undefined, res.body.accessToken);
    expect(me.body).toMatchObject({ id: created.body.id, role: 'operator' });
    // The state is single-use.
    const replay = await server.api('GET', `/api/v1/auth/oidc/callback?code=x&state=${encodeURIComponent(res.state)}`, undefined, 'none');
    expect(replay.status).toBe(400);
    expect(replay.body.field).toBe('state');
  });

  it('an email without an account is 401: OIDC does not create accounts', async () => {
    provider.email = uniqueEmail('stranger');
    expect((await signIn()).status).toBe(401);
  });

  it('an ID token signed with a key the provider does not publish is 401', async () => {
    const email = uniqueEmail('forged');
    expect((await server.api('POST', '/api/v1/users', { email, role: 'viewer' })).status).toBe(201);
    provider.email = email;
    provider.forge = true;
    try {
      const res = await signIn();
      expect(res.status).toBe(401);
      expect(res.body.detail).toMatch(/signature/);
    } finally {
      provider.forge = false;
    }
  });
});

describe('OIDC not configured', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('the OIDC routes answer 404 naming the setting', async () => {
    const res = await server.api('GET', '/api/v1/auth/oidc/start', undefined, 'none');
    expect(res.status).toBe(404);
    expect(res.body.detail).toMatch(/AMPLINE_OIDC_ISSUER/);
  });
});
