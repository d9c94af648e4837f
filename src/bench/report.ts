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
  commit: string | null;
}

export async function machineInfo(cwd: string): Promise<MachineInfo> {
  const commit = await promisify(execFile)('git', ['rev-parse', '--short', 'HEAD'], { cwd })
    .then((r) => r.stdout.trim() || null)
    .catch(() => null);
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    commit,
  };
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
