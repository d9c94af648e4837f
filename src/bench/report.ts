// Writing benchmark results: a JSON file per run plus `<name>-latest.json`, and a plain table.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemoryMb: number;
  node: string;
  platform: string;
  /** The measured server's checkout's HEAD; null: not a git checkout, or a server the bench did not start. */
  commit: string | null;
  /** Tracked files differ from `commit`: the run was of a working tree, not of that commit. null: no commit known. */
  dirty: boolean | null;
}

/**
 * The machine, and the build in `cwd`: pass the directory of the server that is measured (it may
 * be another worktree); undefined when the bench did not start the server and cannot know its build.
 */
export async function machineInfo(cwd: string | undefined): Promise<MachineInfo> {
  const git = (args: string[]): Promise<string | null> =>
    cwd === undefined
      ? Promise.resolve(null)
      : promisify(execFile)('git', args, { cwd })
          .then((r) => r.stdout)
          .catch(() => null);
  const [head, status] = await Promise.all([git(['rev-parse', '--short', 'HEAD']), git(['status', '--porcelain', '--untracked-files=no'])]);
  const commit = head?.trim() || null;
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    commit,
    dirty: commit === null || status === null ? null : status.trim() !== '',
  };
}

/** The measured build as the result's first line names it: `build abc1234`, `build abc1234 + uncommitted changes`. */
export function buildLabel(machine: MachineInfo): string {
  if (machine.commit === null) return 'build unknown';
  return `build ${machine.commit}${machine.dirty ? ' + uncommitted changes' : ''}`;
}

/** Writes `${name}-<timestamp>.json` and `${name}-latest.json`; returns the first path. */
export async function writeResult(dir: string, name: string, result: unknown, at = new Date()): Promise<string> {
  await mkdir(dir, { recursive: true });
  const text = `${JSON.stringify(result, null, 2)}\n`;
  const stamped = join(dir, `${name}-${at.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(stamped, text);
  await writeFile(join(dir, `${name}-latest.json`), text);
  return stamped;
}

/** Rows of cells, first row the header, columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '))
    .join('\n');
}

export function fmtMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  return `${value.toFixed(value >= 10 ? 1 : 2)} ms`;
}

export function fmtMb(kb: number | null | undefined): string {
  return kb === null || kb === undefined ? '-' : `${(kb / 1024).toFixed(1)} MB`;
}
