import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { PASSWORD } from './helpers/stations.js';

/** Issue #5 API: list endpoints page with ?limit=&cursor= → { items, nextCursor }; bad input names the field. */
describe('list conventions', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    for (const n of [1, 2, 3]) {
      expect((await server.api('POST', '/api/v1/stations', { id: `CS-LIST-${n}`, password: PASSWORD })).status).toBe(201);
      expect((await server.api('POST', '/api/v1/sites', { name: `Site ${n}`, timeZone: 'Europe/Oslo' })).status).toBe(201);
      expect((await server.api('POST', '/api/v1/tokens', { uid: `LIST-${n}`, type: 'ISO14443' })).status).toBe(201);
      expect((await server.api('POST', '/api/v1/webhooks', { url: `http://127.0.0.1:9/list-${n}`, eventTypes: ['*'] })).status).toBe(201);
      expect((await server.api('POST', '/api/v1/api-keys', { name: `list key ${n}`, role: 'viewer' })).status).toBe(201);
      expect((await server.api('POST', '/api/v1/users', { email: `list-${n}@example.com`, password: 'list-password-123', role: 'viewer' })).status).toBe(201);
      expect((await server.api('POST', '/api/v1/tenants', { id: `list-tenant-${n}`, name: `List ${n}` })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  async function walk(path: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await server.api('GET', `${path}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      ids.push(...res.body.items.map((item: { id: string }) => item.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return ids;
  }

  const LISTS = ['/api/v1/stations', '/api/v1/sites', '/api/v1/tokens', '/api/v1/webhooks', '/api/v1/api-keys', '/api/v1/users', '/api/v1/tenants', '/api/v1/audit'];

  it.each(LISTS)('#5 lists: %s pages with limit and cursor through every item once', async (path) => {
    const all = (await server.api('GET', path)).body.items.map((item: { id: string }) => item.id);
    expect(all.length).toBeGreaterThanOrEqual(3);
    const paged = await walk(path);
    expect(paged).toEqual(all);
  });

  it.each(LISTS)('#5 lists: %s with exactly limit items left ends there (no extra empty page)', async (path) => {
    const total = (await server.api('GET', path)).body.items.length;
    const whole = await server.api('GET', `${path}?limit=${total}`);
    expect(whole.body.items).toHaveLength(total);
    expect(whole.body.nextCursor).toBeNull();
    const short = await server.api('GET', `${path}?limit=${total - 1}`);
    const rest = await server.api('GET', `${path}?limit=1&cursor=${encodeURIComponent(short.body.nextCursor)}`);
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('#5 lists: sessions take cursor too; the old after parameter still works as an alias', async () => {
    expect((await server.api('GET', '/api/v1/sessions?limit=2&cursor=')).status).toBe(200);
    const first = await server.api('GET', '/api/v1/stations?limit=1');
    const viaAfter = await server.api('GET', `/api/v1/stations?limit=1&after=${first.body.nextCursor}`);
    const viaCursor = await server.api('GET', `/api/v1/stations?limit=1&cursor=${first.body.nextCursor}`);
    expect(viaAfter.body.items).toEqual(viaCursor.body.items);
    expect(viaCursor.body.items[0].id).not.toBe(first.body.items[0].id);
  });

  it('#5 RFC 9457: a bad query or body field is problem+json naming the field', async () => {
    for (const [method, path, body, field] of [
      ['GET', '/api/v1/stations?limit=0', undefined, 'limit'],
      ['GET', '/api/v1/sessions?from=yesterday', undefined, 'from'],
      ['GET', '/api/v1/webhooks?cursor=%%%', undefined, 'cursor'],
      ['POST', '/api/v1/sites', { name: 'x', timeZone: 'Europe/Oslo', openingHours: { twentyfourseven: 'yes' } }, 'openingHours.twentyfourseven'],
      ['POST', '/api/v1/webhooks', { url: 'http://127.0.0.1/x', eventTypes: ['*'], filters: { stationId: [''] } }, 'filters.stationId.0'],
    ] as const) {
      const res = await server.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body, `${method} ${path}`).toMatchObject({ status: 400, field });
    }
  });
});
