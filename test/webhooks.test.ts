import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { WebhookReceiver } from './support/webhook-receiver.js';
import { nextEvent } from './support/events.js';
import { connectStation, registerStation } from './helpers/stations.js';
import { ManualClock } from '../src/platform/clock.js';
import { verifySignature, DEFAULT_RETRY_POLICY } from '../src/modules/webhooks/index.js';
import type { StationConnected } from '../src/modules/stations/index.js';

/** Issue #5 "Audit and events": webhooks per tenant, HMAC-signed, retried with backoff, logged. */
describe('webhooks', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));

  beforeAll(async () => {
    server = await startTestServer({}, { clock });
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.answer = () => 200;
    receiver.received.length = 0;
  });

  async function subscribe(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
    const res = await server.api('POST', '/api/v1/webhooks', { url: receiver.url, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  function publish(type: string, payload: Record<string, unknown>, tenantId = 'default'): void {
    server.app.bus.publish({ type, tenantId, occurredAt: clock.now(), payload });
  }

  async function deliveries(id: string): Promise<any[]> {
    const res = await server.api('GET', `/api/v1/webhooks/${id}/deliveries`);
    expect(res.status).toBe(200);
    return res.body.items;
  }

  it('#5 webhooks: the secret is shown once at creation, never again; bad input names the field', async () => {
    const created = await subscribe({ eventTypes: ['StationBooted'], description: 'ops' });
    expect(created.secret).toMatch(/^whsec_/);
    const fetched = await server.api('GET', `/api/v1/webhooks/${created.id}`);
    expect(fetched.body).toMatchObject({ id: created.id, url: receiver.url, eventTypes: ['StationBooted'], enabled: true });
    expect(fetched.body).not.toHaveProperty('secret');
    const list = await server.api('GET', '/api/v1/webhooks');
    expect(list.body.items.map((s: any) => s.id)).toContain(created.id);
    expect(JSON.stringify(list.body)).not.toContain(created.secret);
    const badUrl = await server.api('POST', '/api/v1/webhooks', { url: 'ftp://example.org/x', eventTypes: ['*'] });
    expect([badUrl.status, badUrl.body.field]).toEqual([400, 'url']);
    const noTypes = await server.api('POST', '/api/v1/webhooks', { url: receiver.url, eventTypes: [] });
    expect([noTypes.status, noTypes.body.field]).toEqual([400, 'eventTypes']);
    expect((await server.api('DELETE', `/api/v1/webhooks/${created.id}`)).status).toBe(204);
    expect((await server.api('GET', `/api/v1/webhooks/${created.id}`)).status).toBe(404);
  });

  it('#5 webhooks: a real station connecting is delivered once, signed with HMAC-SHA256 over timestamp and body', async () => {
    const hook = await subscribe({ eventTypes: ['StationConnected'] });
    await registerStation(server, 'CS-HOOK-1');
    const connected = nextEvent<StationConnected>(server.app.bus, 'StationConnected', (e) => e.payload.stationId === 'CS-HOOK-1');
    const station = await connectStation(server, 'CS-HOOK-1', '1.6');
    await connected;
    await server.app.webhooks.deliverDue();
    await station.close();
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request!.json).toMatchObject({ type: 'StationConnected', tenantId: 'default', data: { stationId: 'CS-HOOK-1', ocppVersion: '1.6' } });
    expect(request!.headers['ampline-event-type']).toBe('StationConnected');
    expect(request!.headers['ampline-event-id']).toBe(request!.json.id);
    const header = request!.headers['ampline-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const nowS = clock.nowMs() / 1000;
    expect(verifySignature(header, hook.secret, request!.body, nowS)).toBe(true);
    expect(verifySignature(header, 'whsec_wrong', request!.body, nowS)).toBe(false);
    expect(verifySignature(header, hook.secret, request!.body.replace('CS-HOOK-1', 'CS-HOOK-2'), nowS)).toBe(false);
    expect(verifySignature(header, hook.secret, request!.body, nowS + 3600)).toBe(false);
    const [delivery] = await deliveries(hook.id);
    expect(delivery).toMatchObject({ eventType: 'StationConnected', status: 'succeeded', attempts: 1, lastStatusCode: 200, lastError: null });
    await server.api('DELETE', `/api/v1/webhooks/${hook.id}`);
  });

  it('#5 webhooks: after 500s the delivery is retried with exponential backoff until it succeeds', async () => {
    const hook = await subscribe({ eventTypes: ['TransactionEnded'] });
    const statuses = [500, 500, 200];
    receiver.answer = () => statuses.shift() ?? 200;
    publish('TransactionEnded', { stationId: 'CS-R', sessionId: 's1' });
    await server.app.webhooks.deliverDue();
    expect(receiver.received).toHaveLength(1);
    let [delivery] = await deliveries(hook.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, lastError: 'receiver answered 500' });
    expect(Date.parse(delivery.nextAttemptAt) - clock.nowMs()).toBe(DEFAULT_RETRY_POLICY.firstRetryMs);

    clock.advance(DEFAULT_RETRY_POLICY.firstRetryMs - 1000);
    await server.app.webhooks.deliverDue();
    expect(receiver.received).toHaveLength(1);
    clock.advance(1000);
    await server.app.webhooks.deliverDue();
    expect(receiver.received).toHaveLength(2);
    [delivery] = await deliveries(hook.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 2 });
    expect(Date.parse(delivery.nextAttemptAt) - clock.nowMs()).toBe(2 * DEFAULT_RETRY_POLICY.firstRetryMs);

    clock.advance(2 * DEFAULT_RETRY_POLICY.firstRetryMs);
    await server.app.webhooks.deliverDue();
    expect(receiver.received).toHaveLength(3);
    [delivery] = await deliveries(hook.id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200, nextAttemptAt: null });
    // Every attempt carries the same event id and body, freshly signed.
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    await server.api('DELETE', `/api/v1/webhooks/${hook.id}`);
  });

  it('#5 webhooks: a receiver that checks the signature refuses a bad one, and the delivery is logged failed after the last attempt', async () => {
    const hook = await subscribe({ eventTypes: ['StationBooted'] });
    // The receiver holds a different secret (say, not yet rotated): every signature is bad to it.
    receiver.answer = (request) =>
      verifySignature(request.headers['ampline-signature'] as string, 'whsec_the-receivers-old-secret', request.body, clock.nowMs() / 1000) ? 200 : 401;
    publish('StationBooted', { stationId: 'CS-SIG' });
    await server.app.webhooks.deliverDue();
    for (let attempt = 1; attempt < DEFAULT_RETRY_POLICY.maxAttempts; attempt++) {
      clock.advance(DEFAULT_RETRY_POLICY.maxRetryMs);
      await server.app.webhooks.deliverDue();
    }
    expect(receiver.received).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
    const [delivery] = await deliveries(hook.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: DEFAULT_RETRY_POLICY.maxAttempts, lastStatusCode: 401, nextAttemptAt: null });
    clock.advance(DEFAULT_RETRY_POLICY.maxRetryMs);
    await server.app.webhooks.deliverDue();
    expect(receiver.received).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
    const failed = await server.api('GET', `/api/v1/webhooks/${hook.id}/deliveries?status=failed`);
    expect(failed.body.items).toHaveLength(1);
    await server.api('DELETE', `/api/v1/webhooks/${hook.id}`);
  });

  it('#5 webhooks: filters by event type, station and tenant; a disabled subscription gets nothing', async () => {
    const hook = await subscribe({ eventTypes: ['ConnectorStatusChanged', 'TransactionStarted'], filters: { stationId: ['CS-F1'] } });
    publish('ConnectorStatusChanged', { stationId: 'CS-F2', status: 'Available' });
    publish('StationBooted', { stationId: 'CS-F1' });
    publish('ConnectorStatusChanged', { stationId: 'CS-F1', status: 'Available' }, 'other-tenant');
    publish('ConnectorStatusChanged', { stationId: 'CS-F1', status: 'Occupied' });
    await server.app.webhooks.deliverDue();
    expect(receiver.received.map((r) => [r.json.type, r.json.data.stationId, r.json.data.status])).toEqual([['ConnectorStatusChanged', 'CS-F1', 'Occupied']]);
    expect((await server.api('PATCH', `/api/v1/webhooks/${hook.id}`, { enabled: false })).body.enabled).toBe(false);
    publish('TransactionStarted', { stationId: 'CS-F1' });
    await server.app.webhooks.deliverDue();
    expect(receiver.received).toHaveLength(1);
    await server.api('DELETE', `/api/v1/webhooks/${hook.id}`);
  });

  it('#5 webhooks: the test-send endpoint delivers a signed WebhookTest now and answers with the delivery', async () => {
    const hook = await subscribe({ eventTypes: ['TransactionEnded'] });
    const res = await server.api('POST', `/api/v1/webhooks/${hook.id}/test`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ eventType: 'WebhookTest', status: 'succeeded', attempts: 1, lastStatusCode: 200 });
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request!.json).toMatchObject({ type: 'WebhookTest', data: { subscriptionId: hook.id } });
    expect(verifySignature(request!.headers['ampline-signature'] as string, hook.secret, request!.body, clock.nowMs() / 1000)).toBe(true);
    expect((await server.api('POST', '/api/v1/webhooks/no-such-hook/test')).status).toBe(404);
    await server.api('DELETE', `/api/v1/webhooks/${hook.id}`);
  });
});
