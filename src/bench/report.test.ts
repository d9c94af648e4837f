import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildLabel, machineInfo } from './report.js';

// A result file names the build it measured: the commit of the server's checkout, and whether
// the run was of a working tree with changes to tracked files (then the commit is only its parent).

describe('machineInfo', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const scratch = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ampline-report-'));
    dirs.push(dir);
    return dir;
  };
  const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

  it('names the checkout it is given, clean or with changed tracked files; new untracked files (result files) do not count', async () => {
    const repo = scratch();
    git(repo, 'init', '-q');
    writeFileSync(join(repo, 'server.js'), 'one\n');
    git(repo, 'add', 'server.js');
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-qm', 'one');
    const head = git(repo, 'rev-parse', '--short', 'HEAD');
    writeFileSync(join(repo, 'result.json'), '{}\n');
    const clean = await machineInfo(repo);
    expect(clean).toMatchObject({ commit: head, dirty: false });
    expect(buildLabel(clean)).toBe(`build ${head}`);
    writeFileSync(join(repo, 'server.js'), 'two\n');
    const changed = await machineInfo(repo);
    expect(changed).toMatchObject({ commit: head, dirty: true });
    expect(buildLabel(changed)).toBe(`build ${head} + uncommitted changes`);
  });

  it('outside a git checkout, or for a server the bench did not start: no commit, and no claim either way', async () => {
    for (const cwd of [scratch(), undefined]) {
      const info = await machineInfo(cwd);
      expect(info).toMatchObject({ commit: null, dirty: null });
      expect(buildLabel(info)).toBe('build unknown');
      expect(info.cpus).toBeGreaterThan(0);
    }
  });
});
