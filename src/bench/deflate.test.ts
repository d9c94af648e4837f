import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transpileForChildProcesses, type TranspiledTree } from '../sim/testing/transpile.js';
import type { DeflateBenchResult } from './deflate.js';

let tree: TranspiledTree;
let resultsDir: string;

beforeAll(async () => {
  tree = await transpileForChildProcesses(['sim', 'bench']);
  resultsDir = await mkdtemp(join(tmpdir(), 'ampline-bench-deflate-'));
});

afterAll(async () => {
  await tree.cleanup();
  await rm(resultsDir, { recursive: true, force: true });
});

describe('bench deflate', () => {
  it('runs the selected modes against the fake CSMS and writes deflate-<timestamp>.json', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(tree.root, 'bench', 'main.js'),
        'deflate',
        '--stations',
        '20',
        '--modes',
        'plain,large frame up',
        '--server-entry',
        join(tree.root, 'sim', 'testing', 'fake-csms-main.js'),
        '--results-dir',
        resultsDir,
        '--settle-ms',
        '0',
      ],
      { timeout: 60_000 },
    );
    expect(stdout).toContain('deflate + large frame up');
    const files = (await readdir(resultsDir)).sort();
    expect(files).toEqual([expect.stringMatching(/^deflate-\d{4}-\d\d-\d\dT[\d-]+Z\.json$/), 'deflate-latest.json']);
    const result = JSON.parse(await readFile(join(resultsDir, 'deflate-latest.json'), 'utf8')) as DeflateBenchResult;
    expect(result.rows.map((r) => [r.mode, r.negotiated, r.ok])).toEqual([
      ['plain', 0, true],
      ['deflate + large frame up', 20, true],
    ]);
    expect(result.rows[1]?.largeFramesUp).toBe('20 sent, 20 result, 0 callerror, 0 failed');
    expect(result.rows[1]?.afterLargeFramesRssKb).toBeGreaterThan(0);
    expect(result.runs).toHaveLength(2);
  });
});
