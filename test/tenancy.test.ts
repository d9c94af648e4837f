import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { bootStation, registerStation } from './helpers/stations.js';
import { fillParams, idsOf, seedTenant, type TenantData } from './helpers/tenant-data.js';
import { signedInUser, tenantWithOwner } from './helpers/accounts.js';

/** Tenants share one installation and see nothing of each other (ADR 021). */
describe('tenancy', () => {
  let server: TestServer;
  let alpha: TenantData;
  let beta: TenantData;

  beforeAll(async () => {
    server = await startTestServer();
    alpha = await seedTenant(server, 'alpha');
    beta = await seedTenant(server, 'beta');
  }, 60_000);
  afterAll(async () => server?.close());

  it('the superuser (bootstrap owner of the default tenant) lists, reads and renames tenants', async () => {
    const list = await server.api('GET', '/api/v1/tenants');
    expect(list.status).toBe(200);
    expect(list.body.items.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining(['default', 'alpha', 'beta']));
    const renamed = await server.api('PATCH', '/api/v1/tenants/alpha', { name: 'Alpha Charging AS' });
    expect(renamed.status).toBe(200);
    expect((await server.api('GET', '/api/v1/tenants/alpha')).body.name).toBe('Alpha Charging AS');
    expect((await server.api('POST', '/api/v1/tenants', { id: 'alpha', name: 'again' })).status).toBe(409);
    const bad = await server.api('POST', '/api/v1/tenants', { id: 'Not Valid!', name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('id');
  });

  it("a tenant's owner is not a superuser: tenant routes are 403; an owner of the default tenant is one", async () => {
    expect((await server.api('GET', '/api/v1/tenants', undefined, alpha.ownerToken)).status).toBe(403);
    expect((await server.api('POST', '/api/v1/tenants', { id: 'gamma', name: 'g' }, alpha.ownerToken)).status).toBe(403);
    const defaultOwner = await signedInUser(server, { role: 'owner' });
    expect((await server.api('GET', '/api/v1/tenants', undefined, defaultOwner.token)).status).toBe(200);
    const defaultAdmin = await signedInUser(server, { role: 'admin' });
    expect((await server.api('GET', '/api/v1/tenants', undefined, defaultAdmin.token)).status).toBe(403);
  });

  it('no GET route leaks across tenants: every route, called as beta with alpha ids, is 404 or shows none of them', async () => {
    // Public routes (sign-in, OIDC) take no token and hold no tenant's data.
    const gets = server.app.routes.filter((r) => r.method === 'GET' && !r.public);
    expect(gets.length).toBeGreaterThan(10);
    const secret = idsOf(alpha);
    for (const route of gets) {
      const path = fillParams(route.url, alpha);
      for (const token of [beta.ownerToken, beta.driverToken]) {
        const res = await server.api('GET', path, undefined, token);
        const where = `GET ${path} as beta → ${res.status}`;
        expect([200, 403, 404], where).toContain(res.status);
        // A 404 names what the caller asked for; only an answer with data could leak.
        if (res.status !== 200) continue;
        const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? '');
        for (const id of secret) expect(text.includes(id), `${where} shows alpha's ${id}`).toBe(false);
      }
    }
  });

  it('the same routes answer alpha with its own data (the ids above are real)', async () => {
    // Uploaded log files have no seeded id; their isolation is covered by the 404 in the test above.
    const seeded = (url: string) => !url.startsWith('/api/v1/log-files/');
    for (const route of server.app.routes.filter((r) => r.method === 'GET' && !r.superuser && !r.public && seeded(r.url) && /^[^:]*(:id[^:]*)?$/.test(r.url))) {
      const path = fillParams(route.url, alpha);
      const res = await server.api('GET', path, undefined, alpha.ownerToken);
      // 409: a live query to a station that is offline or of the other version; it found the station.
      expect([200, 409], `GET ${path} as alpha → ${res.status}`).toContain(res.status);
    }
  });

  it("beta cannot change alpha's data: PATCH/DELETE with alpha's ids are 404 and nothing changes", async () => {
    const as = (method: string, path: string, body?: unknown) => server.api(method, path, body, beta.ownerToken);
    expect((await as('PATCH', `/api/v1/stations/${alpha.stationId}`, { bootPolicy: 'Rejected' })).status).toBe(404);
    expect((await as('PATCH', `/api/v1/sites/${alpha.siteId}`, { name: 'stolen' })).status).toBe(404);
    expect((await as('PATCH', `/api/v1/tokens/${alpha.tokenId}`, { status: 'Blocked' })).status).toBe(404);
    expect((await as('DELETE', `/api/v1/tokens/${alpha.tokenId}`)).status).toBe(404);
    expect((await as('PATCH', `/api/v1/users/${alpha.userId}`, { role: 'owner' })).status).toBe(404);
    expect((await as('DELETE', `/api/v1/api-keys/${alpha.apiKeyId}`)).status).toBe(404);
    expect((await as('POST', `/api/v1/sessions/${alpha.sessionId}/remote-stop`)).status).toBe(404);
    const station = await server.api('GET', `/api/v1/stations/${alpha.stationId}`, undefined, alpha.ownerToken);
    expect(station.body.bootPolicy).toBe('Accepted');
    expect((await server.api('GET', `/api/v1/tokens/${alpha.tokenId}`, undefined, alpha.ownerToken)).body.status).toBe('Accepted');
  });

  it('station ids are unique across the installation: beta cannot register an id alpha uses (409)', async () => {
    const res = await server.api('POST', '/api/v1/stations', { id: alpha.stationId, password: 'correct-horse-battery-1' }, beta.ownerToken);
    expect(res.status).toBe(409);
    expect(res.body.field).toBe('id');
  });

  it("a station of a new tenant connects on /ocpp/{id} and shows up only in its tenant's list", async () => {
    const gamma = await tenantWithOwner(server, 'gamma');
    await registerStation({ ...server, api: (m, p, b) => server.api(m, p, b, gamma.token) }, 'gamma-CP9');
    const station = await bootStation(server, 'gamma-CP9', '2.0.1');
    await station.close();
    const own = await server.api('GET', '/api/v1/stations', undefined, gamma.token);
    expect(own.body.items.map((s: { id: string }) => s.id)).toEqual(['gamma-CP9']);
    expect(own.body.items[0]).toMatchObject({ tenantId: 'gamma', vendor: expect.any(String) });
    const others = await server.api('GET', '/api/v1/stations');
    expect(others.body.items.map((s: { id: string }) => s.id)).not.toContain('gamma-CP9');
  });
});
