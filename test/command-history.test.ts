import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { answerNext, history, onlineStation, stationCommand } from './helpers/commands.js';
import { registerStation } from './helpers/stations.js';
import { SYSTEM_REQUESTER } from '../src/platform/requester.js';

/** Every CSMS-initiated CALL lands in the station's command history, whoever made it. */
describe('per-station command history', () => {
  let server: TestServer;
  let adminId: string;
  const open: RawStation[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    adminId = (await server.app.accounts.authenticateToken(ADMIN_TOKEN))!.id;
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  it('a typed command is recorded with action, request, principal, answer status and duration', async () => {
    const { id, station } = await onlineStation(server, 'CS-HIST', '2.0.1', open);
    const pending = stationCommand(server, id, 'reset', { type: 'OnIdle' });
    await answerNext(station, 'Reset', { status: 'Scheduled' });
    expect((await pending).status).toBe(200);
    const [record] = await history(server, id);
    expect(record).toMatchObject({ stationId: id, action: 'Reset', request: { type: 'OnIdle' }, requestedBy: adminId, outcome: 'Scheduled', error: null, response: { status: 'Scheduled' } });
    expect(record!['durationMs']).toBeGreaterThanOrEqual(0);
    expect(Date.parse(record!['startedAt'])).not.toBeNaN();
  });

  it('the generic passthrough POST /ocpp/{Action} goes through the history too', async () => {
    const { id, station } = await onlineStation(server, 'CS-HIST', '1.6', open);
    const pending = server.api('POST', `/api/v1/stations/${id}/ocpp/ClearCache`, {});
    await answerNext(station, 'ClearCache', { status: 'Accepted' });
    expect((await pending).status).toBe(200);
    expect(await history(server, id)).toMatchObject([{ action: 'ClearCache', requestedBy: adminId, outcome: 'Accepted' }]);
  });

  it('a CALL the CSMS makes on its own (no API request) is recorded as system', async () => {
    const { id, station } = await onlineStation(server, 'CS-HIST', '2.0.1', open);
    const sent = server.app.gateway.send('default', id, 'TriggerMessage', { requestedMessage: 'Heartbeat' }, { requestedBy: SYSTEM_REQUESTER });
    await answerNext(station, 'TriggerMessage', { status: 'Rejected' });
    await sent;
    expect(await history(server, id)).toMatchObject([{ action: 'TriggerMessage', requestedBy: 'system', outcome: 'Rejected' }]);
  });

  it('OCPP-J §4.2.3 a CALLERROR and a timeout are recorded as errors; an invalid request that never left is not', async () => {
    const { id, station } = await onlineStation(server, 'CS-HIST', '2.0.1', open);
    const failing = stationCommand(server, id, 'clear-cache');
    const call = await station.nextCall('ClearCache');
    station.sendRaw(JSON.stringify([4, call[1], 'NotSupported', 'no cache', {}]));
    expect((await failing).status).toBe(502);
    const timingOut = server.api('POST', `/api/v1/stations/${id}/ocpp/Reset?timeoutMs=200`, { type: 'Immediate' });
    await station.nextCall('Reset');
    expect((await timingOut).status).toBe(504);
    expect((await server.api('POST', `/api/v1/stations/${id}/ocpp/Reset`, { type: 'Sideways' })).status).toBe(400);
    expect(await history(server, id)).toMatchObject([
      { action: 'Reset', outcome: 'Error', error: 'StationTimeout', response: null },
      { action: 'ClearCache', outcome: 'Error', error: 'StationCallError: NotSupported' },
    ]);
  });

  it('A01 secrets are not stored: a 1.6 AuthorizationKey and a 2.0.1 BasicAuthPassword are redacted', async () => {
    const v16 = await onlineStation(server, 'CS-HIST', '1.6', open);
    const change = server.api('POST', `/api/v1/stations/${v16.id}/ocpp/ChangeConfiguration`, { key: 'AuthorizationKey', value: '0123456789abcdef0123' });
    expect(await answerNext(v16.station, 'ChangeConfiguration', { status: 'Accepted' })).toEqual({ key: 'AuthorizationKey', value: '0123456789abcdef0123' });
    await change;
    expect((await history(server, v16.id))[0]!['request']).toEqual({ key: 'AuthorizationKey', value: '***' });

    const v201 = await onlineStation(server, 'CS-HIST', '2.0.1', open);
    const setVariableData = [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: 'a-new-password-0123' }];
    const set = server.api('POST', `/api/v1/stations/${v201.id}/ocpp/SetVariables`, { setVariableData });
    await answerNext(v201.station, 'SetVariables', {
      setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }],
    });
    await set;
    const stored = JSON.stringify((await history(server, v201.id))[0]);
    expect(stored).not.toContain('a-new-password-0123');
    expect(stored).toContain('***');
  });

  it('pages newest first with nextCursor, filters by action, and is scoped to the station', async () => {
    const { id, station } = await onlineStation(server, 'CS-HIST', '1.6', open);
    for (const type of ['Hard', 'Soft', 'Hard']) {
      const pending = server.api('POST', `/api/v1/stations/${id}/ocpp/Reset`, { type });
      await answerNext(station, 'Reset', { status: 'Accepted' });
      await pending;
    }
    const clear = stationCommand(server, id, 'clear-cache');
    await answerNext(station, 'ClearCache', { status: 'Accepted' });
    await clear;
    const first = await server.api('GET', `/api/v1/stations/${id}/commands?limit=2`);
    expect(first.body.items.map((r: { action: string }) => r.action)).toEqual(['ClearCache', 'Reset']);
    const second = await server.api('GET', `/api/v1/stations/${id}/commands?limit=2&before=${first.body.nextCursor}`);
    expect(second.body.items.map((r: { request: unknown }) => r.request)).toEqual([{ type: 'Soft' }, { type: 'Hard' }]);
    expect((await history(server, id, '?action=Reset')).length).toBe(3);
    const other = `CS-HIST-EMPTY-${Date.now()}`;
    await registerStation(server, other);
    expect(await history(server, other)).toEqual([]);
    expect((await server.api('GET', `/api/v1/stations/CS-NOBODY/commands`)).status).toBe(404);
    expect((await server.api('GET', `/api/v1/stations/${id}/commands?limit=0`)).status).toBe(400);
  });
});
