import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { BOOT_16, BOOT_201, type RawStation } from './support/raw-station.js';
import { nextEvent } from './support/events.js';
import { connectStation, registerStation } from './helpers/stations.js';
import { answerLimitsProbe, answerSetVariables } from './helpers/device-model.js';
import type { StationConfigurationApplied } from '../src/modules/device-model/index.js';

const OFFLINE_THRESHOLD = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'OfflineThreshold' }, value: '123' };
const REMOTE_START = { component: { name: 'AuthCtrlr' }, variable: { name: 'AuthorizeRemoteStart' }, value: 'false' };

/** Desired configuration per station group, applied while the station is held Pending at boot. */
describe('configuration templates at boot', () => {
  let server: TestServer;
  let seq = 0;
  const open: RawStation[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  async function template(body: unknown): Promise<string> {
    const res = await server.api('POST', '/api/v1/configuration-templates', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  }

  async function connect(id: string, version: '1.6' | '2.0.1'): Promise<RawStation> {
    const station = await connectStation(server, id, version);
    open.push(station);
    return station;
  }

  /** The CSMS's TriggerMessage(BootNotification) after applying; answered Accepted. */
  async function answerBootTrigger(station: RawStation): Promise<void> {
    const trigger = await station.nextCall('TriggerMessage');
    expect(trigger[3]).toEqual({ requestedMessage: 'BootNotification' });
    station.reply(trigger[1] as string, { status: 'Accepted' });
  }

  it('TC_B_02_CSMS B02.FR.01 Pending-with-template boot (2.0.1): Pending, SetVariables while Pending, then Accepted; drift in sync', async () => {
    const id = `CS-TPL-201-${++seq}`;
    await registerStation(server, id);
    const templateId = await template({ name: 'comm defaults', ocppVersion: '2.0.1', settings: [OFFLINE_THRESHOLD, REMOTE_START] });
    const assigned = await server.api('POST', `/api/v1/configuration-templates/${templateId}/assignments`, { stationIds: [id] });
    expect(assigned.body.stationIds).toEqual([id]);

    const station = await connect(id, '2.0.1');
    const applied = nextEvent<StationConfigurationApplied>(server.app.bus, 'StationConfigurationApplied', (e) => e.payload.stationId === id);
    const boot = await station.call('BootNotification', BOOT_201);
    expect(boot[2]).toMatchObject({ status: 'Pending' });

    // B02.FR.09: still Pending, so anything but BootNotification is refused meanwhile.
    const early = await station.call('Heartbeat', {});
    expect(early[0]).toBe(4);
    expect(early[2]).toBe('SecurityError');

    await answerLimitsProbe(station, { items: 10, bytes: 0 });
    const set = await answerSetVariables(station);
    expect(set.items).toEqual([
      { component: OFFLINE_THRESHOLD.component, variable: OFFLINE_THRESHOLD.variable, attributeValue: '123' },
      { component: REMOTE_START.component, variable: REMOTE_START.variable, attributeValue: 'false' },
    ]);
    await answerBootTrigger(station);
    expect((await applied).payload.results.map((r) => r.status)).toEqual(['Accepted', 'Accepted']);

    const second = await station.call('BootNotification', { ...BOOT_201, reason: 'Triggered' });
    expect(second[2]).toMatchObject({ status: 'Accepted' });
    expect((await station.call('Heartbeat', {}))[0]).toBe(3);

    const drift = await server.api('GET', `/api/v1/stations/${id}/configuration-drift`);
    expect(drift.status).toBe(200);
    expect(drift.body).toMatchObject({ stationId: id, template: { id: templateId }, inSync: true });
    expect(drift.body.items.map((i: { state: string; reported: string }) => [i.state, i.reported])).toEqual([
      ['in-sync', '123'],
      ['in-sync', 'false'],
    ]);
  });

  it('B02 re-applied after a reboot: the next boot is held Pending and the settings are sent again', async () => {
    const id = `CS-TPL-RB-${++seq}`;
    await registerStation(server, id);
    const templateId = await template({ name: 'reboot', ocppVersion: '2.0.1', settings: [OFFLINE_THRESHOLD] });
    await server.api('POST', `/api/v1/configuration-templates/${templateId}/assignments`, { stationIds: [id] });

    const first = await connect(id, '2.0.1');
    expect((await first.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Pending' });
    await answerLimitsProbe(first, { items: 10, bytes: 0 });
    await answerSetVariables(first);
    await answerBootTrigger(first);
    expect((await first.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted' });
    await first.close();

    // A reset: the station comes back and boots again. Its limits are known by now.
    const again = await connect(id, '2.0.1');
    expect((await again.call('BootNotification', { ...BOOT_201, reason: 'RemoteReset' }))[2]).toMatchObject({ status: 'Pending' });
    const set = await answerSetVariables(again, 'RebootRequired');
    expect(set.items).toHaveLength(1);
    await answerBootTrigger(again);
    expect((await again.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted' });
    const drift = await server.api('GET', `/api/v1/stations/${id}/configuration-drift`);
    expect(drift.body.lastApplied.results[0].status).toBe('RebootRequired');
  });

  it('1.6 §4.2 Pending-with-template boot by site: ChangeConfiguration per key while Pending, the next BootNotification is Accepted; drift shows a changed key', async () => {
    const site = await server.api('POST', '/api/v1/sites', { name: `Depot ${++seq}`, timeZone: 'Europe/Amsterdam' });
    expect(site.status).toBe(201);
    const id = `CS-TPL-16-${seq}`;
    await registerStation(server, id, { siteId: site.body.id });
    const templateId = await template({
      name: '1.6 depot',
      ocppVersion: '1.6',
      settings: [
        { key: 'HeartbeatInterval', value: '120' },
        { key: 'MeterValueSampleInterval', value: '60' },
      ],
    });
    const assigned = await server.api('POST', `/api/v1/configuration-templates/${templateId}/assignments`, { siteIds: [site.body.id] });
    expect(assigned.body.siteIds).toEqual([site.body.id]);

    const station = await connect(id, '1.6');
    expect((await station.call('BootNotification', BOOT_16))[2]).toMatchObject({ status: 'Pending' });
    for (const [key, value] of [['HeartbeatInterval', '120'], ['MeterValueSampleInterval', '60']]) {
      const call = await station.nextCall('ChangeConfiguration');
      expect(call[3]).toEqual({ key, value });
      station.reply(call[1] as string, { status: 'Accepted' });
    }
    await answerBootTrigger(station);
    expect((await station.call('BootNotification', BOOT_16))[2]).toMatchObject({ status: 'Accepted' });

    let drift = await server.api('GET', `/api/v1/stations/${id}/configuration-drift`);
    expect(drift.body.inSync).toBe(true);

    // Someone changed a key on site: the next GetConfiguration answer reveals the drift.
    const pending = server.api('POST', `/api/v1/stations/${id}/get-configuration`, {});
    const call = await station.nextCall('GetConfiguration');
    station.reply(call[1] as string, {
      configurationKey: [
        { key: 'HeartbeatInterval', readonly: false, value: '900' },
        { key: 'MeterValueSampleInterval', readonly: false, value: '60' },
      ],
    });
    await pending;
    drift = await server.api('GET', `/api/v1/stations/${id}/configuration-drift`);
    expect(drift.body.inSync).toBe(false);
    expect(drift.body.items.map((i: { state: string; reported: string }) => [i.state, i.reported])).toEqual([
      ['drift', '900'],
      ['in-sync', '60'],
    ]);
  });

  it('B02.FR.01 a station that fails SetVariables while Pending is still let in; the failure shows in the drift view', async () => {
    const id = `CS-TPL-ERR-${++seq}`;
    await registerStation(server, id);
    const templateId = await template({ name: 'will fail', ocppVersion: '2.0.1', settings: [OFFLINE_THRESHOLD] });
    await server.api('POST', `/api/v1/configuration-templates/${templateId}/assignments`, { stationIds: [id] });
    const station = await connect(id, '2.0.1');
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Pending' });
    await answerLimitsProbe(station, { items: 10, bytes: 0 });
    const set = await station.nextCall('SetVariables');
    station.sendRaw(JSON.stringify([4, set[1], 'InternalError', 'device model busy', {}]));
    await answerBootTrigger(station);
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted' });
    const drift = await server.api('GET', `/api/v1/stations/${id}/configuration-drift`);
    expect(drift.body.lastApplied.results[0].status).toMatch(/^Failed: .*InternalError/);
    expect(drift.body.items[0].state).toBe('unknown');
  });

  it('template settings can be replaced and a template deleted; a deleted template holds no station', async () => {
    const id = `CS-TPL-DEL-${++seq}`;
    await registerStation(server, id);
    const templateId = await template({ name: 'short-lived', ocppVersion: '2.0.1', settings: [OFFLINE_THRESHOLD] });
    await server.api('POST', `/api/v1/configuration-templates/${templateId}/assignments`, { stationIds: [id] });
    const replaced = await server.api('PUT', `/api/v1/configuration-templates/${templateId}/settings`, { settings: [REMOTE_START] });
    expect(replaced.status).toBe(200);
    expect(replaced.body.settings).toEqual([REMOTE_START]);
    const wrongKind = await server.api('PUT', `/api/v1/configuration-templates/${templateId}/settings`, { settings: [{ key: 'HeartbeatInterval', value: '1' }] });
    expect(wrongKind.status).toBe(400);
    expect((await server.api('DELETE', `/api/v1/configuration-templates/${templateId}`)).status).toBe(204);
    expect((await server.api('GET', `/api/v1/configuration-templates/${templateId}`)).status).toBe(404);
    const station = await connect(id, '2.0.1');
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted' });
  });

  it('a station with no template is Accepted at once; a template of the other version does not hold it', async () => {
    const id = `CS-TPL-NONE-${++seq}`;
    await registerStation(server, id);
    const templateId = await template({ name: 'only 1.6', ocppVersion: '1.6', settings: [{ key: 'HeartbeatInterval', value: '60' }] });
    await server.api('POST', `/api/v1/configuration-templates/${templateId}/assignments`, { stationIds: [id] });
    const station = await connect(id, '2.0.1');
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted' });
    const drift = await server.api('GET', `/api/v1/stations/${id}/configuration-drift`);
    expect(drift.body.items.map((i: { state: string }) => i.state)).toEqual(['unknown']);
  });

  it('templates: bad input is a 400 naming the field, nothing stored; unknown stations and sites are refused', async () => {
    const mixed = await server.api('POST', '/api/v1/configuration-templates', { name: 'mixed', ocppVersion: '1.6', settings: [OFFLINE_THRESHOLD] });
    expect(mixed.status).toBe(400);
    expect(JSON.stringify(mixed.body)).toContain('settings[0]');
    const badVersion = await server.api('POST', '/api/v1/configuration-templates', { name: 'x', ocppVersion: '3.0', settings: [] });
    expect(badVersion.status).toBe(400);
    expect(JSON.stringify(badVersion.body)).toContain('ocppVersion');
    const list = await server.api('GET', '/api/v1/configuration-templates');
    expect(list.body.items.map((t: { name: string }) => t.name)).not.toContain('mixed');

    const templateId = await template({ name: 'empty', ocppVersion: '2.0.1', settings: [] });
    const unknownStation = await server.api('POST', `/api/v1/configuration-templates/${templateId}/assignments`, { stationIds: ['NO-SUCH-STATION'] });
    expect(unknownStation.status).toBe(400);
    expect(JSON.stringify(unknownStation.body)).toContain('stationIds[0]');
    const unknownSite = await server.api('POST', `/api/v1/configuration-templates/${templateId}/assignments`, { siteIds: ['no-such-site'] });
    expect(unknownSite.status).toBe(400);
    expect((await server.api('GET', '/api/v1/configuration-templates/nope')).status).toBe(404);
  });
});
