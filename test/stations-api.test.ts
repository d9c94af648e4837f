import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_16, BOOT_201 } from './support/raw-station.js';
import { PASSWORD, bootStation, connectStation, registerStation, statusNotification, SUBPROTOCOL } from './helpers/stations.js';

/** The operator's REST API for stations and sites, checked against real OCPP traffic. */
describe('stations and sites API', () => {
  let server: TestServer;
  const open: RawStation[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  function expectProblem(res: { status: number; body: any; headers: Headers }, status: number, field?: string): void {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    if (field !== undefined) expect(res.body.field).toBe(field);
  }

  describe('authentication', () => {
    it('401 without a bearer token, with a wrong one, and with another scheme', async () => {
      const none = await fetch(`${server.app.baseUrl}/api/v1/stations`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expectProblem(await server.api('GET', '/api/v1/stations', undefined, 'not-the-token'), 401);
      const basic = await fetch(`${server.app.baseUrl}/api/v1/stations`, { headers: { authorization: `Basic ${Buffer.from(`x:${ADMIN_TOKEN}`).toString('base64')}` } });
      expect(basic.status).toBe(401);
      expect((await server.api('GET', '/api/v1/stations')).status).toBe(200);
    });
  });

  describe('registration', () => {
    it('201 with Location and the new station; a second registration of the id is 409', async () => {
      const created = await server.api('POST', '/api/v1/stations', { id: 'CS-REG-1', password: PASSWORD, ocppVersion: '2.0.1' });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe('/api/v1/stations/CS-REG-1');
      expect(created.body).toMatchObject({ id: 'CS-REG-1', online: false, securityProfile: 1, hasPassword: true, bootPolicy: 'Accepted', ocppVersion: '2.0.1', registeredBy: 'operator' });
      expect(created.body).not.toHaveProperty('password');
      expect(created.body).not.toHaveProperty('passwordHash');
      const fetched = await server.api('GET', created.headers.get('location') ?? '');
      expect(fetched.status).toBe(200);
      expect(fetched.body.id).toBe('CS-REG-1');
      expectProblem(await server.api('POST', '/api/v1/stations', { id: 'CS-REG-1', password: PASSWORD }), 409, 'id');
    });

    it("OCPP-J 2.0.1 part 4 §3.1.1 ids with ':' or over 48 characters are refused with 400 on id", async () => {
      expectProblem(await server.api('POST', '/api/v1/stations', { id: 'CS:REG', password: PASSWORD }), 400, 'id');
      expectProblem(await server.api('POST', '/api/v1/stations', { id: 'C'.repeat(49), password: PASSWORD }), 400, 'id');
      expectProblem(await server.api('POST', '/api/v1/stations', { id: 'CS REG', password: PASSWORD }), 400, 'id');
      expect((await server.api('POST', '/api/v1/stations', { id: 'C'.repeat(48), password: PASSWORD })).status).toBe(201);
    });

    it('A00.FR.204 a password under 16 characters is 400 on password; profile 1 needs a password', async () => {
      expectProblem(await server.api('POST', '/api/v1/stations', { id: 'CS-REG-PW', password: 'short-password' }), 400, 'password');
      expectProblem(await server.api('POST', '/api/v1/stations', { id: 'CS-REG-PW', securityProfile: 1 }), 400, 'password');
      expectProblem(await server.api('POST', '/api/v1/stations', { id: 'CS-REG-PW' }), 400, 'password');
      expect((await server.api('GET', '/api/v1/stations/CS-REG-PW')).status).toBe(404);
      const open0 = await server.api('POST', '/api/v1/stations', { id: 'CS-REG-PW', securityProfile: 0 });
      expect(open0.status).toBe(201);
      expect(open0.body).toMatchObject({ securityProfile: 0, hasPassword: false });
    });

    it('unknown fields are refused with 400 naming them', async () => {
      const res = await server.api('POST', '/api/v1/stations', { id: 'CS-REG-X', password: PASSWORD, colour: 'blue' });
      expectProblem(res, 400, 'colour');
      expect(res.body.detail).toContain('colour');
      const nested = await server.api('POST', '/api/v1/sites', { name: 'Nested', timeZone: 'Europe/Oslo', coordinates: { latitude: 1 } });
      expectProblem(nested, 400, 'coordinates.longitude');
    });
  });

  describe('listing', () => {
    it('pages with limit and nextCursor through every station exactly once', async () => {
      for (const n of [1, 2, 3, 4, 5]) await registerStation(server, `CS-PAGE-${n}`);
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const query: string = `/api/v1/stations?limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`;
        const page = await server.api('GET', query);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        if (page.body.nextCursor !== null) {
          expect(page.body.items).toHaveLength(2);
          expect(typeof page.body.nextCursor).toBe('string');
        }
        seen.push(...page.body.items.map((s: { id: string }) => s.id));
        after = page.body.nextCursor;
        pages++;
      } while (after !== null && pages < 100);
      expect(after).toBeNull();
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(seen);
      expect(seen).toEqual(expect.arrayContaining(['CS-PAGE-1', 'CS-PAGE-2', 'CS-PAGE-3', 'CS-PAGE-4', 'CS-PAGE-5']));
      const all = await server.api('GET', '/api/v1/stations?limit=500');
      expect(all.body.items.map((s: { id: string }) => s.id)).toEqual(seen);
      expectProblem(await server.api('GET', '/api/v1/stations?limit=0'), 400);
    });

    it('B01.FR.02 / 1.6 §4.9 detail after a real 1.6 boot: vendor, model, firmware, lastSeen and connectors 0..2', async () => {
      await registerStation(server, 'CS-DET-16');
      const before = await server.api('GET', '/api/v1/stations/CS-DET-16');
      expect(before.body).toMatchObject({ online: false, vendor: null, lastSeen: null, evses: [], stationStatus: null });
      const station = await bootStation(server, 'CS-DET-16', '1.6');
      open.push(station);
      for (const [connector, status, errorCode] of [
        [0, 'Available', 'NoError'],
        [1, 'Available', 'NoError'],
        [2, 'Faulted', 'GroundFailure'],
      ] as const) {
        const reply = await station.call('StatusNotification', statusNotification('1.6', connector, status, errorCode));
        expect(reply[0]).toBe(3);
      }
      const view = await server.api('GET', '/api/v1/stations/CS-DET-16');
      expect(view.status).toBe(200);
      expect(view.body).toMatchObject({
        online: true,
        ocppVersion: '1.6',
        vendor: BOOT_16.chargePointVendor,
        model: BOOT_16.chargePointModel,
        firmware: BOOT_16.firmwareVersion,
        serialNumber: BOOT_16.chargePointSerialNumber,
        lastBootStatus: 'Accepted',
        stationStatus: { connectorId: 0, status: 'Available' },
        evses: [
          { evseId: 1, connectors: [{ connectorId: 1, status: 'Available', errorCode: 'NoError' }] },
          { evseId: 2, connectors: [{ connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure' }] },
        ],
      });
      expect(Date.parse(view.body.lastSeen)).toBeGreaterThan(Date.now() - 60_000);
      const listed = (await server.api('GET', '/api/v1/stations?limit=500')).body.items.find((s: { id: string }) => s.id === 'CS-DET-16');
      expect(listed).toMatchObject({ online: true, ocppVersion: '1.6', evses: view.body.evses });
    });

    it('B01.FR.02 detail after a real 2.0.1 boot: vendor, model, firmware, lastSeen and EVSEs 1 and 2', async () => {
      await registerStation(server, 'CS-DET-201');
      const station = await bootStation(server, 'CS-DET-201', '2.0.1');
      open.push(station);
      expect((await station.call('StatusNotification', statusNotification('2.0.1', 1, 'Available')))[0]).toBe(3);
      expect((await station.call('StatusNotification', statusNotification('2.0.1', 2, 'Occupied')))[0]).toBe(3);
      const view = await server.api('GET', '/api/v1/stations/CS-DET-201');
      expect(view.body).toMatchObject({
        online: true,
        ocppVersion: '2.0.1',
        vendor: BOOT_201.chargingStation.vendorName,
        model: BOOT_201.chargingStation.model,
        firmware: BOOT_201.chargingStation.firmwareVersion,
        serialNumber: BOOT_201.chargingStation.serialNumber,
        stationStatus: null,
        evses: [
          { evseId: 1, connectors: [{ connectorId: 1, status: 'Available' }] },
          { evseId: 2, connectors: [{ connectorId: 1, status: 'Occupied' }] },
        ],
      });
      expect(view.body.lastSeen).not.toBeNull();
      expect(view.body.connectedAt).not.toBeNull();
    });

    it('an unknown station is 404 problem+json', async () => {
      expectProblem(await server.api('GET', '/api/v1/stations/CS-NOBODY'), 404);
    });
  });

  describe('changing a station', () => {
    it('B02.FR.01 PATCH bootPolicy: the next BootNotification gets that status', async () => {
      await registerStation(server, 'CS-PATCH-BOOT');
      const patched = await server.api('PATCH', '/api/v1/stations/CS-PATCH-BOOT', { bootPolicy: 'Rejected' });
      expect(patched.status).toBe(200);
      expect(patched.body.bootPolicy).toBe('Rejected');
      const station = await connectStation(server, 'CS-PATCH-BOOT', '2.0.1');
      open.push(station);
      const rejected = await station.call('BootNotification', BOOT_201);
      expect(rejected[2]).toMatchObject({ status: 'Rejected', interval: 30 });
      await server.api('PATCH', '/api/v1/stations/CS-PATCH-BOOT', { bootPolicy: 'Pending' });
      expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Pending' });
      await server.api('PATCH', '/api/v1/stations/CS-PATCH-BOOT', { bootPolicy: 'Accepted' });
      expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted', interval: 300 });
      expectProblem(await server.api('PATCH', '/api/v1/stations/CS-PATCH-BOOT', { bootPolicy: 'Maybe' }), 400, 'bootPolicy');
      expectProblem(await server.api('PATCH', '/api/v1/stations/CS-PATCH-BOOT', {}), 400);
    });

    it('TC_A_09_CSMS PATCH password: the old password gets 401, the new one connects', async () => {
      await registerStation(server, 'CS-PATCH-PW');
      const first = await connectStation(server, 'CS-PATCH-PW', '1.6');
      await first.close();
      const newPassword = 'a-brand-new-password-42';
      expectProblem(await server.api('PATCH', '/api/v1/stations/CS-PATCH-PW', { password: 'too-short' }), 400, 'password');
      const patched = await server.api('PATCH', '/api/v1/stations/CS-PATCH-PW', { password: newPassword });
      expect(patched.status).toBe(200);
      expect(patched.body).not.toHaveProperty('password');
      const options = { baseUrl: server.app.ocppUrl, id: 'CS-PATCH-PW', protocols: [SUBPROTOCOL['1.6']] };
      expect(await RawStation.refused({ ...options, password: PASSWORD })).toBe(401);
      const station = await RawStation.connect({ ...options, password: newPassword });
      open.push(station);
      expect(station.protocol).toBe('ocpp1.6');
    });

    it('A00 PATCH securityProfile 0: the station connects without credentials; back to 1 needs a password', async () => {
      await registerStation(server, 'CS-PATCH-SP');
      expect(await RawStation.refused({ baseUrl: server.app.ocppUrl, id: 'CS-PATCH-SP' })).toBe(401);
      const patched = await server.api('PATCH', '/api/v1/stations/CS-PATCH-SP', { securityProfile: 0 });
      expect(patched.status).toBe(200);
      expect(patched.body.securityProfile).toBe(0);
      const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'CS-PATCH-SP' });
      open.push(station);
      expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted' });

      await server.api('POST', '/api/v1/stations', { id: 'CS-PATCH-SP0', securityProfile: 0 });
      expectProblem(await server.api('PATCH', '/api/v1/stations/CS-PATCH-SP0', { securityProfile: 1 }), 400, 'securityProfile');
      expect((await server.api('PATCH', '/api/v1/stations/CS-PATCH-SP0', { securityProfile: 1, password: PASSWORD })).status).toBe(200);
      expect(await RawStation.refused({ baseUrl: server.app.ocppUrl, id: 'CS-PATCH-SP0' })).toBe(401);
    });

    it('PATCH of an unknown station is 404', async () => {
      expectProblem(await server.api('PATCH', '/api/v1/stations/CS-NOBODY', { bootPolicy: 'Accepted' }), 404);
    });
  });

  describe('sites', () => {
    const site = { name: 'Harbour car park', timeZone: 'Europe/Oslo', address: { city: 'Bergen', country: 'NO' }, coordinates: { latitude: 60.39, longitude: 5.32 } };

    it('create 201 with Location, list, get and patch', async () => {
      const created = await server.api('POST', '/api/v1/sites', site);
      expect(created.status).toBe(201);
      const id: string = created.body.id;
      expect(created.headers.get('location')).toBe(`/api/v1/sites/${id}`);
      expect(created.body).toMatchObject({ ...site, address: { city: 'Bergen', country: 'NO', street: null, postalCode: null }, openingHours: { twentyfourseven: true } });

      const listed = await server.api('GET', '/api/v1/sites');
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(id);
      expect(listed.body.nextCursor).toBeNull();

      const fetched = await server.api('GET', `/api/v1/sites/${id}`);
      expect(fetched.body).toEqual(created.body);

      const patched = await server.api('PATCH', `/api/v1/sites/${id}`, { name: 'Harbour P2', timeZone: 'Europe/Berlin' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ id, name: 'Harbour P2', timeZone: 'Europe/Berlin', address: { city: 'Bergen' }, coordinates: site.coordinates });
      expect((await server.api('GET', `/api/v1/sites/${id}`)).body.name).toBe('Harbour P2');
    });

    it('an unknown time zone is 400 on timeZone, on create and on patch; an unknown site is 404', async () => {
      expectProblem(await server.api('POST', '/api/v1/sites', { ...site, timeZone: 'Mars/Olympus_Mons' }), 400, 'timeZone');
      const created = await server.api('POST', '/api/v1/sites', site);
      expectProblem(await server.api('PATCH', `/api/v1/sites/${created.body.id}`, { timeZone: 'Mars/Olympus_Mons' }), 400, 'timeZone');
      expectProblem(await server.api('POST', '/api/v1/sites', { name: 'No zone' }), 400, 'timeZone');
      expectProblem(await server.api('GET', '/api/v1/sites/no-such-site'), 404);
    });

    it('a station registered with an unknown siteId is 400 on siteId; with a real one it is listed under it', async () => {
      expectProblem(await server.api('POST', '/api/v1/stations', { id: 'CS-SITE-1', password: PASSWORD, siteId: 'no-such-site' }), 400, 'siteId');
      expect((await server.api('GET', '/api/v1/stations/CS-SITE-1')).status).toBe(404);
      const created = await server.api('POST', '/api/v1/sites', site);
      await registerStation(server, 'CS-SITE-1', { siteId: created.body.id });
      expect((await server.api('GET', '/api/v1/stations/CS-SITE-1')).body.siteId).toBe(created.body.id);
      const underSite = await server.api('GET', `/api/v1/stations?siteId=${created.body.id}`);
      expect(underSite.body.items.map((s: { id: string }) => s.id)).toEqual(['CS-SITE-1']);
      expectProblem(await server.api('PATCH', '/api/v1/stations/CS-SITE-1', { siteId: 'no-such-site' }), 400, 'siteId');
    });
  });

  describe('troubleshooting', () => {
    it('GET messages returns the last frames in both directions, oldest first', async () => {
      await registerStation(server, 'CS-MSG-1');
      const station = await bootStation(server, 'CS-MSG-1', '2.0.1');
      open.push(station);
      const heartbeat = await station.call('Heartbeat', {}, 'hb-msg-1');
      const res = await server.api('GET', '/api/v1/stations/CS-MSG-1/messages');
      expect(res.status).toBe(200);
      const items = res.body.items as { at: string; direction: 'in' | 'out'; frame: string }[];
      expect(items.map((i) => [i.direction, JSON.parse(i.frame)[0], JSON.parse(i.frame)[2]]).slice(0, 1)).toEqual([['in', 2, 'BootNotification']]);
      const last = items.slice(-2);
      expect(last[0]).toMatchObject({ direction: 'in', frame: JSON.stringify([2, 'hb-msg-1', 'Heartbeat', {}]) });
      expect(last[1]?.direction).toBe('out');
      expect(JSON.parse(last[1]?.frame ?? '[]')).toEqual(heartbeat);
      for (const item of items) expect(Number.isNaN(Date.parse(item.at))).toBe(false);
      expectProblem(await server.api('GET', '/api/v1/stations/CS-NOBODY/messages'), 404);
    });

    it('TC_A_02_CSMS a wrong password is refused and listed as an AuthenticationFailed security event', async () => {
      await registerStation(server, 'CS-SEC-1');
      expect((await server.api('GET', '/api/v1/stations/CS-SEC-1/security-events')).body.items).toEqual([]);
      const status = await RawStation.refused({ baseUrl: server.app.ocppUrl, id: 'CS-SEC-1', password: 'the-wrong-password-000' });
      expect(status).toBe(401);
      const res = await server.api('GET', '/api/v1/stations/CS-SEC-1/security-events');
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([{ id: expect.any(Number), type: 'AuthenticationFailed', techInfo: 'wrong password', occurredAt: expect.any(String) }]);
    });
  });

  describe('operations endpoints', () => {
    it('/healthz and /readyz answer 200 without a token', async () => {
      const health = await fetch(`${server.app.baseUrl}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${server.app.baseUrl}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
    });

    it('/metrics exposes ampline_stations_connected counting open sockets', async () => {
      await registerStation(server, 'CS-METRICS-1');
      const station = await connectStation(server, 'CS-METRICS-1', '2.0.1');
      open.push(station);
      const res = await fetch(`${server.app.baseUrl}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      const value = /^ampline_stations_connected (\d+)$/m.exec(text)?.[1];
      expect(value).toBeDefined();
      expect(Number(value)).toBe(server.app.gateway.connectedCount);
      expect(Number(value)).toBeGreaterThanOrEqual(1);
      expect(text).toContain('# TYPE ampline_stations_connected gauge');
    });

    it('/metrics shows the database pool: its size, open and idle connections, and callers waiting', async () => {
      const text = await (await fetch(`${server.app.baseUrl}/metrics`)).text();
      const gauge = (line: string): number => Number(new RegExp(`^${line.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
      // PGlite: one connection (ADR 031); PostgreSQL: the pool's configured size, 10 by default.
      const size = process.env['DATABASE_URL'] ? 10 : 1;
      expect(gauge('ampline_db_pool_connections{state="size"}')).toBe(size);
      expect(gauge('ampline_db_pool_connections{state="open"}')).toBeGreaterThanOrEqual(1);
      expect(gauge('ampline_db_pool_connections{state="open"}')).toBeLessThanOrEqual(size);
      expect(gauge('ampline_db_pool_connections{state="idle"}')).toBeLessThanOrEqual(gauge('ampline_db_pool_connections{state="open"}'));
      expect(gauge('ampline_db_pool_waiting')).toBeGreaterThanOrEqual(0);
    });
  });
});
