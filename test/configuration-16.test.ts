import { beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './support/test-server.js';
import { useStationSuite } from './support/station-suite.js';
import { registerStation } from './helpers/stations.js';

/** OCPP 1.6 configuration through the typed endpoints, over a real socket (§5.8 and §5.4). */
describe('1.6 configuration', () => {
  const suite = useStationSuite('CS-CFG', '1.6');
  const online = suite.online;
  let server: TestServer;
  beforeAll(() => {
    server = suite.server;
  });

  it('1.6 §5.8 GetConfiguration: the station’s keys come back and are stored per station', async () => {
    const { id, station } = await online();
    const pending = server.api('POST', `/api/v1/stations/${id}/get-configuration`, { key: ['HeartbeatInterval', 'NoSuchKey'] });
    const call = await station.nextCall('GetConfiguration');
    expect(call[3]).toEqual({ key: ['HeartbeatInterval', 'NoSuchKey'] });
    station.reply(call[1] as string, { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: ['NoSuchKey'] });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: ['NoSuchKey'] });

    const stored = await server.api('GET', `/api/v1/stations/${id}/configuration`);
    expect(stored.body.items).toEqual([expect.objectContaining({ key: 'HeartbeatInterval', value: '300', readonly: false, rebootRequired: false })]);
  });

  it('1.6 §5.8 GetConfiguration without keys asks for all of them; a later answer updates the stored value', async () => {
    const { id, station } = await online();
    for (const value of ['60', '90']) {
      const pending = server.api('POST', `/api/v1/stations/${id}/get-configuration`, {});
      const call = await station.nextCall('GetConfiguration');
      expect(call[3]).toEqual({});
      station.reply(call[1] as string, {
        configurationKey: [
          { key: 'HeartbeatInterval', readonly: false, value },
          { key: 'NumberOfConnectors', readonly: true, value: '2' },
        ],
      });
      expect((await pending).status).toBe(200);
    }
    const stored = await server.api('GET', `/api/v1/stations/${id}/configuration`);
    expect(stored.body.items.map((i: { key: string; value: string; readonly: boolean }) => [i.key, i.value, i.readonly])).toEqual([
      ['HeartbeatInterval', '90', false],
      ['NumberOfConnectors', '2', true],
    ]);
  });

  it('1.6 §5.4 ChangeConfiguration Accepted is stored; RebootRequired is reported and flagged; Rejected changes nothing', async () => {
    const { id, station } = await online();
    const answers = ['Accepted', 'RebootRequired', 'Rejected'] as const;
    const keys = ['MeterValueSampleInterval', 'WebSocketPingInterval', 'ConnectionTimeOut'];
    for (const [i, status] of answers.entries()) {
      const pending = server.api('POST', `/api/v1/stations/${id}/change-configuration`, { key: keys[i], value: '30' });
      const call = await station.nextCall('ChangeConfiguration');
      expect(call[3]).toEqual({ key: keys[i], value: '30' });
      station.reply(call[1] as string, { status });
      const res = await pending;
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status, rebootRequired: status === 'RebootRequired' });
    }
    const stored = await server.api('GET', `/api/v1/stations/${id}/configuration`);
    expect(stored.body.items.map((i: { key: string; value: string; rebootRequired: boolean }) => [i.key, i.value, i.rebootRequired])).toEqual([
      ['MeterValueSampleInterval', '30', false],
      ['WebSocketPingInterval', '30', true],
    ]);
  });

  it('a 2.0.1 station is refused get-configuration with 400 naming the station; nothing is sent', async () => {
    const { id, station } = await online('2.0.1');
    const res = await server.api('POST', `/api/v1/stations/${id}/get-configuration`, {});
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('get-variables');
    const hb = await station.call('Heartbeat', {});
    expect(hb[0]).toBe(3);
    expect(station.frames.filter((f) => f[0] === 2)).toEqual([]);
  });

  it('bad input is a 400 naming the field; an offline station is 409; an unknown station’s configuration is 404', async () => {
    const { id } = await online();
    const tooLong = await server.api('POST', `/api/v1/stations/${id}/change-configuration`, { key: 'K'.repeat(51), value: '1' });
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body)).toContain('key');
    const missing = await server.api('POST', `/api/v1/stations/${id}/change-configuration`, { key: 'HeartbeatInterval' });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('value');

    const offlineId = suite.nextId('OFF');
    await registerStation(server, offlineId);
    const offline = await server.api('POST', `/api/v1/stations/${offlineId}/get-configuration`, {});
    expect(offline.status).toBe(409);
    expect((await server.api('GET', '/api/v1/stations/NOPE-404/configuration')).status).toBe(404);
  });
});
