import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { nextEvent } from './support/events.js';
import type { StationDisconnected } from '../src/modules/stations/events.js';
import { bootStation, registerStation, type Version } from './helpers/stations.js';

/**
 * CSMS-initiated calls through POST /api/v1/stations/{id}/ocpp/{action}: the API request waits
 * for the station's answer over a real socket.
 */
describe('station commands over the API', () => {
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

  async function online(version: Version): Promise<{ id: string; station: RawStation }> {
    const id = `CS-CMD-${version.replace(/\./g, '')}-${++seq}`;
    await registerStation(server, id);
    const station = await bootStation(server, id, version);
    open.push(station);
    return { id, station };
  }

  function command(id: string, action: string, body: unknown, query = '') {
    return server.api('POST', `/api/v1/stations/${encodeURIComponent(id)}/ocpp/${action}${query}`, body);
  }

  /** The CALLs the station has received and not yet consumed with nextCall. */
  function unreadCalls(station: RawStation): unknown[][] {
    return station.frames.filter((f) => f[0] === 2);
  }

  /** A Heartbeat round trip: every frame the CSMS wrote before its answer has arrived by now. */
  async function barrier(station: RawStation): Promise<void> {
    const reply = await station.call('Heartbeat', {});
    expect(reply[0]).toBe(3);
  }

  it('1.6 §5.14 Reset Soft: the API answers with the station’s Reset.conf', async () => {
    const { id, station } = await online('1.6');
    const pending = command(id, 'Reset', { type: 'Soft' });
    const call = await station.nextCall('Reset');
    expect(call[3]).toEqual({ type: 'Soft' });
    station.reply(call[1] as string, { status: 'Rejected' });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ action: 'Reset', response: { status: 'Rejected' } });
  });

  it('1.6 §5.17 TriggerMessage StatusNotification: answered, then the triggered message is handled', async () => {
    const { id, station } = await online('1.6');
    const pending = command(id, 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 });
    const call = await station.nextCall('TriggerMessage');
    expect(call[3]).toEqual({ requestedMessage: 'StatusNotification', connectorId: 1 });
    station.reply(call[1] as string, { status: 'Accepted' });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ action: 'TriggerMessage', response: { status: 'Accepted' } });
    const status = await station.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    expect(status).toEqual([3, status[1], {}]);
  });

  it('B11.FR.01 2.0.1 Reset Immediate: the API answers with the station’s ResetResponse', async () => {
    const { id, station } = await online('2.0.1');
    const pending = command(id, 'Reset', { type: 'Immediate' });
    const call = await station.nextCall('Reset');
    expect(call[3]).toEqual({ type: 'Immediate' });
    station.reply(call[1] as string, { status: 'Accepted' });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ action: 'Reset', response: { status: 'Accepted' } });
  });

  it('TC_B_06_CSMS 2.0.1 GetVariables: the station’s values come back to the caller', async () => {
    const { id, station } = await online('2.0.1');
    const request = { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'OfflineThreshold' } }] };
    const pending = command(id, 'GetVariables', request);
    const call = await station.nextCall('GetVariables');
    expect(call[3]).toEqual(request);
    const answer = {
      getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '123', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'OfflineThreshold' } }],
    };
    station.reply(call[1] as string, answer);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ action: 'GetVariables', response: answer });
  });

  it('TC_F_20_CSMS 2.0.1 TriggerMessage Heartbeat: answered, and the triggered Heartbeat is served', async () => {
    const { id, station } = await online('2.0.1');
    const pending = command(id, 'TriggerMessage', { requestedMessage: 'Heartbeat' });
    const call = await station.nextCall('TriggerMessage');
    station.reply(call[1] as string, { status: 'Accepted' });
    expect((await pending).body).toEqual({ action: 'TriggerMessage', response: { status: 'Accepted' } });
    const heartbeat = await station.call('Heartbeat', {});
    expect(heartbeat[0]).toBe(3);
    expect(typeof (heartbeat[2] as { currentTime?: unknown }).currentTime).toBe('string');
  });

  it.each([
    ['2.0.1', 'Reset', { type: 'Sometime' }, '/type', 'PropertyConstraintViolation'],
    ['2.0.1', 'Reset', {}, 'type', 'OccurrenceConstraintViolation'],
    // Immediate is a 2.0.1 value: 1.6 only knows Hard and Soft.
    ['1.6', 'Reset', { type: 'Immediate' }, '/type', 'PropertyConstraintViolation'],
    ['1.6', 'TriggerMessage', { requestedMessage: 'Heartbeat', connectorId: 'one' }, '/connectorId', 'TypeConstraintViolation'],
  ] as const)('OCPP-J §4.1.7 %s %s body %j is refused with 400 naming the problem; the station receives nothing', async (version, action, body, problem, errorCode) => {
    const { id, station } = await online(version);
    const res = await command(id, action, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, title: 'InvalidInput', errorCode });
    expect(res.body.detail).toContain(action);
    expect(res.body.detail).toContain(problem);
    // Nothing was written: a round trip after the refusal finds no CALL ahead of its answer.
    await barrier(station);
    expect(unreadCalls(station)).toEqual([]);
    const log = await server.api('GET', `/api/v1/stations/${id}/messages`);
    expect(log.body.items.filter((f: { direction: string; frame: string }) => f.direction === 'out' && f.frame.startsWith('[2,'))).toEqual([]);
  });

  it('an action name no OCPP version defines is refused with 400 and nothing is sent', async () => {
    const { id, station } = await online('2.0.1');
    const res = await command(id, 'FlyToTheMoon', {});
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ title: 'InvalidInput', field: 'action' });
    expect(res.body.detail).toContain('FlyToTheMoon');
    const malformed = await command(id, 'Reset%3Bdrop', { type: 'Immediate' });
    expect(malformed.status).toBe(400);
    await barrier(station);
    expect(unreadCalls(station)).toEqual([]);
  });

  it.each([
    ['1.6', 'BootNotification', { chargePointVendor: 'X', chargePointModel: 'Y' }],
    ['2.0.1', 'Heartbeat', {}],
    ['2.0.1', 'RemoteStartTransaction', { idTag: 'A' }],
  ] as const)('OCPP %s %s is not a CSMS-initiated action: 400 and nothing is sent', async (version, action, body) => {
    const { id, station } = await online(version);
    const res = await command(id, action, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ title: 'InvalidInput', field: 'action' });
    await barrier(station);
    expect(unreadCalls(station)).toEqual([]);
  });

  it('a command to a registered station that is not connected answers 409 StationOffline', async () => {
    const id = `CS-CMD-OFF-${++seq}`;
    await registerStation(server, id);
    const res = await command(id, 'Reset', { type: 'Immediate' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ title: 'StationOffline', status: 409 });
  });

  it('a command after the station disconnected answers 409, and to an unknown station 404', async () => {
    const { id, station } = await online('1.6');
    const gone = nextEvent<StationDisconnected>(server.app.bus, 'StationDisconnected', (e) => e.payload.stationId === id);
    await station.close();
    await gone;
    const res = await command(id, 'Reset', { type: 'Hard' });
    expect(res.status).toBe(409);
    expect(res.body.title).toBe('StationOffline');
    const unknown = await command('CS-NOBODY', 'Reset', { type: 'Hard' });
    expect(unknown.status).toBe(404);
  });

  it('a call the station never answers ends in 504 after ?timeoutMs, and the next call is sent', async () => {
    const { id, station } = await online('2.0.1');
    const started = Date.now();
    const pending = command(id, 'Reset', { type: 'Immediate' }, '?timeoutMs=300');
    await station.nextCall('Reset');
    const res = await pending;
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ title: 'StationTimeout' });
    expect(Date.now() - started).toBeLessThan(5000); // callTimeoutS is 5: the query's 300 ms applied
    // The timed-out call no longer blocks the station's queue.
    const next = command(id, 'Reset', { type: 'OnIdle' });
    const call = await station.nextCall('Reset');
    expect(call[3]).toEqual({ type: 'OnIdle' });
    station.reply(call[1] as string, { status: 'Scheduled' });
    expect((await next).body).toEqual({ action: 'Reset', response: { status: 'Scheduled' } });
  });

  it.each(['1.6', '2.0.1'] as const)('OCPP-J §4.2.3 %s a CALLERROR answer becomes 502 with the station’s error code', async (version) => {
    const { id, station } = await online(version);
    const pending = command(id, 'Reset', { type: version === '1.6' ? 'Hard' : 'Immediate' });
    const call = await station.nextCall('Reset');
    station.sendRaw(JSON.stringify([4, call[1], 'NotSupported', 'reset is disabled here', { why: 'test' }]));
    const res = await pending;
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ title: 'StationCallError', errorCode: 'NotSupported', errorDescription: 'reset is disabled here', errorDetails: { why: 'test' } });
  });

  it.each([
    ['off-schema', (id: unknown) => [3, id, { status: 'Maybe' }], '/status'],
    ['malformed', (id: unknown) => [3, id, 'Accepted'], 'payload object'],
  ] as const)('an %s CALLRESULT is the station’s fault: 502 StationCallError, not 400', async (_kind, frame, problem) => {
    const { id, station } = await online('2.0.1');
    const pending = command(id, 'Reset', { type: 'Immediate' });
    const call = await station.nextCall('Reset');
    station.sendRaw(JSON.stringify(frame(call[1])));
    const res = await pending;
    expect(res.status).toBe(502);
    expect(res.body.title).toBe('StationCallError');
    expect(res.body.detail).toContain(problem);
  });

  it.each(['1.6', '2.0.1'] as const)('OCPP-J 2.0.1 part 4 §4.1.1 %s: one CSMS call in flight; the second is sent only after the first is answered', async (version) => {
    const { id, station } = await online(version);
    const [a, b] = version === '1.6' ? ['Hard', 'Soft'] : ['Immediate', 'OnIdle'];
    // Know when both API requests have reached the gateway, without sleeping.
    const gateway = server.app.gateway;
    const original = gateway.send;
    let entered = 0;
    let bothEntered!: () => void;
    const bothSent = new Promise<void>((resolve) => (bothEntered = resolve));
    gateway.send = function (this: typeof gateway, ...args: Parameters<typeof original>) {
      const result = original.apply(this, args);
      if (++entered === 2) bothEntered();
      return result;
    };
    try {
      const first = command(id, 'Reset', { type: a });
      const second = command(id, 'Reset', { type: b });
      const call1 = await station.nextCall('Reset');
      await bothSent;
      await barrier(station);
      expect(unreadCalls(station)).toEqual([]);
      const firstType = (call1[3] as { type: string }).type;
      station.reply(call1[1] as string, { status: firstType === a ? 'Accepted' : 'Rejected' });
      const call2 = await station.nextCall('Reset');
      expect(call2[1]).not.toBe(call1[1]);
      expect((call2[3] as { type: string }).type).toBe(firstType === a ? b : a);
      station.reply(call2[1] as string, { status: firstType === a ? 'Rejected' : 'Accepted' });
      expect((await first).body).toEqual({ action: 'Reset', response: { status: 'Accepted' } });
      expect((await second).body).toEqual({ action: 'Reset', response: { status: 'Rejected' } });
    } finally {
      gateway.send = original;
    }
  });

  it.each(['1.6', '2.0.1'] as const)('OCPP-J §4.1.1 %s: a Heartbeat from the station is answered while our CALL is pending', async (version) => {
    const { id, station } = await online(version);
    const pending = command(id, 'Reset', { type: version === '1.6' ? 'Soft' : 'Immediate' });
    const call = await station.nextCall('Reset');
    const heartbeat = await station.call('Heartbeat', {});
    expect(heartbeat[0]).toBe(3);
    expect(typeof (heartbeat[2] as { currentTime?: unknown }).currentTime).toBe('string');
    station.reply(call[1] as string, { status: 'Accepted' });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body.response).toEqual({ status: 'Accepted' });
  });
});
