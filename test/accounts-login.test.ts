import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { ManualClock } from '../src/platform/clock.js';
import { PASSWORD, login, signedInUser, uniqueEmail } from './helpers/accounts.js';

/** Password sign-in, access and refresh tokens, logout, reset links and throttling (ADR 021). */
describe('sign-in', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());
  const resetLinks = new Map<string, string>();

  beforeAll(async () => {
    server = await startTestServer({}, { clock, onPasswordResetLink: (email, token) => resetLinks.set(email, token) });
  });
  afterAll(async () => server?.close());

  it('a user signs in with email and password; the access token reaches the API as that user and role', async () => {
    const user = await signedInUser(server, { role: 'support' });
    const me = await server.api('GET', '/api/v1/me', undefined, user.token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: 'user', id: user.id, role: 'support', tenantId: 'default', superuser: false });
    // Emails match case-insensitively.
    await login(server, user.email.toUpperCase());
  });

  it('a wrong password or unknown email is the same 401; the stored password is a scrypt hash, never returned', async () => {
    const user = await signedInUser(server, { role: 'viewer' });
    const wrong = await server.api('POST', '/api/v1/auth/login', { email: user.email, password: 'not the password' }, 'none');
    const unknown = await server.api('POST', '/api/v1/auth/login', { email: uniqueEmail('nobody'), password: PASSWORD }, 'none');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    const listed = await server.api('GET', `/api/v1/users/${user.id}`);
    expect(listed.body).toMatchObject({ hasPassword: true });
    expect(JSON.stringify(listed.body)).not.toContain('scrypt');
  });

  it('the access token expires after 15 minutes; the refresh token gets a new pair and is rotated', async () => {
    const user = await signedInUser(server, { role: 'viewer' });
    const first = await login(server, user.email);
    clock.advance(15 * 60_000 + 1);
    expect((await server.api('GET', '/api/v1/me', undefined, first.accessToken)).status).toBe(401);
    const refreshed = await server.api('POST', '/api/v1/auth/refresh', { refreshToken: first.refreshToken }, 'none');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(refreshed.body.refreshToken).not.toBe(first.refreshToken);
    expect((await server.api('GET', '/api/v1/me', undefined, refreshed.body.accessToken)).status).toBe(200);
  });

  it('a refresh token used twice revokes the whole sign-in (stolen-token detection)', async () => {
    const user = await signedInUser(server, { role: 'viewer' });
    const first = await login(server, user.email);
    const second = await server.api('POST', '/api/v1/auth/refresh', { refreshToken: first.refreshToken }, 'none');
    expect(second.status).toBe(200);
    const replay = await server.api('POST', '/api/v1/auth/refresh', { refreshToken: first.refreshToken }, 'none');
    expect(replay.status).toBe(401);
    expect((await server.api('GET', '/api/v1/me', undefined, second.body.accessToken)).status).toBe(401);
    expect((await server.api('POST', '/api/v1/auth/refresh', { refreshToken: second.body.refreshToken }, 'none')).status).toBe(401);
  });

  it('logout revokes the access and refresh tokens of that sign-in only', async () => {
    const user = await signedInUser(server, { role: 'viewer' });
    const a = await login(server, user.email);
    const b = await login(server, user.email);
    expect((await server.api('POST', '/api/v1/auth/logout', undefined, a.accessToken)).status).toBe(204);
    expect((await server.api('GET', '/api/v1/me', undefined, a.accessToken)).status).toBe(401);
    expect((await server.api('POST', '/api/v1/auth/refresh', { refreshToken: a.refreshToken }, 'none')).status).toBe(401);
    expect((await server.api('GET', '/api/v1/me', undefined, b.accessToken)).status).toBe(200);
  });

  it('a password reset link is logged, sets a new password once, and ends existing sign-ins', async () => {
    const user = await signedInUser(server, { role: 'viewer' });
    const before = await login(server, user.email);
    expect((await server.api('POST', '/api/v1/auth/password-reset', { email: user.email }, 'none')).status).toBe(202);
    // An unknown address gets the same answer and no link.
    expect((await server.api('POST', '/api/v1/auth/password-reset', { email: uniqueEmail('ghost') }, 'none')).status).toBe(202);
    const token = resetLinks.get(user.email);
    expect(token).toBeDefined();
    const newPassword = 'a brand new passphrase';
    expect((await server.api('POST', '/api/v1/auth/password-reset/confirm', { token, password: newPassword }, 'none')).status).toBe(204);
    const again = await server.api('POST', '/api/v1/auth/password-reset/confirm', { token, password: 'yet another passphrase' }, 'none');
    expect(again.status).toBe(400);
    expect(again.body.field).toBe('token');
    expect((await server.api('GET', '/api/v1/me', undefined, before.accessToken)).status).toBe(401);
    expect((await server.api('POST', '/api/v1/auth/login', { email: user.email, password: PASSWORD }, 'none')).status).toBe(401);
    await login(server, user.email, newPassword);
  });

  it('a disabled user cannot sign in and their sign-ins end', async () => {
    const user = await signedInUser(server, { role: 'viewer' });
    expect((await server.api('PATCH', `/api/v1/users/${user.id}`, { disabled: true })).status).toBe(200);
    expect((await server.api('GET', '/api/v1/me', undefined, user.token)).status).toBe(401);
    expect((await server.api('POST', '/api/v1/auth/login', { email: user.email, password: PASSWORD }, 'none')).status).toBe(401);
  });

  it('nobody hands out a role above their own: an admin cannot create an owner', async () => {
    const admin = await signedInUser(server, { role: 'admin' });
    const res = await server.api('POST', '/api/v1/users', { email: uniqueEmail('x'), password: PASSWORD, role: 'owner' }, admin.token);
    expect(res.status).toBe(403);
    expect(res.body.field).toBe('role');
    const dup = await server.api('POST', '/api/v1/users', { email: admin.email.toUpperCase(), password: PASSWORD, role: 'viewer' });
    expect(dup.status).toBe(409);
    expect(dup.body.field).toBe('email');
  });

  it('5 failed sign-ins lock the account: 429 with Retry-After, even with the right password; it opens again later', async () => {
    const user = await signedInUser(server, { role: 'viewer' });
    for (let i = 0; i < 5; i++) {
      expect((await server.api('POST', '/api/v1/auth/login', { email: user.email, password: 'wrong password' }, 'none')).status).toBe(401);
    }
    const locked = await server.api('POST', '/api/v1/auth/login', { email: user.email, password: PASSWORD }, 'none');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    clock.advance(Number(locked.headers.get('retry-after')) * 1000);
    await login(server, user.email);
  });
});

describe('sign-in throttling per address', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('20 failed sign-ins from one address over many accounts: the next try from it is 429', async () => {
    const user = await signedInUser(server, { role: 'viewer' });
    for (let i = 0; i < 20; i++) {
      expect((await server.api('POST', '/api/v1/auth/login', { email: uniqueEmail('spray'), password: 'guess' }, 'none')).status).toBe(401);
    }
    const res = await server.api('POST', '/api/v1/auth/login', { email: user.email, password: PASSWORD }, 'none');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
