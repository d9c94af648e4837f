import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { nextEvent } from './support/events.js';
import { bootStation, registerStation } from './helpers/stations.js';
import type { MeterSampled } from '../src/modules/transactions/index.js';

type Frame = unknown[];
type StartConf = { idTagInfo: { status: string }; transactionId: number };

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const register = (wh: number, at: string) => ({ timestamp: at, sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] });
const power = (w: number, at: string) => ({ timestamp: at, sampledValue: [{ value: String(w), measurand: 'Power.Active.Import', unit: 'W' }] });

/**
 * 1.6 §4.7: a MeterValues names its connector and MAY name the transaction. One without a
 * transactionId joins the session open on that connector at the sample's time; otherwise it is
 * stored with no session, and connector 0 (the main meter) stays station-level.
 */
describe('1.6 §4.7 MeterValues without transactionId', () => {
  let server: TestServer;
  let station: RawStation;
  const body = <T>(frame: Frame): T => {
    expect(frame[0], JSON.stringify(frame)).toBe(3);
    return frame[2] as T;
  };
  const session = async (transactionId: number) => {
    const items = (await server.api('GET', '/api/v1/sessions?stationId=MV16-CONN')).body.items as { id: string; transactionId: string }[];
    const found = items.find((s) => s.transactionId === String(transactionId));
    if (!found) throw new Error(`no session for ${transactionId}`);
    return (await server.api('GET', `/api/v1/sessions/${found.id}`)).body;
  };
  /** Sends MeterValues and returns the MeterSampled event it caused. */
  const meterValues = async (payload: Record<string, unknown>) => {
    const sampled = nextEvent<MeterSampled>(server.app.bus, 'MeterSampled', (e) => e.payload.stationId === 'MV16-CONN');
    body(await station.call('MeterValues', payload));
    return (await sampled).payload;
  };

  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'MV-TAG', type: 'ISO14443' })).status).toBe(201);
    await registerStation(server, 'MV16-CONN');
    station = await bootStation(server, 'MV16-CONN', '1.6');
  });
  afterAll(async () => {
    await station?.close();
    await server?.close();
  });

  it('§4.7 a sample without transactionId while a session is open on that connector joins it (energy counts it)', async () => {
    const start = body<StartConf>(await station.call('StartTransaction', { connectorId: 1, idTag: 'MV-TAG', meterStart: 10_000, timestamp: ago(60) }));
    const sampled = await meterValues({ connectorId: 1, meterValue: [register(10_400, ago(50)), power(7000, ago(50))] });
    const detail = await session(start.transactionId);
    expect(sampled.sessionId).toBe(detail.id);
    expect(detail).toMatchObject({ status: 'charging', energyWh: 400, sampleCount: 3 });
    expect(detail.timeline.power).toEqual([{ at: expect.any(String), powerW: 7000 }]);
  });

  it('§4.7 offline replay: a connector-only sample delivered after the stop lands in the session that was open at its time', async () => {
    const start = body<StartConf>(await station.call('StartTransaction', { connectorId: 2, idTag: 'MV-TAG', meterStart: 0, timestamp: ago(300) }));
    body(await station.call('StopTransaction', { transactionId: start.transactionId, meterStop: 3000, timestamp: ago(240), reason: 'Local' }));
    // A later session on the same connector, so the sample has to pick by time, not "the latest".
    const later = body<StartConf>(await station.call('StartTransaction', { connectorId: 2, idTag: 'MV-TAG', meterStart: 3000, timestamp: ago(30) }));
    const sampled = await meterValues({ connectorId: 2, meterValue: [register(1200, ago(280))] });
    const old = await session(start.transactionId);
    expect(sampled.sessionId).toBe(old.id);
    expect(old).toMatchObject({ status: 'finished', energyWh: 3000, sampleCount: 3 });
    expect(old.timeline.energy.map((p: { energyWh: number }) => p.energyWh)).toEqual([0, 1200, 3000]);
    expect(await session(later.transactionId)).toMatchObject({ sampleCount: 1, energyWh: 0 });
  });

  it('§4.7 a connector-only sample when no session was open then is stored without a session', async () => {
    const sampled = await meterValues({ connectorId: 3, meterValue: [register(5000, ago(20))] });
    expect(sampled).toMatchObject({ sessionId: null, evseId: 3, samples: 1, energyRegisterWh: 5000 });
  });

  it('§4.7 connectorId 0 (main meter) stays station-level even while connector sessions are open', async () => {
    const sampled = await meterValues({ connectorId: 0, meterValue: [register(99_000, ago(45))] });
    expect(sampled).toMatchObject({ sessionId: null, evseId: 0, samples: 1 });
  });
});
