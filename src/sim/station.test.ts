import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type RawData } from 'ws';
import { encodeCall, type OcppVersion } from './frames.js';
import { Scheduler } from './scheduler.js';
import { paddingText, Station, type StationOptions } from './station.js';
import { FakeCsms, type FakeCsmsOptions } from './testing/fake-csms.js';
import { ManualClock } from './testing/manual-clock.js';

let csms: FakeCsms;
let scheduler: Scheduler;
const stations: Station[] = [];

async function startCsms(options: FakeCsmsOptions = {}): Promise<FakeCsms> {
  await csms.close();
  csms = await FakeCsms.start(options);
  return csms;
}

function station(version: OcppVersion, extra: Partial<StationOptions> = {}): Station {
  const s = new Station({ url: csms.url, stationId: `ST-${version}-${stations.length}`, ocppVersion: version, scheduler, ...extra });
  stations.push(s);
  return s;
}

async function boot(s: Station): Promise<void> {
  const ready = once(s, 'ready');
  await s.connect();
  await ready;
}

beforeEach(async () => {
  csms = await FakeCsms.start();
  scheduler = new Scheduler({ tickMs: 10 });
});

afterEach(async () => {
  await Promise.all(stations.splice(0).map((s) => s.close()));
  scheduler.stop();
  expect(csms.violations).toEqual([]);
  await csms.close();
});

describe('connection and boot', () => {
  it.each(['1.6', '2.0.1'] as const)('%s station negotiates its subprotocol and boots', async (version) => {
    const s = station(version);
    const booted = once(s, 'booted');
    await boot(s);
    expect(await booted).toEqual(['Accepted', 300]);
    expect(s.registration).toBe('Accepted');
    expect(s.heartbeatIntervalS).toBe(300);
    expect(csms.links.get(s.stationId)?.version).toBe(version);
    const actions = csms.received.filter((c) => c.stationId === s.stationId).map((c) => c.action);
    expect(actions[0]).toBe('BootNotification');
    expect(actions.slice(1).every((a) => a === 'StatusNotification')).toBe(true);
  });

  it('OCPP-J §3: a CALL goes out as one text frame holding exactly the encoded JSON', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (offered) => [...offered][0] ?? false });
    await once(wss, 'listening');
    const frames: { data: RawData; isBinary: boolean }[] = [];
    const first = new Promise<void>((resolve) =>
      wss.on('connection', (ws) => ws.on('message', (data, isBinary) => (frames.push({ data, isBinary }), resolve()))),
    );
    const s = new Station({ url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ocpp`, stationId: 'TEXT-1', ocppVersion: '1.6', scheduler });
    try {
      await s.connect();
      await first;
      const frame = frames[0];
      expect(frame?.isBinary).toBe(false);
      const [type, id, action, payload] = JSON.parse(String(frame?.data)) as [number, string, string, Record<string, unknown>];
      expect([type, action]).toEqual([2, 'BootNotification']);
      expect(String(frame?.data)).toBe(encodeCall(id, action, payload));
    } finally {
      await s.close();
      await new Promise((resolve) => wss.close(resolve));
    }
  });

  it('the station id is URL-encoded into the path', async () => {
    const s = station('1.6', { stationId: 'CP 1/A' });
    await boot(s);
    expect(s.endpoint).toBe(`${csms.url}/CP%201%2FA`);
    expect(csms.links.has('CP 1/A')).toBe(true);
  });

  it('HTTP Basic: the right password connects, a wrong one is refused with 401', async () => {
    await startCsms({ password: 'secret-password-1' });
    await boot(station('2.0.1', { password: 'secret-password-1' }));
    const wrong = station('2.0.1', { password: 'nope' });
    const failure = once(wrong, 'failure');
    await expect(wrong.connect()).rejects.toThrow(/401/);
    expect((await failure)[1]).toBe('connect');
  });

  it('binds the given source address', async () => {
    const s = station('1.6', { localAddress: '127.0.0.7' });
    const connected = once(csms, 'connection');
    await boot(s);
    await connected;
    const link = csms.links.get(s.stationId);
    expect(link).toBeDefined();
    expect(link?.remoteAddress).toBe('127.0.0.7');
  });

  it('2.0.1 part 4 §4.1.3 message ids stay unique across reconnects', async () => {
    const s = station('2.0.1');
    await boot(s);
    await s.disconnect();
    await boot(s);
    const ids = csms.received.filter((c) => c.stationId === s.stationId).map((c) => c.messageId);
    expect(ids.length).toBeGreaterThanOrEqual(6);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('B02 Pending: answers CSMS calls, boots again after the interval, then is Accepted', async () => {
    await startCsms({ bootStatus: (_id, attempt) => (attempt === 1 ? 'Pending' : 'Accepted'), intervalS: 60 });
    const clock = new ManualClock();
    const s = station('2.0.1', { scheduler: clock.scheduler });
    const first = once(s, 'booted');
    await s.connect();
    expect(await first).toEqual(['Pending', 60]);
    // B02.FR.01: the CSMS may read the station while Pending.
    const answer = await csms.call(s.stationId, 'GetVariables', {
      getVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'Identity' } }],
    });
    expect(answer.result?.getVariableResult).toEqual([
      expect.objectContaining({ attributeStatus: 'Accepted', attributeValue: s.stationId }),
    ]);
    // B02.FR.05: no remote start while Pending.
    const start = await csms.call(s.stationId, 'RequestStartTransaction', {
      idToken: { idToken: 'TAG1', type: 'Central' },
      remoteStartId: 1,
    });
    expect(start.result).toEqual({ status: 'Rejected' });
    const ready = once(s, 'ready');
    clock.advance(60_000);
    await ready;
    expect(csms.received.filter((c) => c.action === 'BootNotification')).toHaveLength(2);
  });

  it('1.6 §4.2 Rejected: the station retries after the interval and stays silent meanwhile', async () => {
    await startCsms({ bootStatus: (_id, attempt) => (attempt === 1 ? 'Rejected' : 'Accepted'), intervalS: 30 });
    const clock = new ManualClock();
    const s = station('1.6', { scheduler: clock.scheduler });
    const rejected = once(s, 'booted');
    await s.connect();
    expect(await rejected).toEqual(['Rejected', 30]);
    const ready = once(s, 'ready');
    clock.advance(29_000);
    expect(csms.count('BootNotification')).toBe(1);
    clock.advance(1_000);
    await ready;
    expect(csms.count('BootNotification')).toBe(2);
  });

  it('heartbeats at the interval the CSMS returned', async () => {
    await startCsms({ intervalS: 120 });
    const clock = new ManualClock();
    const s = station('1.6', { scheduler: clock.scheduler });
    await boot(s);
    clock.advance(119_000);
    expect(csms.count('Heartbeat')).toBe(0);
    const beat = csms.waitForCall((c) => c.action === 'Heartbeat');
    clock.advance(1_000);
    await beat;
    const second = csms.waitForCall((c) => c.action === 'Heartbeat' && c !== csms.received.find((r) => r.action === 'Heartbeat'));
    clock.advance(120_000);
    await second;
    expect(csms.count('Heartbeat')).toBe(2);
  });

  it('a call the CSMS never answers times out and the queue moves on', async () => {
    await startCsms({ ignore: (call) => call.action === 'Authorize' });
    const clock = new ManualClock();
    const s = station('1.6', { scheduler: clock.scheduler, callTimeoutMs: 5_000 });
    await boot(s);
    const lost = s.call('Authorize', { idTag: 'TAG1' });
    const next = s.call('Heartbeat', {});
    await csms.waitForCall((c) => c.action === 'Authorize');
    expect(csms.count('Heartbeat')).toBe(0); // one CALL in flight at a time
    clock.advance(5_000);
    await expect(lost).rejects.toThrow(/no answer within 5000 ms/);
    await expect(next).resolves.toHaveProperty('currentTime');
  });

  it("a later call's time-out counts from its own send, not from the first call's (one watchdog per station)", async () => {
    await startCsms({ ignore: (call) => call.action === 'Authorize' });
    const clock = new ManualClock();
    const s = station('1.6', { scheduler: clock.scheduler, callTimeoutMs: 5_000 });
    await boot(s); // the boot armed the watchdog for t0 + 5 s
    clock.advance(3_000);
    let settled = false;
    const lost = s.call('Authorize', { idTag: 'TAG1' });
    lost.catch(() => undefined).finally(() => (settled = true));
    await csms.waitForCall((c) => c.action === 'Authorize');
    clock.advance(2_000); // t0 + 5 s: only 2 s since the Authorize went out
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    clock.advance(3_000); // t0 + 8 s: its own 5 s are up
    await expect(lost).rejects.toThrow(/no answer within 5000 ms/);
  });

  it('reconnects by itself after an unexpected close when reconnectDelayMs is set', async () => {
    const s = station('2.0.1', { reconnectDelayMs: 20 });
    await boot(s);
    const again = once(s, 'ready');
    csms.links.get(s.stationId)?.ws.terminate();
    await again;
    expect(csms.count('BootNotification')).toBe(2);
  });
});

describe('permessage-deflate', () => {
  it.each(['1.6', '2.0.1'] as const)('%s: with deflate the station negotiates it with a CSMS that offers it', async (version) => {
    await startCsms({ deflate: true });
    const s = station(version, { deflate: true });
    await boot(s);
    expect(s.deflateNegotiated).toBe(true);
    expect(csms.links.get(s.stationId)?.ws.extensions).toContain('permessage-deflate');
  });

  it('without deflate, or against a CSMS that does not offer it, nothing is negotiated', async () => {
    await startCsms({ deflate: true });
    const plain = station('1.6');
    await boot(plain);
    expect(plain.deflateNegotiated).toBe(false);
    await startCsms({ deflate: false });
    const offering = station('2.0.1', { deflate: true });
    await boot(offering);
    expect(offering.deflateNegotiated).toBe(false);
    expect(csms.links.get(offering.stationId)?.ws.extensions).toBe('');
  });

  it.each(['1.6', '2.0.1'] as const)('%s: a padded DataTransfer goes out and comes back compressed', async (version) => {
    await startCsms({ deflate: true });
    const s = station(version, { deflate: true });
    await boot(s);
    const link = csms.links.get(s.stationId);
    const before = link?.bytesRead() ?? 0;
    expect(await s.sendLargeFrame(4096)).toBe('result');
    const call = await csms.waitForCall((c) => c.stationId === s.stationId && c.action === 'DataTransfer');
    expect(call.payload).toMatchObject({ vendorId: 'org.ampline.sim', messageId: 'LargeFrame' });
    expect(String(call.payload.data)).toHaveLength(4096);
    // base64 compresses to about 3/4: the frame on the wire is well under its 4 kB of data.
    expect((link?.bytesRead() ?? 0) - before).toBeLessThan(3600);
  });

  it('a CALLERROR answer to the padded DataTransfer counts as delivered', async () => {
    await startCsms({ deflate: true, notSupported: ['DataTransfer'] });
    const s = station('2.0.1', { deflate: true });
    const failures: unknown[] = [];
    s.on('failure', (error) => failures.push(error));
    await boot(s);
    expect(await s.sendLargeFrame()).toBe('callerror');
    expect(failures).toEqual([]);
  });

  it('paddingText is base64 of the asked length', () => {
    const text = paddingText(2048);
    expect(text).toHaveLength(2048);
    expect(text).toMatch(/^[A-Za-z0-9+/]+$/);
  });
});
