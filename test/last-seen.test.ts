import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/platform/clock.js';
import { startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_201 } from './support/raw-station.js';

const PASSWORD = 'station-password-0010';

describe('lastSeen', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 21, 8, 0, 0));
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { clock });
  });
  afterAll(async () => server?.close());

  it('any message counts as a sign of life, not only Heartbeat (1.6 §4.6, 2.0.1 G02.FR.02)', async () => {
    expect((await server.api('POST', '/api/v1/stations', { id: 'SEEN-1', password: PASSWORD })).status).toBe(201);
    const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'SEEN-1', password: PASSWORD });
    await station.call('BootNotification', BOOT_201);
    expect((await server.api('GET', '/api/v1/stations/SEEN-1')).body.lastSeen).toBe('2026-11-21T08:00:00.000Z');
    clock.advance(5 * 60_000);
    await station.call('StatusNotification', { timestamp: clock.now().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    expect((await server.api('GET', '/api/v1/stations/SEEN-1')).body.lastSeen).toBe('2026-11-21T08:05:00.000Z');
    // Within the minute nothing is rewritten.
    clock.advance(10_000);
    await station.call('StatusNotification', { timestamp: clock.now().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    expect((await server.api('GET', '/api/v1/stations/SEEN-1')).body.lastSeen).toBe('2026-11-21T08:05:00.000Z');
    await station.close();
  });
});
