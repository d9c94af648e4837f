import { beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './support/test-server.js';
import { useStationSuite } from './support/station-suite.js';
import { nextEvent } from './support/events.js';
import { answerLimitsProbe } from './helpers/device-model.js';
import type { DeviceEventReported, MonitoringReportCompleted } from '../src/modules/device-model/index.js';

const EVSE_AVAILABILITY = { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } };

/** 2.0.1 monitoring (N02–N06) and NotifyEvent (N07) over real sockets. */
describe('2.0.1 monitoring and events', () => {
  const suite = useStationSuite('CS-MON', '2.0.1');
  const online = suite.online;
  let server: TestServer;
  beforeAll(() => {
    server = suite.server;
  });

  it('TC_N_08_CSMS N04.FR.01 SetVariableMonitoring: the accepted monitor is stored under the id the station gave', async () => {
    const { id, station } = await online();
    const pending = server.api('POST', `/api/v1/stations/${id}/set-variable-monitoring`, {
      setMonitoringData: [{ value: 1, type: 'Delta', severity: 8, ...EVSE_AVAILABILITY }],
    });
    await answerLimitsProbe(station, { items: 10, bytes: 0 }, 'MonitoringCtrlr');
    const call = await station.nextCall('SetVariableMonitoring');
    expect(call[3]).toEqual({ setMonitoringData: [{ value: 1, type: 'Delta', severity: 8, ...EVSE_AVAILABILITY }] });
    station.reply(call[1] as string, { setMonitoringResult: [{ id: 42, status: 'Accepted', type: 'Delta', severity: 8, ...EVSE_AVAILABILITY }] });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body.setMonitoringResult[0]).toMatchObject({ id: 42, status: 'Accepted' });
    const monitors = await server.api('GET', `/api/v1/stations/${id}/monitors`);
    expect(monitors.body.items).toEqual([expect.objectContaining({ id: 42, type: 'Delta', value: 1, severity: 8, ...EVSE_AVAILABILITY, transaction: false })]);
  });

  it('TC_N_18_CSMS N06.FR.04 ClearVariableMonitoring never exceeds ItemsPerMessage[ClearVariableMonitoring]; cleared monitors removed', async () => {
    const { id, station } = await online();
    // Two monitors known from a monitoring report first.
    const report = server.api('POST', `/api/v1/stations/${id}/get-monitoring-report`, {});
    const get = await station.nextCall('GetMonitoringReport');
    const requestId = (get[3] as { requestId: number }).requestId;
    station.reply(get[1] as string, { status: 'Accepted' });
    expect((await report).body).toEqual({ requestId, status: 'Accepted' });
    const done = nextEvent<MonitoringReportCompleted>(server.app.bus, 'MonitoringReportCompleted', (e) => e.payload.stationId === id);
    await station.call('NotifyMonitoringReport', {
      requestId,
      seqNo: 0,
      generatedAt: new Date().toISOString(),
      monitor: [{ ...EVSE_AVAILABILITY, variableMonitoring: [1, 2, 3].map((n) => ({ id: n, transaction: false, value: n, type: 'Delta', severity: 5 })) }],
    });
    await done;

    const pending = server.api('POST', `/api/v1/stations/${id}/clear-variable-monitoring`, { id: [1, 2, 3] });
    await answerLimitsProbe(station, { items: 2, bytes: 0 }, 'MonitoringCtrlr');
    const sizes: number[] = [];
    while (sizes.reduce((a, b) => a + b, 0) < 3) {
      const call = await station.nextCall('ClearVariableMonitoring');
      const ids = (call[3] as { id: number[] }).id;
      sizes.push(ids.length);
      station.reply(call[1] as string, { clearMonitoringResult: ids.map((n) => ({ id: n, status: n === 3 ? 'Rejected' : 'Accepted' })) });
    }
    expect(sizes).toEqual([2, 1]);
    const res = await pending;
    expect(res.body.calls).toBe(2);
    expect(res.body.clearMonitoringResult.map((r: { status: string }) => r.status)).toEqual(['Accepted', 'Accepted', 'Rejected']);
    const monitors = await server.api('GET', `/api/v1/stations/${id}/monitors`);
    expect(monitors.body.items.map((m: { id: number }) => m.id)).toEqual([3]);
  });

  it('TC_N_01_CSMS N02 GetMonitoringReport: NotifyMonitoringReport parts out of order are all stored, completion announced once', async () => {
    const { id, station } = await online();
    const report = server.api('POST', `/api/v1/stations/${id}/get-monitoring-report`, { monitoringCriteria: ['DeltaMonitoring', 'ThresholdMonitoring'] });
    const get = await station.nextCall('GetMonitoringReport');
    expect(get[3]).toMatchObject({ monitoringCriteria: ['DeltaMonitoring', 'ThresholdMonitoring'] });
    const requestId = (get[3] as { requestId: number }).requestId;
    station.reply(get[1] as string, { status: 'Accepted' });
    await report;
    const done = nextEvent<MonitoringReportCompleted>(server.app.bus, 'MonitoringReportCompleted', (e) => e.payload.stationId === id);
    const generatedAt = new Date().toISOString();
    await station.call('NotifyMonitoringReport', {
      requestId,
      seqNo: 1,
      generatedAt,
      monitor: [{ component: { name: 'ChargingStation' }, variable: { name: 'Power' }, variableMonitoring: [{ id: 7, transaction: true, value: 11000, type: 'UpperThreshold', severity: 4 }] }],
    });
    await station.call('NotifyMonitoringReport', {
      requestId,
      seqNo: 0,
      tbc: true,
      generatedAt,
      monitor: [{ ...EVSE_AVAILABILITY, variableMonitoring: [{ id: 8, transaction: false, value: 1, type: 'Delta', severity: 8 }] }],
    });
    expect((await done).payload).toEqual({ stationId: id, requestId, parts: 2 });
    const monitors = await server.api('GET', `/api/v1/stations/${id}/monitors`);
    expect(monitors.body.items.map((m: { id: number; type: string; transaction: boolean }) => [m.id, m.type, m.transaction])).toEqual([
      [7, 'UpperThreshold', true],
      [8, 'Delta', false],
    ]);
  });

  it('TC_N_05_CSMS SetMonitoringBase and TC_N_16_CSMS SetMonitoringLevel return the station’s answer; an out-of-range level is a 400 (TC_N_17_CSMS)', async () => {
    const { id, station } = await online();
    const base = server.api('POST', `/api/v1/stations/${id}/set-monitoring-base`, { monitoringBase: 'FactoryDefault' });
    const baseCall = await station.nextCall('SetMonitoringBase');
    expect(baseCall[3]).toEqual({ monitoringBase: 'FactoryDefault' });
    station.reply(baseCall[1] as string, { status: 'Accepted' });
    expect((await base).body).toEqual({ status: 'Accepted' });

    const level = server.api('POST', `/api/v1/stations/${id}/set-monitoring-level`, { severity: 4 });
    const levelCall = await station.nextCall('SetMonitoringLevel');
    expect(levelCall[3]).toEqual({ severity: 4 });
    station.reply(levelCall[1] as string, { status: 'Accepted' });
    expect((await level).body).toEqual({ status: 'Accepted' });

    const bad = await server.api('POST', `/api/v1/stations/${id}/set-monitoring-level`, { severity: 10 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('severity');
  });

  it('N07 TC_B_02_CSMS step 5 NotifyEvent: stored, listed newest first, raised as DeviceEventReported', async () => {
    const { id, station } = await online();
    const raised = nextEvent<DeviceEventReported>(server.app.bus, 'DeviceEventReported', (e) => e.payload.stationId === id && e.payload.eventId === 2);
    const timestamp = new Date().toISOString();
    const reply = await station.call('NotifyEvent', {
      generatedAt: timestamp,
      seqNo: 0,
      eventData: [
        {
          eventId: 1,
          timestamp,
          trigger: 'Delta',
          actualValue: 'Available',
          eventNotificationType: 'HardWiredNotification',
          component: { name: 'Connector', evse: { id: 1, connectorId: 1 } },
          variable: { name: 'AvailabilityState' },
        },
        {
          eventId: 2,
          timestamp,
          trigger: 'Alerting',
          actualValue: '95',
          cleared: false,
          techCode: 'OVT',
          variableMonitoringId: 7,
          eventNotificationType: 'CustomMonitor',
          component: { name: 'ChargingStation' },
          variable: { name: 'Temperature' },
        },
      ],
    });
    expect(reply).toEqual([3, reply[1], {}]);
    const event = await raised;
    expect(event.payload).toMatchObject({ trigger: 'Alerting', actualValue: '95', component: { name: 'ChargingStation' }, variable: { name: 'Temperature' } });

    const listed = await server.api('GET', `/api/v1/stations/${id}/events`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((e: { eventId: number }) => e.eventId)).toEqual([2, 1]);
    expect(listed.body.items[0]).toMatchObject({ techCode: 'OVT', variableMonitoringId: 7, cleared: false, eventNotificationType: 'CustomMonitor' });
    expect(listed.body.items[1]).toMatchObject({ component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, actualValue: 'Available' });
    const paged = await server.api('GET', `/api/v1/stations/${id}/events?limit=1`);
    expect(paged.body.items).toHaveLength(1);
    const rest = await server.api('GET', `/api/v1/stations/${id}/events?limit=1&before=${paged.body.next}`);
    expect(rest.body.items.map((e: { eventId: number }) => e.eventId)).toEqual([1]);
  });
});
