import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_201 } from './support/raw-station.js';

describe('smoke', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('TC_B_01_CSMS a registered 2.0.1 station boots Accepted', async () => {
    const created = await server.api('POST', '/api/v1/stations', { id: 'CS-1', password: 'correct-horse-battery-1' });
    expect(created.status).toBe(201);
    const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'CS-1', password: 'correct-horse-battery-1' });
    expect(station.protocol).toBe('ocpp2.0.1');
    const reply = await station.call('BootNotification', BOOT_201);
    expect(reply[0]).toBe(3);
    expect(reply[2]).toMatchObject({ status: 'Accepted', interval: 300 });
    await station.close();
  });
});
