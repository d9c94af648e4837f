// `bench ceiling`: the sessions load (same stations, sessions and meter interval as `bench
// sessions`) against echo-csms.ts, a stand-in CSMS that answers at once and stores nothing. Its
// messages per second are the most this machine can carry with the load generator beside the
// server: what a real server, its database and their CPU must fit under. Prints the rate, the
// generator's and the echo's CPU per message, and writes bench/results/ceiling-*.json.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseOcppChoice, stationSpecs } from '../sim/cli.js';
import { errorCount } from '../sim/fleet.js';
import { StationPool, summarizeLatency, type LatencySummary } from '../sim/pool.js';
import { fmtMs, machineInfo, writeResult, type MachineInfo } from './report.js';
import { freePort, machineCpuSeconds, processCpuSeconds, ServerProcess, sumCpu } from './server-process.js';
import { sessionPlan, type SessionsBenchOptions } from './sessions.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type CeilingOptions = Pick<
  SessionsBenchOptions,
  'stations' | 'intervalS' | 'ocpp' | 'durationS' | 'samplesPerSession' | 'idleIntervals' | 'workers' | 'resultsDir'
>;

export interface CeilingResult {
  benchmark: 'ceiling';
  startedAt: string;
  machine: MachineInfo;
  config: Omit<CeilingOptions, 'resultsDir'>;
  /** Transaction messages (what `bench sessions` counts as persisted) per second. */
  messagesPerSecond: number;
  allCallsPerSecond: number;
  latency: LatencySummary;
  errors: number;
  perMessage: { echoCpuMs: number | null; simCpuMs: number | null };
  cpu: { echoPercent: number | null; simPercent: number | null; machineBusyPercent: number | null };
}

/** A compiled entry: beside this file when built, from dist/ when this runs as TypeScript (tests). */
function builtFile(fromSrc: string): string {
  const beside = fileURLToPath(new URL(`../${fromSrc}`, import.meta.url));
  return existsSync(beside) ? beside : join(PROJECT_ROOT, 'dist', fromSrc);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runCeiling(options: CeilingOptions, log: (line: string) => void): Promise<CeilingResult> {
  const startedAt = new Date();
  const machine = await machineInfo(PROJECT_ROOT);
  const port = await freePort();
  const entry = builtFile('bench/echo-csms.js');
  const echo = await ServerProcess.start({ entry, args: ['--port', String(port)], port });
  let pool: StationPool | null = null;
  try {
    pool = await StationPool.start({
      url: `ws://127.0.0.1:${port}/ocpp`,
      stations: stationSpecs(options.stations, 'CEIL', options.ocpp),
      connectors: 2,
      callTimeoutMs: 30_000,
      workerPath: builtFile('sim/worker.js'),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    await pool.connectAll();
    const ready = await pool.waitFor((s) => s.ready === options.stations, 120_000);
    if (!ready) throw new Error(`only ${pool.latest().ready} of ${options.stations} stations ready`);
    log(`ceiling: ${options.stations} stations ready against the echo CSMS; sessions for ${options.durationS} s`);
    await pool.resetStats();
    const [echo0, sim0, machine0] = [await processCpuSeconds(echo.pid), await sumCpu(pool.pids), await machineCpuSeconds()];
    const t0 = Date.now();
    await pool.startSessions(sessionPlan(options, 'CEILING-TAG'));
    await sleep(options.durationS * 1000);
    const stats = await pool.stats();
    const runMs = Date.now() - t0;
    const [echo1, sim1, machine1] = [await processCpuSeconds(echo.pid), await sumCpu(pool.pids), await machineCpuSeconds()];
    const messages = stats.transactions.messages;
    const latency = summarizeLatency(stats.latency);
    const perMsg = (a: number | null, b: number | null): number | null =>
      a === null || b === null || messages === 0 ? null : Math.round(((b - a) * 1e6) / messages) / 1000;
    const pct = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Math.round(((b - a) * 1e6) / runMs) / 10);
    const { resultsDir: _dir, ...config } = options;
    return {
      benchmark: 'ceiling',
      startedAt: startedAt.toISOString(),
      machine,
      config,
      messagesPerSecond: Math.round((messages * 1000) / runMs),
      allCallsPerSecond: Math.round((latency.count * 1000) / runMs),
      latency,
      errors: errorCount(stats),
      perMessage: { echoCpuMs: perMsg(echo0, echo1), simCpuMs: perMsg(sim0, sim1) },
      cpu: {
        echoPercent: pct(echo0, echo1),
        simPercent: pct(sim0, sim1),
        machineBusyPercent: machine0 && machine1 ? Math.round(((machine1.busy - machine0.busy) * 1000) / (machine1.total - machine0.total)) / 10 : null,
      },
    };
  } finally {
    await pool?.stop().catch(() => undefined);
    await echo.stop().catch(() => undefined);
  }
}

export function renderCeiling(r: CeilingResult): string {
  const pct = (v: number | null): string => (v === null ? '-' : `${v.toFixed(0)} %`);
  return [
    `ceiling: ${r.config.stations} stations (OCPP ${r.config.ocpp}), meter every ${r.config.intervalS} s, against a CSMS that answers at once and stores nothing`,
    `transaction messages: ${r.messagesPerSecond}/s (all calls ${r.allCallsPerSecond}/s), p50 ${fmtMs(r.latency.p50Ms)}, p99 ${fmtMs(r.latency.p99Ms)}, errors ${r.errors}`,
    `CPU (100 % = one core): load generator ${pct(r.cpu.simPercent)}, echo CSMS ${pct(r.cpu.echoPercent)}; machine busy ${pct(r.cpu.machineBusyPercent)} of ${r.machine.cpus} cores`,
    `per transaction message: load generator ${r.perMessage.simCpuMs ?? '-'} ms, echo CSMS ${r.perMessage.echoCpuMs ?? '-'} ms of CPU`,
  ].join('\n');
}

const USAGE = `usage: bench ceiling [options]   (the same load as bench sessions, against a CSMS that stores nothing)
  --stations N  --interval S  --ocpp 1.6|2.0.1|mixed  --duration-s D  --samples-per-session K
  --idle-intervals I  --workers K  --results-dir DIR   (defaults as bench sessions)`;

export async function runCeilingCommand(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  let options: CeilingOptions;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: Object.fromEntries(
        ['stations', 'interval', 'ocpp', 'duration-s', 'samples-per-session', 'idle-intervals', 'workers', 'results-dir'].map((k) => [k, { type: 'string' as const }]),
      ),
    });
    const num = (name: string, fallback: number, min: number): number => {
      const raw = values[name];
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got '${String(raw)}'`);
      return n;
    };
    options = {
      stations: Math.round(num('stations', 1000, 1)),
      intervalS: num('interval', 1, 0.05),
      ocpp: parseOcppChoice(String(values['ocpp'] ?? 'mixed')),
      durationS: num('duration-s', 30, 1),
      samplesPerSession: num('samples-per-session', 4, 1),
      idleIntervals: num('idle-intervals', 1, 0.01),
      resultsDir: String(values['results-dir'] ?? join(PROJECT_ROOT, 'bench', 'results')),
      ...(values['workers'] !== undefined ? { workers: Math.round(num('workers', 0, 0)) } : {}),
    };
  } catch (error) {
    console.error(`bench ceiling: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const result = await runCeiling(options, log);
  log('');
  log(renderCeiling(result));
  log(`bench: wrote ${await writeResult(options.resultsDir, 'ceiling', result)}`);
  return result.errors === 0 ? 0 : 1;
}
