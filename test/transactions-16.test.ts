import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_16 } from './support/raw-station.js';
import { nextEvent } from './support/events.js';
import type { TransactionEnded, TransactionUpdated } from '../src/modules/transactions/index.js';

const PASSWORD = 'station-password-0016';
type Frame = unknown[];
type StartConf = { idTagInfo: { status: string }; transactionId: number };

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const register = (value: number, at: string, unit = 'Wh') => ({
  timestamp: at,
  sampledValue: [{ value: String(value), measurand: 'Energy.Active.Import.Register', unit, context: 'Sample.Periodic' }],
});

describe('OCPP 1.6 transactions over a real socket (§4.7, §4.8, §4.10)', () => {
  let server: TestServer;
  let station: RawStation;

  const connect16 = async (id: string) => {
    expect((await server.api('POST', '/api/v1/stations', { id, password: PASSWORD })).status).toBe(201);
    const s = await RawStation.connect({ baseUrl: server.app.ocppUrl, id, password: PASSWORD, protocols: ['ocpp1.6'] });
    expect((await s.call('BootNotification', BOOT_16))[2]).toMatchObject({ status: 'Accepted' });
    return s;
  };
  const body = <T>(frame: Frame): T => {
    expect(frame[0]).toBe(3);
    return frame[2] as T;
  };

  beforeAll(async () => {
    server = await startTestServer();
    for (const uid of ['TAG-A', 'TAG-B', 'TAG-C', 'TAG-D']) {
      expect((await server.api('POST', '/api/v1/tokens', { uid, type: 'ISO14443' })).status).toBe(201);
    }
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'TAG-BLOCKED', type: 'ISO14443', status: 'Blocked' })).status).toBe(201);
    station = await connect16('TX16-A');
  });
  afterAll(async () => {
    await station?.close();
    await server?.close();
  });

  it('§4.8 §4.7 §4.10 start, meter values and stop make one finished session with the register difference as energy', async () => {
    const start = body<StartConf>(await station.call('StartTransaction', { connectorId: 1, idTag: 'TAG-A', meterStart: 10_000, timestamp: ago(30) }));
    expect(start.idTagInfo.status).toBe('Accepted');
    expect(Number.isInteger(start.transactionId)).toBe(true);
    body(
      await station.call('MeterValues', {
        connectorId: 1,
        transactionId: start.transactionId,
        meterValue: [
          register(10.5, ago(20), 'kWh'),
          { timestamp: ago(20), sampledValue: [{ value: '7.2', measurand: 'Power.Active.Import', unit: 'kW' }] },
        ],
      }),
    );
    const ended = nextEvent<TransactionEnded>(server.app.bus, 'TransactionEnded', (e) => e.payload.transactionId === String(start.transactionId));
    const stop = body<{ idTagInfo: { status: string } }>(
      await station.call('StopTransaction', {
        transactionId: start.transactionId,
        idTag: 'TAG-A',
        meterStop: 12_500,
        timestamp: ago(10),
        reason: 'EVDisconnected',
        transactionData: [register(12_000, ago(15))],
      }),
    );
    expect(stop.idTagInfo.status).toBe('Accepted');
    expect((await ended).payload.energyWh).toBe(2500);

    const list = await server.api('GET', '/api/v1/sessions?stationId=TX16-A');
    expect(list.status).toBe(200);
    const session = list.body.items.find((s: { transactionId: string }) => s.transactionId === String(start.transactionId));
    expect(session).toMatchObject({ stationId: 'TX16-A', evseId: 1, idToken: 'TAG-A', status: 'finished', stopReason: 'EVDisconnected', energyWh: 2500 });
    const detail = await server.api('GET', `/api/v1/sessions/${session.id}`);
    expect(detail.body.timeline.energy.map((p: { energyWh: number }) => p.energyWh)).toEqual([0, 500, 2000, 2500]);
    expect(detail.body.timeline.power).toEqual([{ at: expect.any(String), powerW: 7200 }]);
  });

  it('§4.8 a retried StartTransaction (same connector, idTag, timestamp, meterStart) gets the same transactionId', async () => {
    const request = { connectorId: 2, idTag: 'TAG-B', meterStart: 500, timestamp: ago(5) };
    const first = body<StartConf>(await station.call('StartTransaction', request));
    const retry = body<StartConf>(await station.call('StartTransaction', request));
    expect(retry.transactionId).toBe(first.transactionId);
    expect(retry.idTagInfo.status).toBe('Accepted');
    const sessions = await server.api('GET', '/api/v1/sessions?idToken=TAG-B');
    expect(sessions.body.items).toHaveLength(1);
    // A different start on another connector with a token already charging: ConcurrentTx (C-rules), still a transactionId.
    const concurrent = body<StartConf>(await station.call('StartTransaction', { ...request, connectorId: 3, timestamp: ago(4) }));
    expect(concurrent.idTagInfo.status).toBe('ConcurrentTx');
    expect(concurrent.transactionId).not.toBe(first.transactionId);
  });

  it('§4.10 a stop for an unknown or already stopped transaction is still answered Accepted, never a CALLERROR', async () => {
    const unknown = await station.call('StopTransaction', { transactionId: 987_654, meterStop: 10, timestamp: ago(1) });
    expect(body<{ idTagInfo: { status: string } }>(unknown).idTagInfo.status).toBe('Accepted');
    const start = body<StartConf>(await station.call('StartTransaction', { connectorId: 4, idTag: 'TAG-C', meterStart: 0, timestamp: ago(3) }));
    const stop = { transactionId: start.transactionId, meterStop: 100, timestamp: ago(2), idTag: 'TAG-C' };
    expect(body<{ idTagInfo: { status: string } }>(await station.call('StopTransaction', stop)).idTagInfo.status).toBe('Accepted');
    expect(body<{ idTagInfo: { status: string } }>(await station.call('StopTransaction', stop)).idTagInfo.status).toBe('Accepted');
    const sessions = (await server.api('GET', '/api/v1/sessions?idToken=TAG-C')).body.items;
    expect(sessions).toMatchObject([{ status: 'finished', energyWh: 100 }]);
  });

  it('§4.9 StatusNotification SuspendedEV / Charging moves the open session on that connector', async () => {
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'TAG-SUSP', type: 'ISO14443' })).status).toBe(201);
    const start = body<StartConf>(await station.call('StartTransaction', { connectorId: 6, idTag: 'TAG-SUSP', meterStart: 0, timestamp: ago(2) }));
    const tx = String(start.transactionId);
    const suspended = nextEvent<TransactionUpdated>(server.app.bus, 'TransactionUpdated', (e) => e.payload.transactionId === tx);
    body(await station.call('StatusNotification', { connectorId: 6, errorCode: 'NoError', status: 'SuspendedEV', timestamp: ago(1) }));
    expect((await suspended).payload.status).toBe('suspended_ev');
    const charging = nextEvent<TransactionUpdated>(server.app.bus, 'TransactionUpdated', (e) => e.payload.transactionId === tx);
    body(await station.call('StatusNotification', { connectorId: 6, errorCode: 'NoError', status: 'Charging', timestamp: ago(0.5) }));
    expect((await charging).payload.status).toBe('charging');
    expect((await server.api('GET', '/api/v1/sessions?idToken=TAG-SUSP')).body.items).toMatchObject([{ status: 'charging', evseId: 6 }]);
  });

  it('§4.8 a connector has one transaction: a newer start closes one whose StopTransaction was lost, freeing its idTag', async () => {
    for (const uid of ['TAG-LOST', 'TAG-NEXT']) expect((await server.api('POST', '/api/v1/tokens', { uid, type: 'ISO14443' })).status).toBe(201);
    const lost = body<StartConf>(await station.call('StartTransaction', { connectorId: 7, idTag: 'TAG-LOST', meterStart: 100, timestamp: ago(60) }));
    body(await station.call('StartTransaction', { connectorId: 7, idTag: 'TAG-NEXT', meterStart: 900, timestamp: ago(20) }));
    expect((await server.api('GET', '/api/v1/sessions?idToken=TAG-LOST')).body.items).toMatchObject([{ status: 'finished', stopReason: 'Superseded' }]);
    const elsewhere = body<StartConf>(await station.call('StartTransaction', { connectorId: 8, idTag: 'TAG-LOST', meterStart: 0, timestamp: ago(10) }));
    expect(elsewhere.idTagInfo.status).toBe('Accepted');
    // Should the real stop arrive after all, it still counts.
    body(await station.call('StopTransaction', { transactionId: lost.transactionId, meterStop: 800, timestamp: ago(30), reason: 'PowerLoss' }));
    const items = (await server.api('GET', '/api/v1/sessions?idToken=TAG-LOST')).body.items as { transactionId: string }[];
    expect(items.find((s) => s.transactionId === String(lost.transactionId))).toMatchObject({ status: 'finished', stopReason: 'PowerLoss', energyWh: 700 });
  });

  it('§4.8 a blocked idTag gets Blocked in idTagInfo and still a transactionId', async () => {
    const start = body<StartConf>(await station.call('StartTransaction', { connectorId: 5, idTag: 'TAG-BLOCKED', meterStart: 0, timestamp: ago(1) }));
    expect(start.idTagInfo.status).toBe('Blocked');
    expect(Number.isInteger(start.transactionId)).toBe(true);
  });

  it('§4.7 messages queued offline and delivered hours later land in the right session', async () => {
    const offline = await connect16('TX16-OFFLINE');
    // Hours ago: a whole session happened while the charger was offline; it is delivered now, in order.
    const oldStart = ago(300);
    const old = body<StartConf>(await offline.call('StartTransaction', { connectorId: 1, idTag: 'TAG-D', meterStart: 1000, timestamp: oldStart }));
    body(await offline.call('MeterValues', { connectorId: 1, transactionId: old.transactionId, meterValue: [register(1600, ago(280))] }));
    body(await offline.call('StopTransaction', { transactionId: old.transactionId, idTag: 'TAG-D', meterStop: 2000, timestamp: ago(240) }));
    // Then the current session on the same connector, with a late sample of the old one arriving after it started.
    const current = body<StartConf>(await offline.call('StartTransaction', { connectorId: 1, idTag: 'TAG-D', meterStart: 2000, timestamp: ago(10) }));
    body(await offline.call('MeterValues', { connectorId: 1, transactionId: current.transactionId, meterValue: [register(2300, ago(5))] }));
    body(await offline.call('MeterValues', { connectorId: 1, transactionId: old.transactionId, meterValue: [register(1800, ago(260))] }));

    const items = (await server.api('GET', '/api/v1/sessions?stationId=TX16-OFFLINE')).body.items as { transactionId: string; energyWh: number; status: string; startedAt: string; stoppedAt: string | null }[];
    const oldSession = items.find((s) => s.transactionId === String(old.transactionId));
    const currentSession = items.find((s) => s.transactionId === String(current.transactionId));
    expect(oldSession).toMatchObject({ status: 'finished', energyWh: 1000, startedAt: oldStart });
    expect(Date.parse(oldSession!.stoppedAt!)).toBeLessThan(Date.now() - 3 * 3600_000);
    expect(currentSession).toMatchObject({ status: 'charging', energyWh: 300, stoppedAt: null });
    const detail = (await server.api('GET', `/api/v1/sessions/${(oldSession as unknown as { id: string }).id}`)).body;
    expect(detail.timeline.energy.map((p: { energyWh: number }) => p.energyWh)).toEqual([0, 600, 800, 1000]);
    await offline.close();
  });

  it('a burst of 1,000 MeterValues is stored exactly once each, retries included', async () => {
    const burst = await connect16('TX16-BURST');
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'TAG-BURST', type: 'ISO14443' })).status).toBe(201);
    const t0 = Date.now() - 3600_000;
    const start = body<StartConf>(
      await burst.call('StartTransaction', { connectorId: 1, idTag: 'TAG-BURST', meterStart: 0, timestamp: new Date(t0).toISOString() }),
    );
    const calls: Promise<Frame>[] = [];
    for (let i = 1; i <= 1000; i++) {
      const payload = { connectorId: 1, transactionId: start.transactionId, meterValue: [register(i * 10, new Date(t0 + i * 1000).toISOString())] };
      calls.push(burst.call('MeterValues', payload));
      // Every tenth message is also retried under a new message id (the answer was "lost").
      if (i % 10 === 0) calls.push(burst.call('MeterValues', payload));
    }
    const replies = await Promise.all(calls);
    expect(replies.every((f) => f[0] === 3)).toBe(true);
    const items = (await server.api('GET', '/api/v1/sessions?stationId=TX16-BURST')).body.items;
    expect(items).toMatchObject([{ energyWh: 10_000 }]);
    const detail = (await server.api('GET', `/api/v1/sessions/${items[0].id}`)).body;
    // meterStart + 1,000 samples, each once.
    expect(detail.sampleCount).toBe(1001);
    expect(detail.timeline.energy).toHaveLength(1001);
    await burst.close();
  });

  it('CSV export lists the sessions with their energy', async () => {
    const csv = await fetch(`${server.app.baseUrl}/api/v1/sessions.csv?stationId=TX16-A`, { headers: { authorization: 'Bearer test-admin-token-0123456789abcdef' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('id,stationId,evseId,connectorId,transactionId,idToken,status,stopReason,startedAt,stoppedAt,energyWh');
    expect(lines.some((l) => l.includes(',TAG-A,finished,EVDisconnected,') && l.endsWith(',2500'))).toBe(true);
  });

  it('GET /api/v1/sessions pages with a cursor and filters by status', async () => {
    const first = await server.api('GET', '/api/v1/sessions?stationId=TX16-A&limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await server.api('GET', `/api/v1/sessions?stationId=TX16-A&limit=2&after=${first.body.nextCursor}`);
    const ids = [...first.body.items, ...second.body.items].map((s: { id: string }) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const finished = await server.api('GET', '/api/v1/sessions?stationId=TX16-A&status=finished');
    expect(finished.body.items.every((s: { status: string }) => s.status === 'finished')).toBe(true);
    expect((await server.api('GET', '/api/v1/sessions?after=nonsense')).status).toBe(400);
    expect((await server.api('GET', '/api/v1/sessions/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });
});
