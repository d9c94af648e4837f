import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { ManualClock } from '../src/platform/clock.js';
import { bootStation, registerStation } from './helpers/stations.js';
import { signedInDriver, signedInUser } from './helpers/accounts.js';

/** Drivers see only their own; site-scoped users only their sites; API keys only their scopes (ADR 021). */
describe('access scoping', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());
  let north: string;
  let south: string;
  let driver: { token: string; driverId: string };
  let otherDriver: { token: string; driverId: string };
  let driverTokenId: string;
  let otherTokenId: string;

  async function charge(stationId: string, idTag: string): Promise<void> {
    const station = await bootStation(server, stationId, '1.6');
    const started = await station.call('StartTransaction', { connectorId: 1, idTag, meterStart: 0, timestamp: clock.now().toISOString() });
    expect(started[2]).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    await station.close();
  }

  beforeAll(async () => {
    server = await startTestServer({}, { clock });
    north = (await server.api('POST', '/api/v1/sites', { name: 'North', timeZone: 'Europe/Oslo' })).body.id;
    south = (await server.api('POST', '/api/v1/sites', { name: 'South', timeZone: 'Europe/Oslo' })).body.id;
    await registerStation(server, 'NORTH-1', { siteId: north });
    await registerStation(server, 'SOUTH-1', { siteId: south });
    driver = await signedInDriver(server);
    otherDriver = await signedInDriver(server, { driverId: 'customer-4711' });
    driverTokenId = (await server.api('POST', '/api/v1/tokens', { uid: 'MYCARD', type: 'ISO14443', driverId: driver.driverId })).body.id;
    otherTokenId = (await server.api('POST', '/api/v1/tokens', { uid: 'THEIRCARD', type: 'ISO14443', driverId: otherDriver.driverId })).body.id;
    await charge('NORTH-1', 'mycard');
    await charge('SOUTH-1', 'THEIRCARD');
  }, 60_000);
  afterAll(async () => server?.close());

  it('a driver lists only the id tokens linked to their account; another driver\'s token is 404', async () => {
    const mine = await server.api('GET', '/api/v1/tokens', undefined, driver.token);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((t: { id: string }) => t.id)).toEqual([driverTokenId]);
    // Even when asking for someone else's driver id.
    const sneaky = await server.api('GET', `/api/v1/tokens?driverId=${otherDriver.driverId}`, undefined, driver.token);
    expect(sneaky.body.items.map((t: { id: string }) => t.id)).toEqual([driverTokenId]);
    expect((await server.api('GET', `/api/v1/tokens/${driverTokenId}`, undefined, driver.token)).status).toBe(200);
    expect((await server.api('GET', `/api/v1/tokens/${otherTokenId}`, undefined, driver.token)).status).toBe(404);
  });

  it('a driver lists only sessions started with their tokens (matched case-insensitively), also as CSV', async () => {
    const mine = await server.api('GET', '/api/v1/sessions', undefined, driver.token);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((s: { stationId: string }) => s.stationId)).toEqual(['NORTH-1']);
    const theirs = await server.api('GET', '/api/v1/sessions', undefined, otherDriver.token);
    expect(theirs.body.items.map((s: { stationId: string }) => s.stationId)).toEqual(['SOUTH-1']);
    const all = await server.api('GET', '/api/v1/sessions');
    const southSession = all.body.items.find((s: { stationId: string }) => s.stationId === 'SOUTH-1').id;
    expect((await server.api('GET', `/api/v1/sessions/${southSession}`, undefined, driver.token)).status).toBe(404);
    const csv = await server.api('GET', '/api/v1/sessions.csv', undefined, driver.token);
    expect(csv.status).toBe(200);
    expect(csv.body).toContain('NORTH-1');
    expect(csv.body).not.toContain('SOUTH-1');
  });

  it('a driver cannot reach operator routes (403)', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/stations'],
      ['GET', '/api/v1/sites'],
      ['GET', '/api/v1/users'],
      ['POST', '/api/v1/tokens'],
      ['POST', '/api/v1/sessions/remote-start'],
    ] as const) {
      expect((await server.api(method, path, method === 'POST' ? {} : undefined, driver.token)).status, `${method} ${path}`).toBe(403);
    }
    const me = await server.api('GET', '/api/v1/me', undefined, driver.token);
    expect(me.body).toMatchObject({ kind: 'driver', driverId: driver.driverId, role: null });
  });

  it('a user scoped to one site sees only its stations, site and sessions; the other site is 404 everywhere', async () => {
    const scoped = await signedInUser(server, { role: 'operator', siteIds: [north] });
    const as = (method: string, path: string, body?: unknown) => server.api(method, path, body, scoped.token);
    expect((await as('GET', '/api/v1/stations')).body.items.map((s: { id: string }) => s.id)).toEqual(['NORTH-1']);
    expect((await as('GET', '/api/v1/sites')).body.items.map((s: { id: string }) => s.id)).toEqual([north]);
    expect((await as('GET', '/api/v1/sessions')).body.items.map((s: { stationId: string }) => s.stationId)).toEqual(['NORTH-1']);
    expect((await as('GET', '/api/v1/stations/NORTH-1')).status).toBe(200);
    expect((await as('GET', '/api/v1/stations/SOUTH-1')).status).toBe(404);
    expect((await as('GET', '/api/v1/stations/SOUTH-1/messages')).status).toBe(404);
    expect((await as('PATCH', '/api/v1/stations/SOUTH-1', { bootPolicy: 'Rejected' })).status).toBe(404);
    expect((await as('POST', '/api/v1/stations/SOUTH-1/ocpp/Reset', { type: 'Soft' })).status).toBe(404);
    expect((await as('GET', `/api/v1/sites/${south}`)).status).toBe(404);
    expect((await as('GET', `/api/v1/stations?siteId=${south}`)).status).toBe(404);
    expect((await as('GET', '/api/v1/sessions?stationId=SOUTH-1')).status).toBe(404);
    expect((await as('POST', '/api/v1/sessions/remote-start', { stationId: 'SOUTH-1', idToken: 'MYCARD' })).status).toBe(404);
    const all = await server.api('GET', '/api/v1/sessions');
    const southSession = all.body.items.find((s: { stationId: string }) => s.stationId === 'SOUTH-1').id;
    expect((await as('GET', `/api/v1/sessions/${southSession}`)).status).toBe(404);
    expect((await as('POST', `/api/v1/sessions/${southSession}/remote-stop`)).status).toBe(404);
    expect((await as('POST', '/api/v1/stations', { id: 'NEW-SOUTH', password: 'correct-horse-battery-1', siteId: south })).status).toBe(404);
    expect((await as('PATCH', '/api/v1/stations/NORTH-1', { siteId: south })).status).toBe(404);
    expect((await server.api('GET', '/api/v1/stations/SOUTH-1')).body.bootPolicy).toBe('Accepted');
  });

  it('an API key with scopes reaches only those resources; ":read" allows GET only', async () => {
    const key = await server.api('POST', '/api/v1/api-keys', { name: 'dashboard', role: 'operator', scopes: ['stations:read', 'sessions'] });
    expect(key.status).toBe(201);
    expect(key.body).toMatchObject({ scopes: ['stations:read', 'sessions'], role: 'operator', secret: expect.stringMatching(/^amp_/) });
    const secret = key.body.secret as string;
    expect((await server.api('GET', '/api/v1/stations', undefined, secret)).status).toBe(200);
    expect((await server.api('PATCH', '/api/v1/stations/NORTH-1', { bootPolicy: 'Pending' }, secret)).status).toBe(403);
    expect((await server.api('GET', '/api/v1/sessions', undefined, secret)).status).toBe(200);
    expect((await server.api('GET', '/api/v1/tokens', undefined, secret)).status).toBe(403);
    const listed = await server.api('GET', `/api/v1/api-keys/${key.body.id}`);
    expect(listed.body).not.toHaveProperty('secret');
    const bad = await server.api('POST', '/api/v1/api-keys', { name: 'x', role: 'viewer', scopes: ['Stations!'] });
    expect(bad.status).toBe(400);
  });

  it('an API key stops working when it expires or is revoked (401)', async () => {
    const expiring = await server.api('POST', '/api/v1/api-keys', { name: 'short', role: 'viewer', expiresAt: new Date(clock.nowMs() + 60_000).toISOString() });
    const revoked = await server.api('POST', '/api/v1/api-keys', { name: 'revoked', role: 'viewer' });
    expect((await server.api('GET', '/api/v1/sites', undefined, expiring.body.secret)).status).toBe(200);
    expect((await server.api('DELETE', `/api/v1/api-keys/${revoked.body.id}`)).status).toBe(204);
    expect((await server.api('GET', '/api/v1/sites', undefined, revoked.body.secret)).status).toBe(401);
    clock.advance(60_001);
    expect((await server.api('GET', '/api/v1/sites', undefined, expiring.body.secret)).status).toBe(401);
    const past = await server.api('POST', '/api/v1/api-keys', { name: 'past', role: 'viewer', expiresAt: '2001-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.field).toBe('expiresAt');
  });
});
