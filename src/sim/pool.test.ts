import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StationSpec } from './fleet.js';
import { assignSourceAddresses, loopbackSourceAddress, mergeStats, StationPool, summarizeLatency } from './pool.js';
import { FakeCsms } from './testing/fake-csms.js';
import { transpileForChildProcesses, type TranspiledTree } from './testing/transpile.js';

let tree: TranspiledTree;

beforeAll(async () => {
  tree = await transpileForChildProcesses(['sim']);
});

afterAll(async () => {
  await tree.cleanup();
});

function specs(count: number, prefix: string): StationSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(3, '0')}`,
    ocppVersion: i % 2 === 0 ? '1.6' : '2.0.1',
  }));
}

describe('source addresses', () => {
  it('alternate over 127.0.0.2-254 for a loopback CSMS', () => {
    const assigned = assignSourceAddresses(specs(300, 'A'), 'ws://127.0.0.1:9/ocpp');
    expect(assigned.slice(0, 3).map((s) => s.localAddress)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    expect(assigned[252]?.localAddress).toBe('127.0.0.254');
    expect(assigned[253]?.localAddress).toBe('127.0.0.2');
    expect(new Set(assigned.map((s) => s.localAddress)).size).toBe(253);
    expect(loopbackSourceAddress(253 * 4 + 5)).toBe('127.0.0.7');
  });

  it('are left alone for a CSMS elsewhere or when turned off', () => {
    expect(assignSourceAddresses(specs(3, 'B'), 'ws://localhost:9/ocpp')[0]?.localAddress).toBeUndefined();
    expect(assignSourceAddresses(specs(3, 'B'), 'ws://127.0.0.1:9/ocpp', 'none')[0]?.localAddress).toBeUndefined();
  });
});

describe('worker pool', () => {
  it('2 workers × 50 stations boot against a CSMS and report merged stats', async () => {
    const csms = await FakeCsms.start({ password: 'pool-password-1', record: false });
    const stations = specs(100, 'POOL').map((s) => ({ ...s, password: 'pool-password-1' }));
    const pool = await StationPool.start({
      url: csms.url,
      stations,
      workers: 2,
      workerPath: join(tree.root, 'sim', 'worker.js'),
      statsIntervalMs: 50,
    });
    try {
      expect(pool.workerCount).toBe(2);
      await pool.connectAll();
      const done = await pool.waitFor((s) => s.ready === 100, 15_000);
      expect(done).not.toBeNull();
      const stats = await pool.stats();
      expect(stats).toMatchObject({ workers: 2, stations: 100, open: 100, accepted: 100, ready: 100, drops: 0 });
      expect(stats.failures).toEqual({ connect: 0, call: 0, boot: 0, protocol: 0, session: 0 });
      // Boot + 3 StatusNotifications (1.6: connectors 0..2) or 2 (2.0.1) per station.
      expect(stats.latency.count).toBe(50 * 4 + 50 * 3);
      expect(stats.latencyByAction.BootNotification?.count).toBe(100);
      const latency = summarizeLatency(stats.latency);
      expect(latency.p50Ms).toBeGreaterThan(0);
      expect(latency.p99Ms).toBeGreaterThanOrEqual(latency.p50Ms ?? 0);
      expect(csms.count('BootNotification')).toBe(100);
      // Stations came from more than one source address.
      const sources = new Set([...csms.links.values()].map((l) => l.remoteAddress));
      expect(sources.size).toBeGreaterThan(50);

      // Storm: drop everyone, reconnect everyone.
      await pool.resetStats();
      const dropped = await pool.disconnectAll();
      expect(dropped.open).toBe(0);
      await pool.connectAll();
      const again = await pool.waitFor((s) => s.ready === 100, 15_000);
      expect(again?.lastReadyAtMs).not.toBeNull();
      expect(csms.count('BootNotification')).toBe(200);
      expect(csms.violations).toEqual([]);
    } finally {
      await pool.stop();
      await csms.close();
    }
  });

  it('counts and samples connection errors (wrong password)', async () => {
    const csms = await FakeCsms.start({ password: 'right' });
    const pool = await StationPool.start({
      url: csms.url,
      stations: specs(4, 'BAD').map((s) => ({ ...s, password: 'wrong' })),
      workers: 0,
      statsIntervalMs: 20,
    });
    try {
      const stats = await pool.connectAll();
      expect(stats.failures.connect).toBe(4);
      expect(stats.ready).toBe(0);
      expect(stats.errorSamples[0]).toMatch(/BAD-000 \[connect\] .*401/);
    } finally {
      await pool.stop();
      await csms.close();
    }
  });

  it('mergeStats adds counters and keeps the latest timestamps', () => {
    const empty = mergeStats([]);
    const a = { ...empty, stations: 2, ready: 2, lastReadyAtMs: 10 };
    const b = { ...empty, stations: 3, ready: 1, lastReadyAtMs: 30, failures: { ...empty.failures, call: 2 } };
    expect(mergeStats([a, b])).toMatchObject({ workers: 2, stations: 5, ready: 3, lastReadyAtMs: 30, failures: { call: 2 } });
  });
});

describe('deflate and large frames', () => {
  it('deflate reaches the workers; every station negotiates it and sends a large frame', async () => {
    const csms = await FakeCsms.start({ record: false, deflate: true });
    const pool = await StationPool.start({
      url: csms.url,
      stations: specs(20, 'DEFL'),
      workers: 2,
      workerPath: join(tree.root, 'sim', 'worker.js'),
      statsIntervalMs: 50,
      deflate: true,
    });
    try {
      await pool.connectAll();
      expect(await pool.waitFor((s) => s.ready === 20, 15_000)).not.toBeNull();
      const stats = await pool.stats();
      expect(stats).toMatchObject({ open: 20, deflateNegotiated: 20 });
      const after = await pool.sendLargeFrames(2048);
      expect(after.largeFrames).toEqual({ sent: 20, results: 20, callErrors: 0, failed: 0 });
      expect(csms.count('DataTransfer')).toBe(20);
      expect([...csms.links.values()].every((l) => l.ws.extensions.includes('permessage-deflate'))).toBe(true);
      expect(csms.violations).toEqual([]);
    } finally {
      await pool.stop();
      await csms.close();
    }
  });

  it('without deflate nothing is negotiated', async () => {
    const csms = await FakeCsms.start({ record: false, deflate: true });
    const pool = await StationPool.start({ url: csms.url, stations: specs(4, 'NODEFL'), workers: 0, statsIntervalMs: 50 });
    try {
      await pool.connectAll();
      expect(await pool.waitFor((s) => s.ready === 4, 15_000)).not.toBeNull();
      expect(await pool.stats()).toMatchObject({ open: 4, deflateNegotiated: 0 });
    } finally {
      await pool.stop();
      await csms.close();
    }
  });
});
