import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSimCommand, startDemoNetwork, stationSpecs } from './cli.js';
import { FakeCsms } from './testing/fake-csms.js';

let csms: FakeCsms;

beforeEach(async () => {
  csms = await FakeCsms.start();
});

afterEach(async () => {
  expect(csms.violations).toEqual([]);
  await csms.close();
});

function capture(): { lines: string[]; errors: string[]; out: (l: string) => void; err: (l: string) => void } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

describe('ampline sim', () => {
  it('an unknown flag is one clear error line and exit code 2', async () => {
    const io = capture();
    expect(await runSimCommand(['--stations', '3', '--bogus'], io)).toBe(2);
    expect(io.errors).toHaveLength(1);
    expect(io.errors[0]).toMatch(/^ampline sim: .*--bogus/);
    expect(io.lines).toEqual([]);
  });

  it('a bad value is refused the same way', async () => {
    const io = capture();
    expect(await runSimCommand(['--ocpp', '1.5'], io)).toBe(2);
    expect(io.errors).toEqual(["ampline sim: --ocpp must be 1.6, 2.0.1 or mixed, got '1.5'"]);
  });

  it('runs the stations until stopped and prints a status line', async () => {
    const io = capture();
    const abort = new AbortController();
    const run = runSimCommand(['--url', csms.url, '--stations', '4', '--ocpp', 'mixed', '--prefix', 'CLI'], {
      ...io,
      signal: abort.signal,
    });
    // 1.6 stations send 3 StatusNotifications (connector 0..2), 2.0.1 stations 2.
    const statuses = new Map<string, number>();
    await csms.waitForCall((c) => {
      if (c.action === 'StatusNotification') statuses.set(c.stationId, (statuses.get(c.stationId) ?? 0) + 1);
      return [...statuses.values()].reduce((a, b) => a + b, 0) === 10;
    });
    // A round trip per station: each has processed its last StatusNotification answer.
    await Promise.all([...statuses.keys()].map((id) => csms.call(id, 'ClearCache', {})));
    abort.abort();
    expect(await run).toBe(0);
    expect([...csms.received.filter((c) => c.action === 'BootNotification').map((c) => c.stationId)].sort()).toEqual([
      'CLI-00001',
      'CLI-00002',
      'CLI-00003',
      'CLI-00004',
    ]);
    expect(io.lines.at(-1)).toMatch(/^sim: 4 stations \| open 4 \| accepted 4 \| ready 4 \| errors 0/);
  });

  it('station ids are zero-padded and mixed alternates versions', () => {
    expect(stationSpecs(3, 'X', 'mixed', 'pw')).toEqual([
      { id: 'X-00001', ocppVersion: '1.6', password: 'pw' },
      { id: 'X-00002', ocppVersion: '2.0.1', password: 'pw' },
      { id: 'X-00003', ocppVersion: '1.6', password: 'pw' },
    ]);
    expect(stationSpecs(123_456, 'Y', '2.0.1')[0]?.id).toBe('Y-000001');
  });
});

describe('startDemoNetwork', () => {
  it('stations boot and charge now and then; stop() ends the sessions and disconnects', async () => {
    const demo = await startDemoNetwork({
      url: csms.url,
      stations: [
        { id: 'DEMO-16', ocppVersion: '1.6' },
        { id: 'DEMO-201', ocppVersion: '2.0.1' },
      ],
      sessionEverySeconds: 0.05,
    });
    await csms.waitForCall((c) => c.action === 'StartTransaction');
    await csms.waitForCall((c) => c.action === 'TransactionEvent' && c.payload.eventType === 'Started');
    await demo.stop();
    expect(csms.links.size).toBe(0);
    const started = csms.received.filter((c) => c.action === 'StartTransaction').length;
    const stopped = csms.received.filter((c) => c.action === 'StopTransaction').length;
    expect(stopped).toBe(started);
  });
});
