import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from './scheduler.js';
import { Station } from './station.js';
import { FakeCsms, type ReceivedCall } from './testing/fake-csms.js';
import { ManualClock } from './testing/manual-clock.js';

let csms: FakeCsms;
let scheduler: Scheduler;
let clock: ManualClock;
const stations: Station[] = [];

async function bootStation(options: { manualClock?: boolean } = {}): Promise<Station> {
  const s = new Station({
    url: csms.url,
    stationId: `CS201-${stations.length}`,
    ocppVersion: '2.0.1',
    scheduler: options.manualClock ? clock.scheduler : scheduler,
  });
  stations.push(s);
  const ready = once(s, 'ready');
  await s.connect();
  await ready;
  return s;
}

const of = (s: Station, action: string): ReceivedCall[] =>
  csms.received.filter((c) => c.stationId === s.stationId && c.action === action);

beforeEach(async () => {
  csms = await FakeCsms.start();
  scheduler = new Scheduler({ tickMs: 10 });
  clock = new ManualClock();
});

afterEach(async () => {
  await Promise.all(stations.splice(0).map((s) => s.close()));
  scheduler.stop();
  expect(csms.violations).toEqual([]);
  await csms.close();
});

describe('OCPP 2.0.1 boot', () => {
  it('B01 BootNotification reason PowerUp; B01.FR.05 StatusNotification per connector', async () => {
    const s = await bootStation();
    expect(of(s, 'BootNotification')[0]?.payload).toEqual({
      reason: 'PowerUp',
      chargingStation: { vendorName: 'Ampline', model: 'Simulator', firmwareVersion: '1.0.0' },
    });
    expect(of(s, 'StatusNotification').map((c) => c.payload)).toEqual(
      [1, 2].map((evseId) =>
        expect.objectContaining({ evseId, connectorId: 1, connectorStatus: 'Available', timestamp: expect.any(String) }),
      ),
    );
  });
});

describe('OCPP 2.0.1 CSMS-initiated calls', () => {
  it('B11 Reset Immediate: Accepted, reboot, BootNotification reason RemoteReset', async () => {
    const s = await bootStation();
    const again = once(s, 'ready');
    expect(await csms.call(s.stationId, 'Reset', { type: 'Immediate' })).toEqual({ result: { status: 'Accepted' } });
    await again;
    expect(of(s, 'BootNotification').map((c) => c.payload.reason)).toEqual(['PowerUp', 'RemoteReset']);
  });

  it('B12 Reset OnIdle during a transaction is Scheduled and happens when the transaction ends', async () => {
    const s = await bootStation();
    await s.startSession({ connectorId: 1, idTag: 'TAG1' });
    expect((await csms.call(s.stationId, 'Reset', { type: 'OnIdle' })).result).toEqual({ status: 'Scheduled' });
    const again = once(s, 'ready');
    await s.stopSession({ connectorId: 1 });
    await again;
    expect(of(s, 'BootNotification').at(-1)?.payload.reason).toBe('RemoteReset');
  });

  it('unknown actions get CALLERROR NotImplemented', async () => {
    const s = await bootStation();
    expect((await csms.call(s.stationId, 'GetLocalListVersion', {})).error?.code).toBe('NotImplemented');
    expect((await csms.call(s.stationId, 'MadeUpAction', {})).error?.code).toBe('NotImplemented');
  });

  it('a payload that breaks the schema gets the matching CALLERROR', async () => {
    const s = await bootStation();
    expect((await csms.call(s.stationId, 'Reset', {})).error?.code).toBe('OccurrenceConstraintViolation');
    expect((await csms.call(s.stationId, 'Reset', { type: 'Soft' })).error?.code).toBe('PropertyConstraintViolation');
  });

  it('B06/B05 GetVariables and SetVariables on the device model', async () => {
    const s = await bootStation();
    const get = await csms.call(s.stationId, 'GetVariables', {
      getVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'Nope' } },
        { component: { name: 'NoSuchCtrlr' }, variable: { name: 'Enabled' } },
        { component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeType: 'MaxSet' },
      ],
    });
    expect((get.result?.getVariableResult as { attributeStatus: string }[]).map((r) => r.attributeStatus)).toEqual([
      'Accepted',
      'UnknownVariable',
      'UnknownComponent',
      'Accepted',
      'NotSupportedAttributeType',
    ]);
    const set = await csms.call(s.stationId, 'SetVariables', {
      setVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '90' },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'Identity' }, attributeValue: 'other' },
        { component: { name: 'AuthCtrlr' }, variable: { name: 'AuthorizeRemoteStart' }, attributeValue: 'maybe' },
        { component: { name: 'AuthCtrlr' }, variable: { name: 'AuthorizeRemoteStart' }, attributeValue: 'true' },
      ],
    });
    expect((set.result?.setVariableResult as { attributeStatus: string }[]).map((r) => r.attributeStatus)).toEqual([
      'Accepted',
      'Rejected',
      'Rejected',
      'Accepted',
    ]);
    expect(s.heartbeatIntervalS).toBe(90);
    // AuthorizeRemoteStart = true: a remote start now authorizes first.
    const started = once(s, 'session-started');
    await csms.call(s.stationId, 'RequestStartTransaction', { idToken: { idToken: 'R1', type: 'Central' }, remoteStartId: 5 });
    await started;
    expect(of(s, 'Authorize')[0]?.payload).toEqual({ idToken: { idToken: 'R1', type: 'Central' } });
  });

  it('B07 GetBaseReport: Accepted, then NotifyReport parts with seqNo and tbc', async () => {
    const s = await bootStation();
    expect((await csms.call(s.stationId, 'GetBaseReport', { requestId: 7, reportBase: 'FullInventory' })).result).toEqual({
      status: 'Accepted',
    });
    const last = await csms.waitForCall((c) => c.action === 'NotifyReport' && c.payload.tbc === false);
    const parts = of(s, 'NotifyReport');
    expect(parts.map((p) => p.payload.seqNo)).toEqual(parts.map((_, i) => i));
    expect(last.payload.requestId).toBe(7);
    const items = parts.flatMap((p) => p.payload.reportData as { variable: { name: string } }[]);
    expect(items.map((i) => i.variable.name)).toContain('HeartbeatInterval');
  });

  it('F06 TriggerMessage: StatusNotification needs a connector; BootNotification is Rejected once Accepted', async () => {
    const s = await bootStation();
    expect((await csms.call(s.stationId, 'TriggerMessage', { requestedMessage: 'BootNotification' })).result).toEqual({
      status: 'Rejected',
    });
    expect((await csms.call(s.stationId, 'TriggerMessage', { requestedMessage: 'StatusNotification' })).result).toEqual({
      status: 'Rejected',
    });
    const status = csms.waitForCall((c) => c.action === 'StatusNotification' && c.payload.evseId === 2 && of(s, 'StatusNotification').length > 2);
    expect(
      (await csms.call(s.stationId, 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 2, connectorId: 1 } }))
        .result,
    ).toEqual({ status: 'Accepted' });
    await status;
    const meter = csms.waitForCall((c) => c.action === 'MeterValues');
    await csms.call(s.stationId, 'TriggerMessage', { requestedMessage: 'MeterValues', evse: { id: 1 } });
    expect((await meter).payload.evseId).toBe(1);
    expect((await csms.call(s.stationId, 'TriggerMessage', { requestedMessage: 'SignV2GCertificate' })).result).toEqual({
      status: 'NotImplemented',
    });
  });

  it('G03 ChangeAvailability, F05 UnlockConnector, ClearCache, DataTransfer', async () => {
    const s = await bootStation();
    const down = csms.waitForCall((c) => c.action === 'StatusNotification' && c.payload.connectorStatus === 'Unavailable');
    expect(
      (await csms.call(s.stationId, 'ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } })).result,
    ).toEqual({ status: 'Accepted' });
    expect((await down).payload.evseId).toBe(1);
    await s.startSession({ connectorId: 2, idTag: 'TAG2' });
    expect((await csms.call(s.stationId, 'UnlockConnector', { evseId: 2, connectorId: 1 })).result).toEqual({
      status: 'OngoingAuthorizedTransaction',
    });
    expect((await csms.call(s.stationId, 'UnlockConnector', { evseId: 1, connectorId: 1 })).result).toEqual({
      status: 'Unlocked',
    });
    expect((await csms.call(s.stationId, 'UnlockConnector', { evseId: 9, connectorId: 1 })).result).toEqual({
      status: 'UnknownConnector',
    });
    expect(
      (await csms.call(s.stationId, 'ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 2 } })).result,
    ).toEqual({ status: 'Scheduled' });
    expect((await csms.call(s.stationId, 'ClearCache', {})).result).toEqual({ status: 'Accepted' });
    expect((await csms.call(s.stationId, 'DataTransfer', { vendorId: 'acme' })).result).toEqual({ status: 'UnknownVendorId' });
  });
});

describe('OCPP 2.0.1 sessions', () => {
  it('E01-E06 Authorize → TransactionEvent Started (seqNo 0) → Updated per interval → Ended (Local)', async () => {
    const s = await bootStation({ manualClock: true });
    const info = await s.startSession({ connectorId: 2, idTag: 'TAG-0002', meterIntervalS: 30, powerW: 12_000 });
    expect(info.transactionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(of(s, 'Authorize')[0]?.payload).toEqual({ idToken: { idToken: 'TAG-0002', type: 'ISO14443' } });
    expect(of(s, 'TransactionEvent')[0]?.payload).toMatchObject({
      eventType: 'Started',
      seqNo: 0,
      triggerReason: 'Authorized',
      transactionInfo: { transactionId: info.transactionId, chargingState: 'Charging' },
      idToken: { idToken: 'TAG-0002', type: 'ISO14443' },
      evse: { id: 2, connectorId: 1 },
    });
    expect(of(s, 'StatusNotification').at(-1)?.payload).toMatchObject({ evseId: 2, connectorStatus: 'Occupied' });

    const update = csms.waitForCall((c) => c.action === 'TransactionEvent' && c.payload.eventType === 'Updated');
    clock.advance(30_000);
    expect((await update).payload).toMatchObject({
      seqNo: 1,
      triggerReason: 'MeterValuePeriodic',
      meterValue: [
        {
          sampledValue: [
            { value: 100, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } },
            { value: 12_000, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
          ],
        },
      ],
    });

    clock.advance(15_000);
    await s.stopSession({ connectorId: 2 });
    const events = of(s, 'TransactionEvent').map((c) => c.payload);
    expect(events.map((e) => [e.eventType, e.seqNo])).toEqual([
      ['Started', 0],
      ['Updated', 1],
      ['Ended', 2],
    ]);
    expect(events[2]).toMatchObject({
      triggerReason: 'StopAuthorized',
      transactionInfo: { transactionId: info.transactionId, stoppedReason: 'Local' },
      meterValue: [{ sampledValue: [{ value: 150, context: 'Transaction.End' }] }],
    });
    expect(of(s, 'StatusNotification').at(-1)?.payload).toMatchObject({ evseId: 2, connectorStatus: 'Available' });
  });

  it('F01/F03 RequestStartTransaction carries remoteStartId into Started; RequestStopTransaction ends it', async () => {
    const s = await bootStation();
    const started = once(s, 'session-started');
    expect(
      (
        await csms.call(s.stationId, 'RequestStartTransaction', {
          idToken: { idToken: 'APP-1', type: 'Central' },
          remoteStartId: 42,
          evseId: 1,
        })
      ).result,
    ).toEqual({ status: 'Accepted' });
    const [info] = await started;
    expect(of(s, 'Authorize')).toHaveLength(0);
    expect(of(s, 'TransactionEvent')[0]?.payload).toMatchObject({
      eventType: 'Started',
      triggerReason: 'RemoteStart',
      transactionInfo: { remoteStartId: 42 },
      idToken: { idToken: 'APP-1', type: 'Central' },
    });
    const ended = once(s, 'session-ended');
    expect(
      (await csms.call(s.stationId, 'RequestStopTransaction', { transactionId: String(info.transactionId) })).result,
    ).toEqual({ status: 'Accepted' });
    await ended;
    expect(of(s, 'TransactionEvent').at(-1)?.payload).toMatchObject({
      eventType: 'Ended',
      triggerReason: 'RemoteStop',
      transactionInfo: { stoppedReason: 'Remote' },
    });
    expect((await csms.call(s.stationId, 'RequestStopTransaction', { transactionId: 'nope' })).result).toEqual({
      status: 'Rejected',
    });
  });
});
