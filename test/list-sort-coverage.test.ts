import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { registerStation } from './helpers/stations.js';

/**
 * Generated from the route table: every GET list route (it answers `{ items, nextCursor }`, or
 * its querystring takes `cursor`) documents `sort` with its allowed values and refuses an
 * unknown one naming `sort`. A new list route without sorting fails here (ADR 025).
 */
describe('every list route sorts', () => {
  let server: TestServer;
  type OpenApi = { paths: Record<string, { get?: { parameters?: { name: string; in: string; schema?: { enum?: string[] } }[] } }> };
  let doc: OpenApi;
  const listRoutes: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    await registerStation(server, 'SORT-COVER');
    const webhook = await server.api('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] });
    expect(webhook.status).toBe(201);
    doc = (await (await fetch(`${server.app.baseUrl}/api/openapi.json`)).json()) as OpenApi;
    for (const route of server.app.routes) {
      if (route.method !== 'GET' || !route.url.startsWith('/api/v1/') || route.url.endsWith('/stream')) continue;
      const id = route.url.startsWith('/api/v1/webhooks/') ? webhook.body.id : 'SORT-COVER';
      const res = await server.api('GET', route.url.replace(':id', id).replace(/:\w+/g, 'x'));
      const answersPage = res.status === 200 && res.body && typeof res.body === 'object' && Object.keys(res.body).sort().join() === 'items,nextCursor';
      const takesCursor = openApiGet(route.url)?.parameters?.some((p) => p.in === 'query' && p.name === 'cursor') ?? false;
      if (answersPage || takesCursor) listRoutes.push(route.url);
    }
  }, 60_000);
  afterAll(async () => server?.close());

  const openApiGet = (url: string) => doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.get;

  it('#5 the probe finds the list routes (sessions, tokens, stations, audit, webhooks, deliveries, ...)', () => {
    for (const url of ['/api/v1/sessions', '/api/v1/tokens', '/api/v1/stations', '/api/v1/audit', '/api/v1/webhooks/:id/deliveries', '/api/v1/stations/:id/commands']) {
      expect(listRoutes).toContain(url);
    }
  });

  it('#5 every GET list route documents a sort query parameter with ascending and descending values', () => {
    const undocumented = listRoutes.filter((url) => {
      const sort = openApiGet(url)?.parameters?.find((p) => p.in === 'query' && p.name === 'sort');
      const values = sort?.schema?.enum ?? [];
      return !values.some((v) => !v.startsWith('-')) || !values.some((v) => v.startsWith('-'));
    });
    expect(undocumented, 'list routes without a documented sort').toEqual([]);
  });

  it('#5 every GET list route refuses an unknown sort field with 400 naming sort', async () => {
    const wrong: string[] = [];
    for (const url of listRoutes) {
      const path = url.replace(':id', 'SORT-COVER').replace(/:\w+/g, 'x');
      const res = await server.api('GET', `${path}?sort=noSuchField`);
      if (res.status !== 400 || res.body?.field !== 'sort') wrong.push(`${url} → ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(wrong).toEqual([]);
  });
});
