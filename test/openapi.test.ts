import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Issue #5 API: an OpenAPI 3.1 document from the route schemas, and a browsable page. */
describe('OpenAPI document and docs page', () => {
  let server: TestServer;
  let doc: any;

  beforeAll(async () => {
    server = await startTestServer();
    const res = await fetch(`${server.app.baseUrl}/api/openapi.json`);
    expect(res.status).toBe(200);
    doc = await res.json();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('#5 OpenAPI: /api/openapi.json is served without a token and validates against the OpenAPI 3.1 schema', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('#5 OpenAPI: the document lists the /api/v1 routes with their parameters, bodies and roles', () => {
    const paths = Object.keys(doc.paths);
    for (const expected of ['/api/v1/stations', '/api/v1/stations/{id}', '/api/v1/audit', '/api/v1/webhooks', '/api/v1/webhooks/{id}/deliveries', '/api/v1/sessions/remote-start', '/api/v1/events/stream']) {
      expect(paths).toContain(expected);
    }
    expect(paths.every((p) => p.startsWith('/api/v1/'))).toBe(true);
    const create = doc.paths['/api/v1/stations'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['id']);
    expect(create.description).toMatch(/operator role/);
    expect(doc.paths['/api/v1/stations/{id}'].get.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path', required: true })]));
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('#5 OpenAPI: every documented operation is answered (no route-level 404, no 500)', async () => {
    const misses: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const method of METHODS) {
        if (!item[method]) continue;
        const url = `${server.app.baseUrl}${path.replace(/\{[^}]+\}/g, 'openapi-probe')}`;
        const hasBody = method === 'post' || method === 'put' || method === 'patch';
        const abort = new AbortController();
        const res = await fetch(url, {
          method: method.toUpperCase(),
          signal: abort.signal,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
          ...(hasBody ? { body: '{}' } : {}),
        });
        // The event stream never ends by itself: its headers are the answer.
        const body = res.headers.get('content-type')?.startsWith('text/event-stream') ? undefined : await res.json().catch(() => undefined);
        abort.abort();
        const unrouted = res.status === 404 && (body as any)?.type === 'about:blank';
        if (unrouted || res.status >= 500) misses.push(`${method.toUpperCase()} ${path} → ${res.status} ${JSON.stringify(body)}`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('#5 OpenAPI: /api/docs is a browsable page served from local assets, without a token', async () => {
    const page = await fetch(`${server.app.baseUrl}/api/docs/`, { redirect: 'follow' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toMatch(/swagger-ui/i);
    const external = [...html.matchAll(/(?:src|href)="(https?:)?\/\/[^"]+"/g)].map((m) => m[0]);
    expect(external).toEqual([]);
    const script = /src="\.?\/?([^"]*swagger-ui-bundle\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${server.app.baseUrl}/api/docs/${script!.replace(/^\.\//, '')}`);
    expect(asset.status).toBe(200);
    // Read it all: an unread 1 MB body keeps the connection busy and the server's close waiting.
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    // The API itself still needs a token.
    expect((await fetch(`${server.app.baseUrl}/api/v1/stations`)).status).toBe(401);
  });
});
