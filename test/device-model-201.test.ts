import { beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './support/test-server.js';
import { useStationSuite } from './support/station-suite.js';
import { nextEvent } from './support/events.js';
import { bootStation, registerStation } from './helpers/stations.js';
import { answerGetVariables, answerLimitsProbe, answerSetVariables } from './helpers/device-model.js';
import type { DeviceReportCompleted } from '../src/modules/device-model/index.js';

const authVar = (name: string) => ({ component: { name: 'AuthCtrlr' }, variable: { name } });

/** 2.0.1 device model over real sockets: B05/B06 with splitting, B07/B08 reports assembled. */
describe('2.0.1 variables and device model', () => {
  const suite = useStationSuite('CS-DM', '2.0.1');
  const online = suite.online;
  let server: TestServer;
  beforeAll(() => {
    server = suite.server;
  });

  it('TC_B_08_CSMS B06.FR.05 limits read from DeviceDataCtrlr first, then 5 variables go as 4 + 1 and the answers merge', async () => {
    const { id, station } = await online();
    const wanted = [
      { component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'GetReport' } },
      { component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'GetVariables' } },
      { component: { name: 'DeviceDataCtrlr' }, variable: { name: 'BytesPerMessage', instance: 'GetReport' } },
      { component: { name: 'DeviceDataCtrlr' }, variable: { name: 'BytesPerMessage', instance: 'GetVariables' } },
      authVar('AuthorizeRemoteStart'),
    ];
    const pending = server.api('POST', `/api/v1/stations/${id}/get-variables`, { getVariableData: wanted });
    await answerLimitsProbe(station, { items: 4, bytes: 0 });
    // The station answers its limits consistently: ItemsPerMessage[GetVariables] stays 4.
    const values = { 'ItemsPerMessage[GetReport]': '8', 'ItemsPerMessage[GetVariables]': '4', 'BytesPerMessage[GetReport]': '4096', 'BytesPerMessage[GetVariables]': '4096' };
    expect(await answerGetVariables(station, values)).toBe(4);
    expect(await answerGetVariables(station, values)).toBe(1);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body.calls).toBe(2);
    expect(res.body.getVariableResult.map((r: { variable: { name: string }; attributeValue: string }) => r.attributeValue)).toEqual([
      '8',
      '4',
      '4096',
      '4096',
      'v:AuthorizeRemoteStart',
    ]);

    // Known now: the next request is split without asking the station for its limits again.
    const again = server.api('POST', `/api/v1/stations/${id}/get-variables`, { getVariableData: [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => authVar(`V${n}`)) });
    const sizes = [await answerGetVariables(station), await answerGetVariables(station), await answerGetVariables(station)];
    expect(sizes).toEqual([4, 4, 1]);
    expect((await again).body.calls).toBe(3);
  });

  it('B06 results are stored: the device model shows the Actual values, filterable by component and variable', async () => {
    const { id, station } = await online();
    const pending = server.api('POST', `/api/v1/stations/${id}/get-variables`, { getVariableData: [authVar('AuthorizeRemoteStart'), authVar('LocalAuthorizeOffline')] });
    await answerLimitsProbe(station, { items: 10, bytes: 0 });
    await answerGetVariables(station);
    expect((await pending).status).toBe(200);

    const all = await server.api('GET', `/api/v1/stations/${id}/device-model?component=AuthCtrlr`);
    expect(all.body.items.map((v: { variable: { name: string } }) => v.variable.name)).toEqual(['AuthorizeRemoteStart', 'LocalAuthorizeOffline']);
    const one = await server.api('GET', `/api/v1/stations/${id}/device-model?component=AuthCtrlr&variable=LocalAuthorizeOffline`);
    expect(one.body.items).toEqual([
      expect.objectContaining({ component: { name: 'AuthCtrlr' }, variable: { name: 'LocalAuthorizeOffline' }, attributes: [{ type: 'Actual', value: 'v:LocalAuthorizeOffline' }] }),
    ]);
    // The limits read first are stored too: the ones the station knows, for the action used.
    const limits = await server.api('GET', `/api/v1/stations/${id}/device-model?component=DeviceDataCtrlr`);
    expect(limits.body.items.map((v: { variable: { name: string; instance: string } }) => `${v.variable.name}[${v.variable.instance}]`)).toEqual([
      'ItemsPerMessage[GetVariables]',
    ]);
  });

  it('B05.FR.11 SetVariables split by BytesPerMessage[SetVariables]; Accepted values stored, RebootRequired reported (TC_B_09/10_CSMS)', async () => {
    const { id, station } = await online();
    const data = Array.from({ length: 6 }, (_, i) => ({ component: { name: 'OCPPCommCtrlr' }, variable: { name: `Var${i}` }, attributeValue: String(100 + i) }));
    const pending = server.api('POST', `/api/v1/stations/${id}/set-variables`, { setVariableData: data });
    await answerLimitsProbe(station, { items: 0, bytes: 300 });
    const seen: unknown[] = [];
    const first = await answerSetVariables(station);
    seen.push(...first.items);
    expect(first.frameBytes).toBeLessThanOrEqual(300);
    while (seen.length < data.length) {
      const next = await answerSetVariables(station, 'RebootRequired');
      expect(next.frameBytes).toBeLessThanOrEqual(300);
      seen.push(...next.items);
    }
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body.calls).toBeGreaterThan(1);
    expect(res.body.setVariableResult).toHaveLength(6);
    expect(res.body.rebootRequired).toBe(true);
    expect(seen).toHaveLength(6);
    const model = await server.api('GET', `/api/v1/stations/${id}/device-model?component=OCPPCommCtrlr`);
    expect(model.body.items.map((v: { attributes: { value: string }[] }) => v.attributes[0]?.value)).toEqual(['100', '101', '102', '103', '104', '105']);
  });

  it('B06: a station that does not know its limits gets one CALL, and is not asked for them again', async () => {
    const { id, station } = await online();
    const pending = server.api('POST', `/api/v1/stations/${id}/get-variables`, { getVariableData: [1, 2, 3].map((n) => authVar(`V${n}`)) });
    await answerLimitsProbe(station, { items: 0, bytes: 0 });
    expect(await answerGetVariables(station)).toBe(3);
    expect((await pending).body.calls).toBe(1);
    const next = server.api('POST', `/api/v1/stations/${id}/get-variables`, { getVariableData: [authVar('V4')] });
    const call = await station.nextCall('GetVariables');
    expect((call[3] as { getVariableData: { variable: { name: string } }[] }).getVariableData[0]?.variable.name).toBe('V4');
    station.reply(call[1] as string, { getVariableResult: [{ attributeStatus: 'UnknownVariable', ...authVar('V4') }] });
    expect((await next).body.getVariableResult[0].attributeStatus).toBe('UnknownVariable');
  });

  it('TC_B_13_CSMS B07.FR.10 FullInventory: NotifyReport parts arriving out of order are assembled into the device model', async () => {
    const { id, station } = await online();
    const pending = server.api('POST', `/api/v1/stations/${id}/get-base-report`, { reportBase: 'FullInventory' });
    const call = await station.nextCall('GetBaseReport');
    const { requestId, reportBase } = call[3] as { requestId: number; reportBase: string };
    expect(reportBase).toBe('FullInventory');
    expect(requestId).toBeGreaterThanOrEqual(0);
    station.reply(call[1] as string, { status: 'Accepted' });
    expect((await pending).body).toEqual({ requestId, status: 'Accepted' });

    const completed = nextEvent<DeviceReportCompleted>(server.app.bus, 'DeviceReportCompleted', (e) => e.payload.stationId === id);
    const generatedAt = new Date().toISOString();
    const parts = [
      {
        seqNo: 2,
        tbc: false,
        reportData: [
          {
            component: { name: 'Connector', evse: { id: 1, connectorId: 1 } },
            variable: { name: 'ConnectorType' },
            variableAttribute: [{ value: 'cType2', mutability: 'ReadOnly' }],
            variableCharacteristics: { dataType: 'string', supportsMonitoring: false },
          },
        ],
      },
      {
        seqNo: 0,
        tbc: true,
        reportData: [
          {
            component: { name: 'OCPPCommCtrlr' },
            variable: { name: 'HeartbeatInterval' },
            variableAttribute: [
              { type: 'Actual', value: '300', mutability: 'ReadWrite', persistent: true },
              { type: 'MinSet', value: '10' },
              { type: 'MaxSet', value: '3600' },
            ],
            variableCharacteristics: { dataType: 'integer', unit: 's', minLimit: 10, maxLimit: 3600, supportsMonitoring: true },
          },
        ],
      },
      {
        seqNo: 1,
        tbc: true,
        reportData: [
          {
            component: { name: 'EVSE', evse: { id: 1 } },
            variable: { name: 'Power' },
            variableAttribute: [{ type: 'Actual', value: '0', mutability: 'ReadOnly' }, { type: 'MaxSet', value: '22000' }],
            variableCharacteristics: { dataType: 'decimal', unit: 'W', maxLimit: 22000, supportsMonitoring: true },
          },
        ],
      },
    ];
    let completedBeforeLast = false;
    void completed.then(() => (completedBeforeLast = true));
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1) expect(completedBeforeLast).toBe(false);
      const reply = await station.call('NotifyReport', { requestId, generatedAt, ...part });
      expect(reply).toEqual([3, reply[1], {}]);
    }
    const event = await completed;
    expect(event.payload).toEqual({ stationId: id, requestId, parts: 3 });

    const model = await server.api('GET', `/api/v1/stations/${id}/device-model`);
    expect(model.status).toBe(200);
    const byName = Object.fromEntries(model.body.items.map((v: { component: { name: string } }) => [v.component.name, v]));
    expect(byName['Connector']).toMatchObject({
      component: { name: 'Connector', evse: { id: 1, connectorId: 1 } },
      attributes: [{ type: 'Actual', value: 'cType2', mutability: 'ReadOnly' }],
    });
    expect(byName['OCPPCommCtrlr']).toMatchObject({
      attributes: [
        { type: 'Actual', value: '300', mutability: 'ReadWrite', persistent: true },
        { type: 'MinSet', value: '10' },
        { type: 'MaxSet', value: '3600' },
      ],
      characteristics: { dataType: 'integer', unit: 's', minLimit: 10, maxLimit: 3600, supportsMonitoring: true },
    });
    expect(byName['EVSE']).toMatchObject({ component: { name: 'EVSE', evse: { id: 1 } }, attributes: [{ type: 'Actual', value: '0' }, { type: 'MaxSet', value: '22000' }] });
  });

  it('TC_B_18_CSMS B08 GetReport by criteria and component/variable; EmptyResultSet is returned as such', async () => {
    const { id, station } = await online();
    const body = { componentCriteria: ['Problem'], componentVariable: [{ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } }] };
    const pending = server.api('POST', `/api/v1/stations/${id}/get-report`, body);
    const call = await station.nextCall('GetReport');
    expect(call[3]).toMatchObject(body);
    station.reply(call[1] as string, { status: 'EmptyResultSet' });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('EmptyResultSet');
  });

  it('B07.FR.11 a NotifyReport and an earlier GetVariables answer merge by attribute type', async () => {
    const { id, station } = await online();
    const pending = server.api('POST', `/api/v1/stations/${id}/get-variables`, { getVariableData: [authVar('Enabled')] });
    await answerLimitsProbe(station, { items: 10, bytes: 0 });
    await answerGetVariables(station);
    await pending;
    const done = nextEvent<DeviceReportCompleted>(server.app.bus, 'DeviceReportCompleted', (e) => e.payload.stationId === id);
    await station.call('NotifyReport', {
      requestId: 77,
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      reportData: [{ ...authVar('Enabled'), variableAttribute: [{ type: 'Target', value: 'true' }, { mutability: 'ReadWrite' }] }],
    });
    await done;
    const model = await server.api('GET', `/api/v1/stations/${id}/device-model?variable=Enabled`);
    expect(model.body.items[0].attributes).toEqual([
      { type: 'Actual', value: 'v:Enabled', mutability: 'ReadWrite' },
      { type: 'Target', value: 'true' },
    ]);
  });

  it('bad input: an unknown attributeType or an empty list is a 400 naming the field; a 1.6 station is refused', async () => {
    const { id } = await online();
    const badType = await server.api('POST', `/api/v1/stations/${id}/get-variables`, { getVariableData: [{ ...authVar('X'), attributeType: 'Current' }] });
    expect(badType.status).toBe(400);
    expect(JSON.stringify(badType.body)).toContain('attributeType');
    const empty = await server.api('POST', `/api/v1/stations/${id}/set-variables`, { setVariableData: [] });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('setVariableData');
    const badBase = await server.api('POST', `/api/v1/stations/${id}/get-base-report`, { reportBase: 'Everything' });
    expect(badBase.status).toBe(400);

    const id16 = suite.nextId('16');
    await registerStation(server, id16);
    suite.track(await bootStation(server, id16, '1.6'));
    const refused = await server.api('POST', `/api/v1/stations/${id16}/get-variables`, { getVariableData: [authVar('X')] });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toContain('get-configuration');
  });
});
