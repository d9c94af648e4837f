import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_16, BOOT_201 } from './support/raw-station.js';
import { nextEvent } from './support/events.js';
import type { ConnectorStatusChanged } from '../src/modules/stations/index.js';

const PASSWORD = 'station-password-0002';

interface Case {
  version: 'ocpp1.6' | 'ocpp2.0.1';
  id: string;
  boot: object;
  codes: Record<string, string>;
  status: (connector: number) => object;
}

const CASES: Case[] = [
  {
    version: 'ocpp1.6',
    id: 'ERR-16',
    boot: BOOT_16,
    codes: {
      unreadable: 'FormationViolation',
      messageType: 'FormationViolation',
      format: 'FormationViolation',
      occurrence: 'OccurenceConstraintViolation',
    },
    status: (connectorId) => ({ connectorId, errorCode: 'NoError', status: 'Available' }),
  },
  {
    version: 'ocpp2.0.1',
    id: 'ERR-201',
    boot: BOOT_201,
    codes: {
      unreadable: 'RpcFrameworkError',
      messageType: 'MessageTypeNotSupported',
      format: 'FormatViolation',
      occurrence: 'OccurrenceConstraintViolation',
    },
    status: (evseId) => ({ timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId, connectorId: 1 }),
  },
];

describe.each(CASES)('CALLERROR codes for $version', ({ version, id, boot, codes, status }) => {
  let server: TestServer;
  let station: RawStation;
  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.api('POST', '/api/v1/stations', { id, password: PASSWORD })).status).toBe(201);
    station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id, password: PASSWORD, protocols: [version] });
    expect((await station.call('BootNotification', boot))[2]).toMatchObject({ status: 'Accepted' });
  });
  afterAll(async () => {
    await station?.close();
    await server?.close();
  });

  it('a message that is not JSON is answered with the unreadable-message code and id "-1" (OCPP-J 2.0.1 §4.2.3)', async () => {
    station.sendRaw('[2, "abc", "Heartbeat", {');
    const reply = await station.next((f) => f[0] === 4 && f[1] === '-1');
    expect(reply[2]).toBe(codes.unreadable);
  });

  it('an unknown message type number is refused', async () => {
    station.sendRaw(JSON.stringify([7, 'mt-1', 'Heartbeat', {}]));
    const reply = await station.next((f) => f[0] === 4 && f[1] === 'mt-1');
    expect(reply[2]).toBe(codes.messageType);
  });

  it('an unknown action gets NotImplemented', async () => {
    const reply = await station.call('TeleportVehicle', {});
    expect(reply.slice(0, 1).concat(reply[2])).toEqual([4, 'NotImplemented']);
  });

  it('a payload that is not an object is a format violation', async () => {
    station.sendRaw(JSON.stringify([2, 'fmt-1', 'Heartbeat', 'beat']));
    const reply = await station.next((f) => f[0] === 4 && f[1] === 'fmt-1');
    expect(reply[2]).toBe(codes.format);
  });

  it('a missing required field is an occurrence constraint violation', async () => {
    const reply = await station.call('BootNotification', {});
    expect(reply[0]).toBe(4);
    expect(reply[2]).toBe(codes.occurrence);
  });

  it('a field of the wrong type is a TypeConstraintViolation', async () => {
    const bad = version === 'ocpp1.6' ? { connectorId: 'one', errorCode: 'NoError', status: 'Available' } : { ...status(1), evseId: 'one' };
    const reply = await station.call('StatusNotification', bad);
    expect(reply[2]).toBe('TypeConstraintViolation');
  });

  it('a value outside its enumeration is a PropertyConstraintViolation', async () => {
    const bad = version === 'ocpp1.6' ? { ...status(1), status: 'Sleeping' } : { ...status(1), connectorStatus: 'Sleeping' };
    const reply = await station.call('StatusNotification', bad);
    expect(reply[2]).toBe('PropertyConstraintViolation');
  });

  it('an action the version defines but this CSMS does not handle yet gets NotSupported, not a business refusal', async () => {
    // Every 1.6 station-side action is handled now, so 1.6 uses ClearCache, which the schemas define
    // but only a CSMS sends; 2.0.1 reservations are not handled yet.
    const action = version === 'ocpp1.6' ? 'ClearCache' : 'ReservationStatusUpdate';
    const payload = version === 'ocpp1.6' ? {} : { reservationId: 1, reservationUpdateStatus: 'Expired' };
    const reply = await station.call(action, payload);
    expect(reply[0]).toBe(4);
    expect(reply[2]).toBe('NotSupported');
  });

  it('a retried CALL with the same message id is answered again but runs once', async () => {
    const changes: ConnectorStatusChanged[] = [];
    const unsubscribe = server.app.bus.subscribe<ConnectorStatusChanged>('ConnectorStatusChanged', (e) => void changes.push(e));
    const first = await station.call('StatusNotification', status(2), 'retry-me-1');
    const second = await station.call('StatusNotification', status(2), 'retry-me-1');
    expect(first).toEqual([3, 'retry-me-1', {}]);
    expect(second).toEqual(first);
    // A different id afterwards proves the event path works, so the single event above is real.
    const third = nextEvent<ConnectorStatusChanged>(server.app.bus, 'ConnectorStatusChanged', (e) => e.payload.evseId === 3);
    await station.call('StatusNotification', status(3), 'retry-me-2');
    await third;
    unsubscribe();
    expect(changes.filter((e) => e.payload.evseId === 2)).toHaveLength(1);
  });

  it('after all of that the connection still serves normal traffic', async () => {
    const reply = await station.call('Heartbeat', {});
    expect(reply[0]).toBe(3);
    expect(typeof (reply[2] as { currentTime: string }).currentTime).toBe('string');
  });
});
