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
