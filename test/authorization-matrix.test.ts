import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';
import { signedInDriver, signedInUser, tenantWithOwner } from './helpers/accounts.js';
import { ROLES, roleAtLeast, type Role } from '../src/platform/principal.js';
import type { RouteRule } from '../src/api/auth.js';

interface Caller {
  label: string;
  token: string | undefined;
  kind: 'anonymous' | 'driver' | 'operator';
  role?: Role;
  superuser?: boolean;
}

/** What the route table says this caller should meet: refused (401/403) or let through. */
function expected(route: RouteRule, caller: Caller): 401 | 403 | 'allowed' {
  if (route.public) return 'allowed';
  if (caller.kind === 'anonymous') return 401;
  if (caller.kind === 'driver') return route.driver === 'own' ? 'allowed' : 403;
  if (route.superuser && !caller.superuser) return 403;
  return roleAtLeast(caller.role ?? 'viewer', route.minRole ?? 'owner') ? 'allowed' : 403;
}

/**
 * Every /api route × every role (users and API keys) × tenant (default-tenant owner is a superuser,
 * another tenant's owner is not) × driver × anonymous, generated from the route table the server
 * collected while routes registered. A route without a rule fails here (ADR 021).
 */
describe('authorization matrix', () => {
  let server: TestServer;
  const callers: Caller[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    callers.push({ label: 'anonymous', token: undefined, kind: 'anonymous' });
    callers.push({ label: 'bootstrap API token (owner, default tenant)', token: ADMIN_TOKEN, kind: 'operator', role: 'owner', superuser: true });
    for (const role of ROLES) {
      const user = await signedInUser(server, { role });
      callers.push({ label: `${role} user`, token: user.token, kind: 'operator', role, superuser: role === 'owner' });
      const key = await server.api('POST', '/api/v1/api-keys', { name: `${role} key`, role });
      expect(key.status).toBe(201);
      callers.push({ label: `${role} API key`, token: key.body.secret, kind: 'operator', role, superuser: role === 'owner' });
    }
    const other = await tenantWithOwner(server, 'matrix-other');
    callers.push({ label: 'owner of another tenant', token: other.token, kind: 'operator', role: 'owner', superuser: false });
    callers.push({ label: 'driver', token: (await signedInDriver(server)).token, kind: 'driver' });
  }, 60_000);
  afterAll(async () => server?.close());

  it('every /api route declares an access rule (config.minRole, or config.public for the API description)', () => {
    expect(server.app.routes.length).toBeGreaterThan(20);
    const missing = server.app.routes.filter((r) => r.minRole === undefined && !r.public).map((r) => `${r.method} ${r.url}`);
    expect(missing, 'routes without config.minRole').toEqual([]);
  });

  it('every route × caller is refused or let through exactly as its rule says', async () => {
    // Logout ends the caller's sign-in, so it goes last.
    const routes = [...server.app.routes].sort((a, b) => Number(a.url === '/api/v1/auth/logout') - Number(b.url === '/api/v1/auth/logout'));
    const wrong: string[] = [];
    for (const route of routes) {
      // Unknown ids and an empty body: a call that gets through ends in 400/404 and changes nothing.
      const path = route.url.replace(/:\w+/g, 'matrix-unknown');
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      // The callers of one route run together: a few hundred routes × 14 callers one by one is minutes.
      await Promise.all(
        callers.map(async (caller) => {
          const res = await server.api(route.method, path, body, caller.token ?? '');
          const want = expected(route, caller);
          const got = res.status === 401 || res.status === 403 ? res.status : 'allowed';
          if (got !== want) wrong.push(`${route.method} ${route.url} as ${caller.label}: expected ${want}, got ${res.status} ${JSON.stringify(res.body)}`);
        }),
      );
    }
    expect(wrong).toEqual([]);
  });
});
