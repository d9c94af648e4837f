import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { answerNext, history, onlineStation, stationCommand } from './helpers/commands.js';
import type { Version } from './helpers/stations.js';
import type { VendorMessage } from '../src/modules/commands/index.js';

/** 2.0.1 display messages and CustomerInformation with their reports assembled; inbound DataTransfer. */
describe('display messages, customer information and vendor data', () => {
  let server: TestServer;
  const open: RawStation[] = [];
  const received: VendorMessage[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    server.app.vendorData.register('com.ampline.test', 'Echo', async (message) => {
      received.push(message);
      return { status: 'Accepted', data: { echo: message.data } };
    });
    server.app.vendorData.register('com.ampline.test', 'Refuse', async () => ({ status: 'Rejected' }));
    server.app.vendorData.register('com.ampline.test', 'Broken', async () => {
      throw new Error('vendor bug');
    });
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  const online = (version: Version) => onlineStation(server, 'CS-DM', version, open);

  const message = { id: 7, priority: 'NormalCycle', message: { format: 'UTF8', content: 'Welcome' } };

  it('TC_O_01_CSMS SetDisplayMessage: the message is sent and the station’s status comes back', async () => {
    const { id, station } = await online('2.0.1');
    const pending = stationCommand(server, id, 'display-messages', { message });
    expect(await answerNext(station, 'SetDisplayMessage', { status: 'Accepted' })).toEqual({ message });
    expect((await pending).body).toMatchObject({ action: 'SetDisplayMessage', status: 'Accepted' });
  });

  it('TC_O_17_CSMS NotSupportedPriority is reported back; an invalid message is 400 and not sent', async () => {
    const { id, station } = await online('2.0.1');
    const pending = stationCommand(server, id, 'display-messages', { message: { ...message, priority: 'AlwaysFront' } });
    await answerNext(station, 'SetDisplayMessage', { status: 'NotSupportedPriority' });
    expect((await pending).body.status).toBe('NotSupportedPriority');
    const bad = await stationCommand(server, id, 'display-messages', { message: { id: 1, priority: 'Loud', message: { format: 'UTF8', content: 'x' } } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('priority');
    expect((await history(server, id)).length).toBe(1);
  });

  it('TC_O_02_CSMS GetDisplayMessages: NotifyDisplayMessages parts are assembled until tbc is false', async () => {
    const { id, station } = await online('2.0.1');
    const pending = server.api('GET', `/api/v1/stations/${id}/display-messages?priority=NormalCycle&waitSeconds=10`);
    const sent = await answerNext(station, 'GetDisplayMessages', { status: 'Accepted' });
    expect(sent).toEqual({ requestId: expect.any(Number), priority: 'NormalCycle' });
    const requestId = sent['requestId'];
    const second = { ...message, id: 8, message: { format: 'UTF8', content: 'Second' } };
    expect(await station.call('NotifyDisplayMessages', { requestId, tbc: true, messageInfo: [message] })).toEqual([3, expect.any(String), {}]);
    await station.call('NotifyDisplayMessages', { requestId, messageInfo: [second] });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'Accepted', requestId, complete: true, messages: [message, second] });
  });

  it('TC_O_03_CSMS no messages configured: Unknown comes back at once with no messages', async () => {
    const { id, station } = await online('2.0.1');
    const pending = server.api('GET', `/api/v1/stations/${id}/display-messages?id=1&id=2`);
    expect(await answerNext(station, 'GetDisplayMessages', { status: 'Unknown' })).toMatchObject({ id: [1, 2] });
    expect((await pending).body).toMatchObject({ status: 'Unknown', messages: [], complete: true });
  });

  it('TC_O_04_CSMS / TC_O_05_CSMS ClearDisplayMessage: Accepted and Unknown come back', async () => {
    const { id, station } = await online('2.0.1');
    let pending = server.api('DELETE', `/api/v1/stations/${id}/display-messages/7`);
    expect(await answerNext(station, 'ClearDisplayMessage', { status: 'Accepted' })).toEqual({ id: 7 });
    expect((await pending).body.status).toBe('Accepted');
    pending = server.api('DELETE', `/api/v1/stations/${id}/display-messages/99`);
    await answerNext(station, 'ClearDisplayMessage', { status: 'Unknown' });
    expect((await pending).body.status).toBe('Unknown');
  });

  it('display messages to a 1.6 station: 409 saying it needs 2.0.1, nothing sent', async () => {
    const { id } = await online('1.6');
    const res = await stationCommand(server, id, 'display-messages', { message });
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('2.0.1');
    expect(await history(server, id)).toEqual([]);
  });

  it('TC_N_27_CSMS CustomerInformation report: the parts are joined in seqNo order, stored and returned', async () => {
    const { id, station } = await online('2.0.1');
    const pending = stationCommand(server, id, 'customer-information', { report: true, clear: false, customerIdentifier: 'cust-1', waitSeconds: 10 });
    const sent = await answerNext(station, 'CustomerInformation', { status: 'Accepted' });
    expect(sent).toEqual({ requestId: expect.any(Number), report: true, clear: false, customerIdentifier: 'cust-1' });
    const requestId = sent['requestId'];
    const generatedAt = '2026-11-21T10:00:00.000Z';
    await station.call('NotifyCustomerInformation', { requestId, seqNo: 0, data: 'first part, ', tbc: true, generatedAt });
    expect(await station.call('NotifyCustomerInformation', { requestId, seqNo: 1, data: 'second part', generatedAt })).toEqual([3, expect.any(String), {}]);
    const res = await pending;
    expect(res.body).toMatchObject({ status: 'Accepted', requestId, report: { data: 'first part, second part', parts: 2, complete: true, generatedAt } });
    const stored = await server.api('GET', `/api/v1/stations/${id}/customer-information`);
    expect(stored.body.items).toMatchObject([{ requestId, status: 'Accepted', data: 'first part, second part', complete: true }]);
  });

  it('TC_N_29_CSMS / TC_N_32_CSMS a Rejected request and a clear without report answer at once; both are kept', async () => {
    const { id, station } = await online('2.0.1');
    let pending = stationCommand(server, id, 'customer-information', { report: true, clear: false, idToken: { idToken: 'TOK-1', type: 'ISO14443' } });
    expect(await answerNext(station, 'CustomerInformation', { status: 'Rejected' })).toMatchObject({ idToken: { idToken: 'TOK-1', type: 'ISO14443' } });
    expect((await pending).body).toMatchObject({ status: 'Rejected', report: { status: 'Rejected', complete: false, data: '' } });
    pending = stationCommand(server, id, 'customer-information', { report: false, clear: true, customerIdentifier: 'cust-2' });
    await answerNext(station, 'CustomerInformation', { status: 'Accepted' });
    expect((await pending).body).toMatchObject({ status: 'Accepted', report: { status: 'Accepted' } });
    expect((await server.api('GET', `/api/v1/stations/${id}/customer-information`)).body.items.length).toBe(2);
  });

  it.each(['1.6', '2.0.1'] as const)('TC_P_01_CSMS / 1.6 §4.3 %s inbound DataTransfer reaches the registered vendor handler', async (version) => {
    const { id, station } = await online(version);
    const data = version === '1.6' ? 'hello' : { hello: 'world' };
    const reply = await station.call('DataTransfer', { vendorId: 'COM.AMPLINE.TEST', messageId: 'echo', data });
    const expected = version === '1.6' ? JSON.stringify({ echo: data }) : { echo: data };
    expect(reply[2]).toEqual({ status: 'Accepted', data: expected });
    expect(received.at(-1)).toMatchObject({ stationId: id, vendorId: 'COM.AMPLINE.TEST', messageId: 'echo', data });
  });

  it.each([
    ['1.6', { vendorId: 'com.unknown' }, 'UnknownVendorId'],
    ['2.0.1', { vendorId: 'com.unknown', messageId: 'Echo' }, 'UnknownVendorId'],
    ['1.6', { vendorId: 'com.ampline.test', messageId: 'Nope' }, 'UnknownMessageId'],
    ['2.0.1', { vendorId: 'com.ampline.test' }, 'UnknownMessageId'],
    ['2.0.1', { vendorId: 'com.ampline.test', messageId: 'Refuse' }, 'Rejected'],
    ['1.6', { vendorId: 'com.ampline.test', messageId: 'Broken' }, 'Rejected'],
  ] as const)('TC_P_02_CSMS / P02.FR %s DataTransfer %j is answered %s', async (version, request, status) => {
    const { station } = await online(version);
    const reply = await station.call('DataTransfer', request);
    expect(reply[0]).toBe(3);
    expect(reply[2]).toEqual({ status });
  });
});
