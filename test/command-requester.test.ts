import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { answerNext, history, onlineStation } from './helpers/commands.js';

/**
 * Who asked for a CSMS-initiated CALL is passed from the API route down to the gateway as a value
 * (no AsyncLocalStorage): each path below names its requester explicitly, and a path that drops
 * it records 'system' instead of the principal, which these tests catch.
 */
describe('command history: who asked, on each command path', () => {
  let server: TestServer;
  let adminId: string;
  const open: RawStation[] = [];
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

  beforeAll(async () => {
    server = await startTestServer();
    adminId = (await server.app.accounts.authenticateToken(ADMIN_TOKEN))!.id;
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'REQUESTER-OK', type: 'ISO14443' })).status).toBe(201);
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  it('F01 a remote start is recorded as asked by the principal of the API request', async () => {
    const { id, station } = await onlineStation(server, 'CS-WHO', '2.0.1', open);
    const pending = server.api('POST', '/api/v1/sessions/remote-start', { stationId: id, evseId: 1, idToken: { idToken: 'REQUESTER-OK', type: 'ISO14443' }, waitSeconds: 1 });
    await answerNext(station, 'RequestStartTransaction', { status: 'Rejected' });
    expect((await pending).status).toBe(200);
    expect(await history(server, id)).toMatchObject([{ action: 'RequestStartTransaction', requestedBy: adminId, outcome: 'Rejected' }]);
  });

  it('1.6 §5.4 a change-configuration of the device-model routes is recorded as asked by the principal', async () => {
    const { id, station } = await onlineStation(server, 'CS-WHO', '1.6', open);
    const pending = server.api('POST', `/api/v1/stations/${id}/change-configuration`, { key: 'HeartbeatInterval', value: '120' });
    await answerNext(station, 'ChangeConfiguration', { status: 'Accepted' });
    expect((await pending).status).toBe(200);
    expect(await history(server, id)).toMatchObject([{ action: 'ChangeConfiguration', requestedBy: adminId, outcome: 'Accepted' }]);
  });

  it('two principals commanding one station at the same time are each recorded as themselves', async () => {
    const key = await server.api('POST', '/api/v1/api-keys', { name: 'requester-test', role: 'operator' });
    expect(key.status).toBe(201);
    const keyPrincipal = (await server.app.accounts.authenticateToken(key.body.secret as string))!.id;
    expect(keyPrincipal).not.toBe(adminId);
    const { id, station } = await onlineStation(server, 'CS-WHO', '1.6', open);
    // Both requests are in flight before the station answers either: their CALLs interleave.
    const byAdmin = server.api('POST', `/api/v1/stations/${id}/clear-cache`, {});
    const first = await station.nextCall('ClearCache');
    const byKey = server.api('POST', `/api/v1/stations/${id}/ocpp/ClearCache`, {}, key.body.secret as string);
    station.reply(first[1] as string, { status: 'Rejected' });
    await answerNext(station, 'ClearCache', { status: 'Accepted' });
    expect((await byAdmin).status).toBe(200);
    expect((await byKey).status).toBe(200);
    const records = await history(server, id);
    expect(records.map((r) => [r['requestedBy'], r['outcome']]).sort()).toEqual(
      [
        [adminId, 'Rejected'],
        [keyPrincipal, 'Accepted'],
      ].sort(),
    );
  });

  it('E14 TC_E_31_CSMS GetTransactionStatus the CSMS asks on its own after an Ended with missing seqNos is recorded as system', async () => {
    const { id, station } = await onlineStation(server, 'CS-WHO', '2.0.1', open);
    const event = async (payload: Record<string, unknown>) => expect((await station.call('TransactionEvent', payload))[0]).toBe(3);
    await event({
      eventType: 'Started', timestamp: ago(30), triggerReason: 'CablePluggedIn', seqNo: 0,
      transactionInfo: { transactionId: 'WHO-TX', chargingState: 'Charging' }, evse: { id: 1, connectorId: 1 },
    });
    await event({
      eventType: 'Ended', timestamp: ago(10), triggerReason: 'EVCommunicationLost', seqNo: 3, offline: true,
      transactionInfo: { transactionId: 'WHO-TX', chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
    });
    await answerNext(station, 'GetTransactionStatus', { messagesInQueue: false });
    await expect.poll(async () => history(server, id)).toMatchObject([{ action: 'GetTransactionStatus', requestedBy: 'system' }]);
  });
});
