import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transpileForChildProcesses, type TranspiledTree } from '../sim/testing/transpile.js';
import type { ConnectBenchResult } from './connect.js';
import { processTreeMemory } from './server-process.js';

let tree: TranspiledTree;
let resultsDir: string;

beforeAll(async () => {
  tree = await transpileForChildProcesses(['sim', 'bench']);
  resultsDir = await mkdtemp(join(tmpdir(), 'ampline-bench-results-'));
});

afterAll(async () => {
  await tree.cleanup();
  await rm(resultsDir, { recursive: true, force: true });
});

describe('bench connect', () => {
  it('spawns the server, connects through 2 workers, storms, and writes the results', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(tree.root, 'bench', 'main.js'),
        'connect',
        '--stations',
        '60',
        '--workers',
        '2',
        '--server-entry',
        join(tree.root, 'sim', 'testing', 'fake-csms-main.js'),
        '--results-dir',
        resultsDir,
        '--settle-ms',
        '0',
        '--timeout-s',
        '30',
      ],
      { timeout: 60_000 },
    );
    expect(stdout).toContain('storm target (all 60 Accepted again within 60 s, 0 errors): MET');
    const files = (await readdir(resultsDir)).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^connect-\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
    expect(files[1]).toBe('connect-latest.json');
    const result = JSON.parse(await readFile(join(resultsDir, 'connect-latest.json'), 'utf8')) as ConnectBenchResult;
    expect(result.ok).toBe(true);
    expect(result.config).toMatchObject({ stations: 60, ocpp: 'mixed', workers: 2, storm: true });
    expect(result.connect).toMatchObject({ ready: 60, accepted: 60, errors: 0, timedOut: false });
    expect(result.connect.latency.p50Ms).toBeGreaterThan(0);
    expect(result.storm).toMatchObject({ ready: 60, accepted: 60, errors: 0, withinTarget: true });
    expect(result.server.baseline?.rssKb).toBeGreaterThan(0);
    expect(result.server.afterConnect?.processes).toBe(1);
  });

  const runBench = (extra: string[], dir: string): Promise<{ stdout: string }> =>
    promisify(execFile)(
      process.execPath,
      [
        join(tree.root, 'bench', 'main.js'),
        'connect',
        '--stations',
        '40',
        '--no-storm',
        '--server-entry',
        join(tree.root, 'sim', 'testing', 'fake-csms-main.js'),
        '--results-dir',
        dir,
        '--settle-ms',
        '0',
        '--timeout-s',
        '30',
        ...extra,
      ],
      { timeout: 60_000 },
    );

  it('--deflate --large-frame: every socket negotiates permessage-deflate and sends a large frame', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ampline-bench-deflate-'));
    try {
      const { stdout } = await runBench(['--deflate', '--large-frame', '--workers', '2'], dir);
      expect(stdout).toContain('permessage-deflate: offered by the stations, negotiated on 40 of 40 open sockets');
      const result = JSON.parse(await readFile(join(dir, 'connect-latest.json'), 'utf8')) as ConnectBenchResult;
      expect(result.ok).toBe(true);
      expect(result.config).toMatchObject({ deflate: true, largeFrameBytes: 2048, largeFrameDown: false, serverArgs: [] });
      expect(result.compression).toMatchObject({ offered: true, negotiated: 40, open: 40 });
      expect(result.compression.largeFrame?.up).toEqual({ sent: 40, results: 40, callErrors: 0, failed: 0 });
      expect(result.server.afterLargeFrames?.rssKb).toBeGreaterThan(0);
      expect(result.sim.afterLargeFramesRssKb).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--server-no-compression: stations offer, nothing is negotiated; without --deflate nothing is offered', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ampline-bench-deflate-'));
    try {
      await runBench(['--deflate', '--server-no-compression', '--large-frame', '1500'], dir);
      const off = JSON.parse(await readFile(join(dir, 'connect-latest.json'), 'utf8')) as ConnectBenchResult;
      expect(off.config).toMatchObject({ serverArgs: ['--no-compression'], largeFrameBytes: 1500 });
      expect(off.config.serverCommand).toContain('--no-compression');
      expect(off.compression).toMatchObject({ offered: true, negotiated: 0, open: 40 });
      expect(off.compression.largeFrame?.up.results).toBe(40);
      await runBench(['--server-args=--log-level warn'], dir);
      const plain = JSON.parse(await readFile(join(dir, 'connect-latest.json'), 'utf8')) as ConnectBenchResult;
      expect(plain.compression).toEqual({ offered: false, negotiated: 0, open: 40, largeFrame: null });
      expect(plain.server.afterLargeFrames).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['--large-frame-down'], /--large-frame-down needs --large-frame/],
    [['--large-frame', '100'], /--large-frame must be/],
  ])('%j is one error line and exit code 2', async (args, message) => {
    const run = promisify(execFile)(process.execPath, [join(tree.root, 'bench', 'main.js'), 'connect', ...args]);
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
  });

  it('an unknown flag is one error line and exit code 2', async () => {
    const run = promisify(execFile)(process.execPath, [join(tree.root, 'bench', 'main.js'), 'connect', '--nope']);
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^bench connect: .*--nope/) });
  });
});

describe('processTreeMemory', () => {
  it('reads this process', async () => {
    const memory = await processTreeMemory(process.pid);
    expect(memory.processes).toBeGreaterThanOrEqual(1);
    expect(memory.rssKb).toBeGreaterThan(10_000);
    expect(memory.peakRssKb).toBeGreaterThanOrEqual(memory.rssKb / memory.processes);
  });
});
