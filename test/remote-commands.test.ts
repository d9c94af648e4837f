import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { answerNext, history, onlineStation, stationCommand } from './helpers/commands.js';
import type { Version } from './helpers/stations.js';
import { nextEvent } from './support/events.js';
import type { StationDisconnected } from '../src/modules/stations/events.js';

/**
 * Typed remote commands over real sockets: the API takes a version-free request, the station
 * receives its version's message, and the API answers with both and the station's reply.
 */
describe('typed remote commands', () => {
  let server: TestServer;
  const open: RawStation[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  const online = (version: Version) => onlineStation(server, 'CS-RC', version, open);

  /** Sends a command, answers the CALL, and returns what the station got and what the API said. */
  async function roundTrip(version: Version, path: string, body: unknown, action: string, reply: Record<string, unknown>) {
    const { id, station } = await online(version);
    const pending = stationCommand(server, id, path, body);
    const sent = await answerNext(station, action, reply);
    const res = await pending;
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [record] = await history(server, id);
    expect(record).toMatchObject({ action, request: sent, response: reply });
    return { sent, body: res.body, id, station };
  }

  it.each([
    ['1.6', { type: 'Hard' }, { type: 'Hard' }, '1.6 §5.14 Reset Hard'],
    ['1.6', { type: 'OnIdle' }, { type: 'Soft' }, '1.6 §5.14 OnIdle becomes Soft'],
    ['2.0.1', { type: 'OnIdle' }, { type: 'OnIdle' }, 'TC_B_20_CSMS Reset OnIdle'],
    ['2.0.1', { type: 'Hard' }, { type: 'Immediate' }, 'TC_B_22_CSMS Hard becomes Immediate'],
    ['2.0.1', { type: 'Immediate', evseId: 1 }, { type: 'Immediate', evseId: 1 }, 'TC_B_25_CSMS Reset one EVSE'],
  ] as const)('%s: %j is sent as %j (%s)', async (version, body, expected, _ref) => {
    const { sent, body: answer } = await roundTrip(version, 'reset', body, 'Reset', { status: 'Accepted' });
    expect(sent).toEqual(expected);
    expect(answer).toMatchObject({ action: 'Reset', ocppVersion: version, request: expected, response: { status: 'Accepted' }, status: 'Accepted' });
  });

  it('B11.FR.08 an EVSE reset cannot be expressed in 1.6: 400 naming evseId, nothing sent', async () => {
    const { id } = await online('1.6');
    const res = await stationCommand(server, id, 'reset', { type: 'Soft', evseId: 1 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ title: 'InvalidInput', field: 'evseId' });
    expect(await history(server, id)).toEqual([]);
  });

  it('TC_B_21_CSMS OnIdle with a transaction running: Scheduled comes back to the caller', async () => {
    const { body } = await roundTrip('2.0.1', 'reset', { type: 'OnIdle' }, 'Reset', { status: 'Scheduled' });
    expect(body.status).toBe('Scheduled');
  });

  it.each([
    ['1.6', { evseId: 2 }, { connectorId: 2 }, { status: 'Unlocked' }, '1.6 §5.18'],
    ['2.0.1', { evseId: 1 }, { evseId: 1, connectorId: 1 }, { status: 'Unlocked' }, 'TC_F_06_CSMS'],
    ['2.0.1', { evseId: 2, connectorId: 2 }, { evseId: 2, connectorId: 2 }, { status: 'OngoingAuthorizedTransaction' }, 'F05.FR.02'],
  ] as const)('%s UnlockConnector %j is sent as %j and answered %j (%s)', async (version, body, expected, reply, _ref) => {
    const { sent, body: answer } = await roundTrip(version, 'unlock', body, 'UnlockConnector', reply);
    expect(sent).toEqual(expected);
    expect(answer.status).toBe(reply.status);
  });

  it.each([
    ['1.6', { operationalStatus: 'Inoperative' }, { connectorId: 0, type: 'Inoperative' }, '1.6 §5.2 whole station'],
    ['1.6', { operationalStatus: 'Operative', evseId: 1 }, { connectorId: 1, type: 'Operative' }, '1.6 §5.2 one connector'],
    ['2.0.1', { operationalStatus: 'Inoperative' }, { operationalStatus: 'Inoperative' }, 'TC_G_05_CSMS station'],
    ['2.0.1', { operationalStatus: 'Inoperative', evseId: 1 }, { operationalStatus: 'Inoperative', evse: { id: 1 } }, 'TC_G_03_CSMS EVSE'],
    ['2.0.1', { operationalStatus: 'Operative', evseId: 1, connectorId: 2 }, { operationalStatus: 'Operative', evse: { id: 1, connectorId: 2 } }, 'TC_G_08_CSMS connector'],
  ] as const)('%s ChangeAvailability %j is sent as %j (%s)', async (version, body, expected, _ref) => {
    const { sent, body: answer } = await roundTrip(version, 'availability', body, 'ChangeAvailability', { status: 'Accepted' });
    expect(sent).toEqual(expected);
    expect(answer).toMatchObject({ status: 'Accepted', scheduled: false });
  });

  it.each(['1.6', '2.0.1'] as const)('TC_G_11_CSMS / 1.6 §5.2 %s: Scheduled while a transaction runs is reported back', async (version) => {
    const { body } = await roundTrip(version, 'availability', { operationalStatus: 'Inoperative', evseId: 1 }, 'ChangeAvailability', { status: 'Scheduled' });
    expect(body).toMatchObject({ status: 'Scheduled', scheduled: true });
  });

  it.each([
    ['1.6', { requestedMessage: 'StatusNotification', evseId: 1 }, 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 }, '1.6 §5.17'],
    ['1.6', { requestedMessage: 'DiagnosticsStatusNotification' }, 'TriggerMessage', { requestedMessage: 'DiagnosticsStatusNotification' }, '1.6 §5.17'],
    ['1.6', { requestedMessage: 'LogStatusNotification' }, 'ExtendedTriggerMessage', { requestedMessage: 'LogStatusNotification' }, '1.6 security'],
    ['1.6', { requestedMessage: 'SignChargingStationCertificate' }, 'ExtendedTriggerMessage', { requestedMessage: 'SignChargePointCertificate' }, '1.6 security'],
    ['1.6', { requestedMessage: 'Heartbeat', extended: true }, 'ExtendedTriggerMessage', { requestedMessage: 'Heartbeat' }, '1.6 security'],
    ['2.0.1', { requestedMessage: 'MeterValues', evseId: 1 }, 'TriggerMessage', { requestedMessage: 'MeterValues', evse: { id: 1 } }, 'TC_F_11_CSMS'],
    ['2.0.1', { requestedMessage: 'TransactionEvent' }, 'TriggerMessage', { requestedMessage: 'TransactionEvent' }, 'TC_F_14_CSMS'],
    ['2.0.1', { requestedMessage: 'StatusNotification', evseId: 1, connectorId: 1 }, 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } }, 'TC_F_23_CSMS'],
    ['2.0.1', { requestedMessage: 'SignChargePointCertificate' }, 'TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' }, 'F06'],
    ['2.0.1', { requestedMessage: 'PublishFirmwareStatusNotification' }, 'TriggerMessage', { requestedMessage: 'PublishFirmwareStatusNotification' }, 'F06'],
  ] as const)('%s trigger %j is sent as %s %j (%s)', async (version, body, action, expected, _ref) => {
    const { sent, body: answer } = await roundTrip(version, 'trigger', body, action, { status: 'Accepted' });
    expect(sent).toEqual(expected);
    expect(answer).toMatchObject({ action, status: 'Accepted' });
  });

  it('TC_F_27_CSMS a NotImplemented answer to TriggerMessage comes back to the caller', async () => {
    const { body } = await roundTrip('2.0.1', 'trigger', { requestedMessage: 'SignV2GCertificate' }, 'TriggerMessage', { status: 'NotImplemented' });
    expect(body.status).toBe('NotImplemented');
  });

  it.each([
    ['1.6', { requestedMessage: 'TransactionEvent' }, 'requestedMessage'],
    ['2.0.1', { requestedMessage: 'DiagnosticsStatusNotification' }, 'requestedMessage'],
    ['2.0.1', { requestedMessage: 'Heartbeat', connectorId: 1 }, 'evseId'],
  ] as const)('%s trigger %j the version does not define: 400 naming %s, nothing sent', async (version, body, field) => {
    const { id } = await online(version);
    const res = await stationCommand(server, id, 'trigger', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ title: 'InvalidInput', field });
    expect(await history(server, id)).toEqual([]);
  });

  it.each([
    ['1.6', '1.6 §5.4'],
    ['2.0.1', 'TC_C_37_CSMS'],
  ] as const)('%s ClearCache round trip (%s)', async (version, _ref) => {
    const { sent, body } = await roundTrip(version, 'clear-cache', undefined, 'ClearCache', { status: 'Rejected' });
    expect(sent).toEqual({});
    expect(body.status).toBe('Rejected');
  });

  it('1.6 §5.6 DataTransfer: structured data travels as JSON text and the answer comes back', async () => {
    const { sent, body } = await roundTrip('1.6', 'data-transfer', { vendorId: 'com.acme', messageId: 'Ping', data: { n: 1 } }, 'DataTransfer', { status: 'Accepted', data: 'pong' });
    expect(sent).toEqual({ vendorId: 'com.acme', messageId: 'Ping', data: '{"n":1}' });
    expect(body.response).toEqual({ status: 'Accepted', data: 'pong' });
  });

  it('P01 2.0.1 DataTransfer: data is sent as given; UnknownVendorId comes back', async () => {
    const { sent, body } = await roundTrip('2.0.1', 'data-transfer', { vendorId: 'com.acme', data: { n: [1, 2] } }, 'DataTransfer', { status: 'UnknownVendorId' });
    expect(sent).toEqual({ vendorId: 'com.acme', data: { n: [1, 2] } });
    expect(body.status).toBe('UnknownVendorId');
  });

  it.each([
    ['reset', { type: 'Sideways' }, 'type'],
    ['unlock', {}, 'evseId'],
    ['availability', { operationalStatus: 'Operative', evseId: 0 }, 'evseId'],
    ['data-transfer', { vendorId: '' }, 'vendorId'],
    ['reset', { type: 'Hard', extra: 1 }, 'extra'],
  ] as const)('bad input to %s %j: 400 problem naming %s, nothing sent', async (path, body, field) => {
    const { id } = await online('2.0.1');
    const res = await stationCommand(server, id, path, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(res.body)).toContain(field);
    expect(await history(server, id)).toEqual([]);
  });

  it('a typed command to an unknown station is 404, to an offline one 409 and, as nothing left, not recorded', async () => {
    expect((await stationCommand(server, 'CS-NOBODY', 'clear-cache')).status).toBe(404);
    const { id, station } = await online('1.6');
    const gone = nextEvent<StationDisconnected>(server.app.bus, 'StationDisconnected', (e) => e.payload.stationId === id);
    await station.close();
    await gone;
    const res = await stationCommand(server, id, 'clear-cache');
    expect(res.status).toBe(409);
    expect(res.body.title).toBe('StationOffline');
    expect(await history(server, id)).toEqual([]);
  });

  it('a viewer may not send a command (operator and up)', async () => {
    const { id } = await online('2.0.1');
    await server.app.accounts.createToken('default', 'viewer-test', 'viewer', 'viewer-token-0123456789abcdef');
    const res = await server.api('POST', `/api/v1/stations/${id}/reset`, { type: 'Immediate' }, 'viewer-token-0123456789abcdef');
    expect(res.status).toBe(403);
    expect(await history(server, id)).toEqual([]);
  });
});
