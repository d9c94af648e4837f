import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';
import { SseClient } from './support/sse-client.js';
import { nextEvent } from './support/events.js';
import { connectStation, registerStation } from './helpers/stations.js';
import { InMemoryBus } from '../src/platform/bus.js';
import { LiveEventBuffer, registerEventStreamRoutes } from '../src/modules/live-events/index.js';
import type { StationConnected } from '../src/modules/stations/index.js';
import { signedInDriver, signedInUser } from './helpers/accounts.js';

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Issue #5 "Audit and events": a live event stream (SSE) filtered by what the caller may see. */
describe('live event stream', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  function publish(type: string, payload: Record<string, unknown>, tenantId = 'default'): void {
    server.app.bus.publish({ type, tenantId, occurredAt: new Date(), payload });
  }

  it("#5 SSE: a real station's connection reaches a stream reader as a StationConnected event", async () => {
    const stream = await SseClient.open(`${server.app.baseUrl}/api/v1/events/stream?types=StationConnected`, auth);
    expect(stream.status).toBe(200);
    await stream.next((m) => m.comment === 'connected');
    await registerStation(server, 'CS-SSE-1');
    const connected = nextEvent<StationConnected>(server.app.bus, 'StationConnected');
    const station = await connectStation(server, 'CS-SSE-1', '2.0.1');
    await connected;
    const message = await stream.next();
    expect(message.event).toBe('StationConnected');
    expect(message.id).toMatch(/^[0-9a-f]{8}\.\d+$/);
    expect(JSON.parse(message.data!)).toMatchObject({ type: 'StationConnected', data: { stationId: 'CS-SSE-1', ocppVersion: '2.0.1' } });
    await station.close();
    stream.close();
  });

  it("#5 SSE: another tenant's events and filtered-out types or stations are not sent", async () => {
    const stream = await SseClient.open(`${server.app.baseUrl}/api/v1/events/stream?stationId=CS-A`, auth);
    await stream.next((m) => m.comment === 'connected');
    publish('ConnectorStatusChanged', { stationId: 'CS-A', status: 'Faulted' }, 'other-tenant');
    publish('ConnectorStatusChanged', { stationId: 'CS-B', status: 'Faulted' });
    publish('ConnectorStatusChanged', { stationId: 'CS-A', status: 'Available' });
    const message = await stream.next();
    expect(JSON.parse(message.data!).data).toEqual({ stationId: 'CS-A', status: 'Available' });
    stream.close();
  });

  it('#5 SSE: Last-Event-ID resumes after the last event seen; an unknown id is announced as a gap', async () => {
    const first = await SseClient.open(`${server.app.baseUrl}/api/v1/events/stream?types=TransactionEnded`, auth);
    await first.next((m) => m.comment === 'connected');
    publish('TransactionEnded', { stationId: 'CS-L', sessionId: 'one' });
    const seen = await first.next();
    first.close();
    publish('TransactionEnded', { stationId: 'CS-L', sessionId: 'two' });
    publish('TransactionEnded', { stationId: 'CS-L', sessionId: 'three' });
    const resumed = await SseClient.open(`${server.app.baseUrl}/api/v1/events/stream?types=TransactionEnded`, { ...auth, 'last-event-id': seen.id! });
    expect(JSON.parse((await resumed.next()).data!).data.sessionId).toBe('two');
    expect(JSON.parse((await resumed.next()).data!).data.sessionId).toBe('three');
    resumed.close();
    const stale = await SseClient.open(`${server.app.baseUrl}/api/v1/events/stream`, { ...auth, 'last-event-id': 'deadbeef.1' });
    expect((await stale.next()).event).toBe('gap');
    stale.close();
  });

  it('#5 SSE, ADR 021: a site-scoped user sees only events of their sites\' stations and sites, not tenant-wide ones', async () => {
    const north = (await server.api('POST', '/api/v1/sites', { name: 'SSE North', timeZone: 'Europe/Oslo' })).body.id;
    const south = (await server.api('POST', '/api/v1/sites', { name: 'SSE South', timeZone: 'Europe/Oslo' })).body.id;
    await registerStation(server, 'SSE-NORTH-1', { siteId: north });
    await registerStation(server, 'SSE-SOUTH-1', { siteId: south });
    const user = await signedInUser(server, { role: 'operator', siteIds: [north] });
    const stream = await SseClient.open(`${server.app.baseUrl}/api/v1/events/stream?types=ConnectorStatusChanged,SiteUpdated,UserCreated`, {
      authorization: `Bearer ${user.token}`,
    });
    expect(stream.status).toBe(200);
    await stream.next((m) => m.comment === 'connected');
    publish('ConnectorStatusChanged', { stationId: 'SSE-SOUTH-1', status: 'Faulted' });
    publish('UserCreated', { userId: 'someone' });
    publish('SiteUpdated', { siteId: south });
    publish('SiteUpdated', { siteId: north });
    publish('ConnectorStatusChanged', { stationId: 'SSE-NORTH-1', status: 'Available' });
    expect(JSON.parse((await stream.next()).data!).data).toEqual({ siteId: north });
    expect(JSON.parse((await stream.next()).data!).data).toEqual({ stationId: 'SSE-NORTH-1', status: 'Available' });
    stream.close();
    // Asking for a station outside their sites is the same as asking for one that does not exist.
    const outside = await fetch(`${server.app.baseUrl}/api/v1/events/stream?stationId=SSE-SOUTH-1`, { headers: { authorization: `Bearer ${user.token}` } });
    expect(outside.status).toBe(404);
    await outside.body?.cancel();
  });

  it('#5 SSE, ADR 021: drivers may not open the stream (403)', async () => {
    const driver = await signedInDriver(server);
    const res = await fetch(`${server.app.baseUrl}/api/v1/events/stream`, { headers: { authorization: `Bearer ${driver.token}` } });
    expect(res.status).toBe(403);
    await res.body?.cancel();
  });

  it('#5 SSE: needs a token; the server ends open streams cleanly when it shuts down', async () => {
    expect((await fetch(`${server.app.baseUrl}/api/v1/events/stream`)).status).toBe(401);
    const other = await startTestServer();
    const stream = await SseClient.open(`${other.app.baseUrl}/api/v1/events/stream`, auth);
    await stream.next((m) => m.comment === 'connected');
    await other.close();
    await stream.closed();
  });
});

describe('live event stream heartbeats', () => {
  it('#5 SSE: an idle stream gets heartbeat comments', async () => {
    const bus = new InMemoryBus(() => undefined);
    const buffer = new LiveEventBuffer(10);
    buffer.attach(bus);
    const app = Fastify();
    app.addHook('onRequest', async (request) => {
      request.principal = { tenantId: 't1', kind: 'api-token', id: 'p1', name: 'probe', role: 'viewer' };
    });
    registerEventStreamRoutes(app, { buffer, heartbeatMs: 20 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const stream = await SseClient.open(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/events/stream`, {});
      expect((await stream.next((m) => m.comment === 'heartbeat')).comment).toBe('heartbeat');
      bus.publish({ type: 'X', tenantId: 't2', occurredAt: new Date(), payload: {} });
      bus.publish({ type: 'Y', tenantId: 't1', occurredAt: new Date(), payload: {} });
      expect((await stream.next()).event).toBe('Y');
      stream.close();
    } finally {
      await app.close();
    }
  });
});
