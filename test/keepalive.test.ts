import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { nextEvent } from './support/events.js';
import type { StationDisconnected } from '../src/modules/stations/events.js';
import { bootStation, connectStation, registerStation, statusNotification, type Version } from './helpers/stations.js';

// Two seconds: a loaded CI machine delays timers by hundreds of ms, and the slack below must stay
// well under the one more interval a sweep that needed three would take.
const PING_INTERVAL_MS = 2000;

/**
 * WebSocket keep-alive (OCPP-J 2.0.1 part 4 §5.2, OCPP-J 1.6 §5.3): the CSMS pings every
 * interval; a station that stops answering is dropped and shown offline within two intervals.
 */
describe('keep-alive and presence', () => {
  let server: TestServer;
  let seq = 0;
  const open: RawStation[] = [];

  beforeAll(async () => {
    server = await startTestServer({ pingIntervalS: PING_INTERVAL_MS / 1000 });
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  async function register(version: Version): Promise<string> {
    const id = `CS-KA-${version.replace(/\./g, '')}-${++seq}`;
    await registerStation(server, id);
    return id;
  }

  function disconnected(id: string): Promise<StationDisconnected> {
    return nextEvent<StationDisconnected>(server.app.bus, 'StationDisconnected', (e) => e.payload.stationId === id);
  }

  it.each(['1.6', '2.0.1'] as const)('OCPP-J §5.2 %s: a station that stops answering pings is offline within two intervals', async (version) => {
    const id = await register(version);
    const gone = disconnected(id);
    const startedAt = Date.now();
    const station = await bootStation(server, id, version, { autoPong: false });
    open.push(station);
    await gone;
    // Two intervals plus scheduling slack; a sweep that needed three would land near 6000 ms.
    expect(Date.now() - startedAt).toBeLessThan(2 * PING_INTERVAL_MS + 1000);
    const view = await server.api('GET', `/api/v1/stations/${id}`);
    expect(view.body).toMatchObject({ online: false });
    expect(view.body.disconnectedAt).not.toBeNull();
    expect(server.app.gateway.isConnected(id)).toBe(false);
    // The CSMS dropped the socket: the station sees it closed.
    await station.closed;
  });

  it.each(['1.6', '2.0.1'] as const)('OCPP-J §5.2 %s: a station that answers pings stays online across several intervals', async (version) => {
    const id = await register(version);
    let dropped = false;
    const unsubscribe = server.app.bus.subscribe<StationDisconnected>('StationDisconnected', (e) => {
      if (e.payload.stationId === id) dropped = true;
    });
    try {
      const station = await bootStation(server, id, version);
      open.push(station);
      // Three pings answered means three sweeps passed this station (the third checked the second's pong).
      await new Promise<void>((resolve) => {
        let pings = 0;
        station.ws.on('ping', () => {
          if (++pings === 3) resolve();
        });
      });
      // A round trip after the third ping: any close the sweep started would have reached us first.
      const heartbeat = await station.call('Heartbeat', {});
      expect(heartbeat[0]).toBe(3);
      expect(dropped).toBe(false);
      expect(station.ws.readyState).toBe(station.ws.OPEN);
      expect(server.app.gateway.isConnected(id)).toBe(true);
      expect((await server.api('GET', `/api/v1/stations/${id}`)).body.online).toBe(true);
    } finally {
      unsubscribe();
    }
  });

  it.each(['1.6', '2.0.1'] as const)(
    'B01.FR.03 %s: boot is per reboot, not per reconnect: an Accepted station reconnects without BootNotification and sends Heartbeat and StatusNotification',
    async (version) => {
      const id = await register(version);
      const gone = disconnected(id);
      const first = await bootStation(server, id, version, { autoPong: false });
      open.push(first);
      await gone;

      const station = await connectStation(server, id, version);
      open.push(station);
      const heartbeat = await station.call('Heartbeat', {});
      expect(heartbeat[0]).toBe(3);
      expect(typeof (heartbeat[2] as { currentTime?: unknown }).currentTime).toBe('string');
      const status = await station.call('StatusNotification', statusNotification(version, 1, 'Available'));
      expect(status).toEqual([3, status[1], {}]);

      const view = await server.api('GET', `/api/v1/stations/${id}`);
      expect(view.body).toMatchObject({ online: true, lastBootStatus: 'Accepted' });
      expect(view.body.evses).toEqual([{ evseId: 1, connectors: [expect.objectContaining({ connectorId: 1, status: 'Available' })] }]);
    },
  );
});
