import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer } from './support/test-server.js';
import { createFreshDatabase, type FreshDatabase } from './support/fresh-database.js';
import { WebhookReceiver } from './support/webhook-receiver.js';
import { ManualClock } from '../src/platform/clock.js';
import { DEFAULT_RETRY_POLICY } from '../src/modules/webhooks/index.js';

/** Issue #5 webhooks: pending deliveries live in the database, so a restart does not lose them. */
describe('webhook deliveries across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ampline-webhooks-'));
  let fresh: FreshDatabase | undefined;
  let receiver: WebhookReceiver | undefined;

  afterAll(async () => {
    await receiver?.close();
    await fresh?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('#5 webhooks: a delivery still pending at shutdown is sent by the next process', async () => {
    const adminUrl = process.env['DATABASE_URL'];
    fresh = adminUrl ? await createFreshDatabase(adminUrl) : undefined;
    const persistent = { dataDir, databaseUrl: fresh?.url };
    receiver = await WebhookReceiver.start();
    receiver.answer = () => 503;
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));

    const first = await startTestServer({}, { clock, persistent });
    const created = await first.api('POST', '/api/v1/webhooks', { url: receiver.url, eventTypes: ['TransactionEnded'] });
    expect(created.status).toBe(201);
    first.app.bus.publish({ type: 'TransactionEnded', tenantId: 'default', occurredAt: clock.now(), payload: { stationId: 'CS-RST', sessionId: 's-r' } });
    await first.app.webhooks.deliverDue();
    expect(receiver.received).toHaveLength(1);
    await first.close();

    receiver.answer = () => 204;
    clock.advance(DEFAULT_RETRY_POLICY.firstRetryMs);
    const second = await startTestServer({}, { clock, persistent });
    try {
      await second.app.webhooks.deliverDue();
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
      const log = await second.api('GET', `/api/v1/webhooks/${created.body.id}/deliveries`);
      expect(log.body.items).toMatchObject([{ eventType: 'TransactionEnded', status: 'succeeded', attempts: 2, lastStatusCode: 204 }]);
    } finally {
      await second.close();
    }
    // Two cold starts of an on-disk PGlite: slow on a busy machine.
  }, 240_000);
});
