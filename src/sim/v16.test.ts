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
    stationId: `CP16-${stations.length}`,
    ocppVersion: '1.6',
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

describe('OCPP 1.6 boot', () => {
  it('§4.2 BootNotification carries vendor, model and firmware; §4.9 status for connector 0..N', async () => {
    const s = await bootStation();
    expect(of(s, 'BootNotification')[0]?.payload).toEqual({
      chargePointVendor: 'Ampline',
      chargePointModel: 'Simulator',
      firmwareVersion: '1.0.0',
    });
    expect(of(s, 'StatusNotification').map((c) => c.payload)).toEqual(
      [0, 1, 2].map((connectorId) =>
        expect.objectContaining({ connectorId, status: 'Available', errorCode: 'NoError' }),
      ),
    );
  });
});

describe('OCPP 1.6 CSMS-initiated calls', () => {
  it('§5.13 Reset: Accepted, then the charge point reboots and boots again', async () => {
    const s = await bootStation();
    const closed = once(s, 'closed');
    const again = once(s, 'ready');
    expect(await csms.call(s.stationId, 'Reset', { type: 'Soft' })).toEqual({ result: { status: 'Accepted' } });
    await closed;
    await again;
    expect(of(s, 'BootNotification')).toHaveLength(2);
  });

  it('unknown actions get CALLERROR NotImplemented', async () => {
    const s = await bootStation();
    const answer = await csms.call(s.stationId, 'ReserveNow', {
      connectorId: 1,
      expiryDate: new Date().toISOString(),
      idTag: 'TAG1',
      reservationId: 1,
    });
    expect(answer.error?.code).toBe('NotImplemented');
    expect((await csms.call(s.stationId, 'MadeUpAction', {})).error?.code).toBe('NotImplemented');
  });

  it('a payload that breaks the schema gets the matching CALLERROR', async () => {
    const s = await bootStation();
    expect((await csms.call(s.stationId, 'Reset', {})).error?.code).toBe('OccurrenceConstraintViolation');
    expect((await csms.call(s.stationId, 'Reset', { type: 'Sideways' })).error?.code).toBe('PropertyConstraintViolation');
    expect((await csms.call(s.stationId, 'UnlockConnector', { connectorId: 'one' })).error?.code).toBe(
      'TypeConstraintViolation',
    );
  });

  it('§5.8/§5.3 GetConfiguration lists keys; ChangeConfiguration applies, rejects read-only, refuses unknown', async () => {
    const s = await bootStation();
    const all = await csms.call(s.stationId, 'GetConfiguration', {});
    const keys = (all.result?.configurationKey as { key: string }[]).map((k) => k.key);
    expect(keys).toContain('HeartbeatInterval');
    expect(keys).toContain('NumberOfConnectors');
    expect(await csms.call(s.stationId, 'ChangeConfiguration', { key: 'HeartbeatInterval', value: '60' })).toEqual({
      result: { status: 'Accepted' },
    });
    expect(s.heartbeatIntervalS).toBe(60);
    expect((await csms.call(s.stationId, 'ChangeConfiguration', { key: 'NumberOfConnectors', value: '9' })).result).toEqual(
      { status: 'Rejected' },
    );
    expect((await csms.call(s.stationId, 'ChangeConfiguration', { key: 'Nope', value: '1' })).result).toEqual({
      status: 'NotSupported',
    });
    const some = await csms.call(s.stationId, 'GetConfiguration', { key: ['HeartbeatInterval', 'Nope'] });
    expect(some.result).toEqual({
      configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '60' }],
      unknownKey: ['Nope'],
    });
  });

  it('§5.2 ChangeAvailability: connector goes Unavailable and reports it', async () => {
    const s = await bootStation();
    const status = csms.waitForCall((c) => c.action === 'StatusNotification' && c.payload.status === 'Unavailable');
    expect((await csms.call(s.stationId, 'ChangeAvailability', { connectorId: 2, type: 'Inoperative' })).result).toEqual({
      status: 'Accepted',
    });
    expect((await status).payload.connectorId).toBe(2);
    expect((await csms.call(s.stationId, 'ChangeAvailability', { connectorId: 7, type: 'Inoperative' })).result).toEqual({
      status: 'Rejected',
    });
    await expect(s.startSession({ connectorId: 2, idTag: 'TAG1' })).rejects.toThrow(/inoperative/);
  });

  it('§5.17 TriggerMessage: answers first, then sends the requested message', async () => {
    const s = await bootStation();
    const before = of(s, 'StatusNotification').length;
    const heartbeat = csms.waitForCall((c) => c.action === 'Heartbeat');
    expect((await csms.call(s.stationId, 'TriggerMessage', { requestedMessage: 'Heartbeat' })).result).toEqual({
      status: 'Accepted',
    });
    await heartbeat;
    const status = csms.waitForCall((c) => c.action === 'StatusNotification' && of(s, 'StatusNotification').length > before);
    await csms.call(s.stationId, 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 });
    expect((await status).payload.connectorId).toBe(1);
    const meter = csms.waitForCall((c) => c.action === 'MeterValues');
    await csms.call(s.stationId, 'TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 2 });
    expect((await meter).payload.connectorId).toBe(2);
    expect((await csms.call(s.stationId, 'TriggerMessage', { requestedMessage: 'Heartbeat', connectorId: 5 })).result).toEqual({
      status: 'Rejected',
    });
  });

  it('ClearCache, UnlockConnector and DataTransfer answers', async () => {
    const s = await bootStation();
    expect((await csms.call(s.stationId, 'ClearCache', {})).result).toEqual({ status: 'Accepted' });
    expect((await csms.call(s.stationId, 'UnlockConnector', { connectorId: 1 })).result).toEqual({ status: 'Unlocked' });
    expect((await csms.call(s.stationId, 'UnlockConnector', { connectorId: 9 })).result).toEqual({ status: 'NotSupported' });
    expect((await csms.call(s.stationId, 'DataTransfer', { vendorId: 'acme' })).result).toEqual({ status: 'UnknownVendorId' });
  });
});

describe('OCPP 1.6 sessions', () => {
  it('Authorize → StartTransaction → Charging → MeterValues → StopTransaction with meterStop', async () => {
    const s = await bootStation({ manualClock: true });
    const info = await s.startSession({ connectorId: 1, idTag: 'TAG-0001', meterIntervalS: 60, powerW: 7_200 });
    expect(typeof info.transactionId).toBe('number');
    expect(of(s, 'Authorize')[0]?.payload).toEqual({ idTag: 'TAG-0001' });
    expect(of(s, 'StartTransaction')[0]?.payload).toMatchObject({ connectorId: 1, idTag: 'TAG-0001', meterStart: 0 });
    expect(of(s, 'StatusNotification').at(-1)?.payload).toMatchObject({ connectorId: 1, status: 'Charging' });

    const first = csms.waitForCall((c) => c.action === 'MeterValues');
    clock.advance(60_000);
    const sample = (await first).payload;
    expect(sample).toMatchObject({ connectorId: 1, transactionId: info.transactionId });
    expect(sample.meterValue).toEqual([
      {
        timestamp: expect.any(String),
        sampledValue: [
          { value: '120', context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          { value: '7200', context: 'Sample.Periodic', measurand: 'Power.Active.Import', unit: 'W' },
        ],
      },
    ]);
    const second = csms.waitForCall((c) => c.action === 'MeterValues' && c.payload !== sample);
    clock.advance(60_000);
    await second;

    clock.advance(30_000);
    const ended = once(s, 'session-ended');
    await s.stopSession({ connectorId: 1 });
    expect((await ended)[0]).toMatchObject({ energyWh: 300, reason: 'Local' });
    expect(of(s, 'StopTransaction')[0]?.payload).toMatchObject({
      transactionId: info.transactionId,
      meterStop: 300,
      reason: 'Local',
    });
    expect(of(s, 'StatusNotification').slice(-2).map((c) => c.payload.status)).toEqual(['Finishing', 'Available']);
    expect(s.sessions()).toEqual([]);
  });

  it('§5.11/§5.12 RemoteStartTransaction starts a session; RemoteStopTransaction ends it with reason Remote', async () => {
    const s = await bootStation();
    const started = once(s, 'session-started');
    expect((await csms.call(s.stationId, 'RemoteStartTransaction', { idTag: 'REMOTE1', connectorId: 2 })).result).toEqual({
      status: 'Accepted',
    });
    const [info] = await started;
    expect(info).toMatchObject({ connectorId: 2, idTag: 'REMOTE1' });
    expect(of(s, 'Authorize')).toHaveLength(0); // AuthorizeRemoteTxRequests = false
    // The connector is busy now.
    expect((await csms.call(s.stationId, 'RemoteStartTransaction', { idTag: 'X', connectorId: 2 })).result).toEqual({
      status: 'Rejected',
    });
    const ended = once(s, 'session-ended');
    expect(
      (await csms.call(s.stationId, 'RemoteStopTransaction', { transactionId: info.transactionId as number })).result,
    ).toEqual({ status: 'Accepted' });
    await ended;
    expect(of(s, 'StopTransaction')[0]?.payload).toMatchObject({ transactionId: info.transactionId, reason: 'Remote' });
    expect((await csms.call(s.stationId, 'RemoteStopTransaction', { transactionId: 999 })).result).toEqual({
      status: 'Rejected',
    });
  });

  it('§5.13 Hard reset stops the running transaction (reason HardReset) before rebooting', async () => {
    const s = await bootStation();
    await s.startSession({ connectorId: 1, idTag: 'TAG1' });
    const again = once(s, 'ready');
    await csms.call(s.stationId, 'Reset', { type: 'Hard' });
    await again;
    expect(of(s, 'StopTransaction')[0]?.payload.reason).toBe('HardReset');
  });
});
