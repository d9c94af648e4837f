import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_16 } from './support/raw-station.js';

const PASSWORD = 'station-password-0009';

describe('frame archive (--persist-frames)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ persistFrames: true, frameLogSize: 2 });
  });
  afterAll(async () => server?.close());

  it('keeps every frame in both directions, beyond the in-memory ring', async () => {
    expect((await server.api('POST', '/api/v1/stations', { id: 'ARCH-1', password: PASSWORD })).status).toBe(201);
    const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'ARCH-1', password: PASSWORD, protocols: ['ocpp1.6'] });
    await station.call('BootNotification', BOOT_16, 'boot-1');
    await station.call('Heartbeat', {}, 'hb-1');
    await station.call('Heartbeat', {}, 'hb-2');
    const recent = await server.api('GET', '/api/v1/stations/ARCH-1/messages');
    expect(recent.body.items).toHaveLength(2);
    const archived = await server.api('GET', '/api/v1/stations/ARCH-1/messages?source=archive');
    expect(archived.status).toBe(200);
    const frames = archived.body.items.map((f: { direction: string; frame: string }) => `${f.direction} ${JSON.parse(f.frame)[1]}`);
    expect(frames).toEqual(['in boot-1', 'out boot-1', 'in hb-1', 'out hb-1', 'in hb-2', 'out hb-2']);
    const last = await server.api('GET', '/api/v1/stations/ARCH-1/messages?source=archive&limit=2');
    expect(last.body.items.map((f: { frame: string }) => JSON.parse(f.frame)[1])).toEqual(['hb-2', 'hb-2']);
    await station.close();
  });

  it('without --persist-frames the archive is refused with a clear message', async () => {
    const plain = await startTestServer();
    try {
      expect((await plain.api('POST', '/api/v1/stations', { id: 'ARCH-2', password: PASSWORD })).status).toBe(201);
      const res = await plain.api('GET', '/api/v1/stations/ARCH-2/messages?source=archive');
      expect(res.status).toBe(409);
      expect(res.body.detail).toContain('--persist-frames');
    } finally {
      await plain.close();
    }
  });
});
