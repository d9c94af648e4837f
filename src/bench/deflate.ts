// `bench deflate`: what permessage-deflate costs the server per connection. Runs the connect
// bench (no storm) once per mode — stations not offering compression, offering it, offering it
// and exchanging one frame over the 1 KiB threshold (station → server, then both ways), and the
// same against a server started with --no-compression — and writes one summary,
// bench/results/deflate-<timestamp>.json. Goal: with compression negotiated an idle
// connection stays a few kB.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseOcppChoice, type OcppChoice } from '../sim/cli.js';
import { DEFAULT_LARGE_FRAME_BYTES, runConnectBench, type ConnectBenchOptions, type ConnectBenchResult } from './connect.js';
import { fmtMb, machineInfo, table, writeResult, type MachineInfo } from './report.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface DeflateMode {
  name: string;
  deflate: boolean;
  largeFrame: boolean;
  largeFrameDown: boolean;
  serverArgs: string[];
}

export const DEFLATE_MODES: readonly DeflateMode[] = [
  { name: 'plain', deflate: false, largeFrame: false, largeFrameDown: false, serverArgs: [] },
  { name: 'server --no-compression', deflate: false, largeFrame: false, largeFrameDown: false, serverArgs: ['--no-compression'] },
  { name: 'deflate', deflate: true, largeFrame: false, largeFrameDown: false, serverArgs: [] },
  { name: 'deflate + large frame up', deflate: true, largeFrame: true, largeFrameDown: false, serverArgs: [] },
  { name: 'deflate + large frame both ways', deflate: true, largeFrame: true, largeFrameDown: true, serverArgs: [] },
  {
    name: 'server --no-compression, deflate offered + large frame both ways',
    deflate: true,
    largeFrame: true,
    largeFrameDown: true,
    serverArgs: ['--no-compression'],
  },
];

export interface DeflateRow {
  mode: string;
  run: number;
  stations: number;
  serverArgs: string[];
  offered: boolean;
  negotiated: number;
  open: number;
  ready: number;
  errors: number;
  baselineRssKb: number | null;
  afterConnectRssKb: number | null;
  /** (after connect − baseline) / stations: an idle connection. */
  rssPerStationKb: number | null;
  afterLargeFramesRssKb: number | null;
  /** (after the large frames − baseline) / stations. */
  rssPerStationAfterLargeFramesKb: number | null;
  /** (after the large frames − after connect) / stations: what the large frames left behind. */
  largeFrameDeltaPerStationKb: number | null;
  largeFramesUp: string | null;
  largeFramesDown: string | null;
  simPerStationKb: number;
  simAfterLargeFramesPerStationKb: number | null;
  ok: boolean;
}

export interface DeflateBenchResult {
  benchmark: 'deflate';
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  config: { stations: number; ocpp: OcppChoice; largeFrameBytes: number; repeat: number; serverEntry: string };
  rows: DeflateRow[];
  runs: ConnectBenchResult[];
}

const round = (n: number): number => Math.round(n * 100) / 100;

export function deflateRow(mode: DeflateMode, run: number, r: ConnectBenchResult): DeflateRow {
  const stations = r.config.stations;
  const large = r.compression.largeFrame;
  const after = r.server.afterLargeFrames;
  const connected = r.server.afterConnect;
  return {
    mode: mode.name,
    run,
    stations,
    serverArgs: r.config.serverArgs,
    offered: r.compression.offered,
    negotiated: r.compression.negotiated,
    open: r.compression.open,
    ready: r.connect.ready,
    errors: r.connect.errors,
    baselineRssKb: r.server.baseline?.rssKb ?? null,
    afterConnectRssKb: connected?.rssKb ?? null,
    rssPerStationKb: r.server.rssPerStationKb,
    afterLargeFramesRssKb: after?.rssKb ?? null,
    rssPerStationAfterLargeFramesKb: r.server.rssPerStationAfterLargeFramesKb,
    largeFrameDeltaPerStationKb: after && connected ? round((after.rssKb - connected.rssKb) / stations) : null,
    largeFramesUp: large ? `${large.up.sent} sent, ${large.up.results} result, ${large.up.callErrors} callerror, ${large.up.failed} failed` : null,
    largeFramesDown: large?.down ? `${large.down.sent} sent, ${large.down.answered} answered, ${large.down.failed} failed` : null,
    simPerStationKb: r.sim.perStationKb,
    simAfterLargeFramesPerStationKb: r.sim.afterLargeFramesRssKb === null ? null : round(r.sim.afterLargeFramesRssKb / stations),
    ok: r.ok,
  };
}

export function renderDeflateRows(rows: readonly DeflateRow[]): string {
  const kb = (n: number | null): string => (n === null ? '-' : `${n.toFixed(1)} kB`);
  return table([
    ['mode', 'run', 'negotiated', 'server RSS after connect', 'per station idle', 'after large frames', 'per station', 'Δ large frames', 'sim/station', 'ok'],
    ...rows.map((r) => [
      r.mode,
      String(r.run),
      `${r.negotiated}/${r.open}`,
      fmtMb(r.afterConnectRssKb),
      kb(r.rssPerStationKb),
      fmtMb(r.afterLargeFramesRssKb),
      kb(r.rssPerStationAfterLargeFramesKb),
      kb(r.largeFrameDeltaPerStationKb),
      `${r.simPerStationKb.toFixed(1)}${r.simAfterLargeFramesPerStationKb === null ? '' : ` → ${r.simAfterLargeFramesPerStationKb.toFixed(1)}`} kB`,
      r.ok ? 'yes' : 'NO',
    ]),
  ]);
}

const USAGE = `usage: bench deflate [options]
Runs bench connect --no-storm once per mode (${DEFLATE_MODES.map((m) => m.name).join('; ')})
and writes bench/results/deflate-<timestamp>.json.
  --stations N          (default 5000)
  --ocpp V              1.6 | 2.0.1 | mixed (default mixed)
  --large-frame BYTES   characters of DataTransfer data (default ${DEFAULT_LARGE_FRAME_BYTES})
  --repeat K            runs per mode (default 1)
  --modes a,b           only the modes whose names contain one of these words
  --settle-ms MS        pause before each memory reading (default 3000)
  --timeout-s S         (default 180)
  --server-entry PATH   (default bin/ampline.js; the "both ways" modes need it)
  --results-dir DIR     (default bench/results)`;

export async function runDeflateCommand(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  let stations: number;
  let ocpp: OcppChoice;
  let bytes: number;
  let repeat: number;
  let settleMs: number;
  let timeoutS: number;
  let serverEntry: string;
  let resultsDir: string;
  let modes: DeflateMode[];
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        stations: { type: 'string' },
        ocpp: { type: 'string' },
        'large-frame': { type: 'string' },
        repeat: { type: 'string' },
        modes: { type: 'string' },
        'settle-ms': { type: 'string' },
        'timeout-s': { type: 'string' },
        'server-entry': { type: 'string' },
        'results-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      log(USAGE);
      return 0;
    }
    const int = (name: string, raw: string | undefined, fallback: number, min: number): number => {
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${raw}'`);
      return n;
    };
    stations = int('stations', values.stations, 5000, 1);
    ocpp = parseOcppChoice(values.ocpp ?? 'mixed');
    bytes = int('large-frame', values['large-frame'], DEFAULT_LARGE_FRAME_BYTES, 1025);
    repeat = int('repeat', values.repeat, 1, 1);
    settleMs = int('settle-ms', values['settle-ms'], 3000, 0);
    timeoutS = int('timeout-s', values['timeout-s'], 180, 1);
    serverEntry = values['server-entry'] ?? join(PROJECT_ROOT, 'bin', 'ampline.js');
    resultsDir = values['results-dir'] ?? join(PROJECT_ROOT, 'bench', 'results');
    const words = values.modes?.split(',').map((w) => w.trim()).filter((w) => w !== '');
    modes = DEFLATE_MODES.filter((m) => !words || words.some((w) => m.name.includes(w)));
    if (!serverEntry.endsWith('ampline.js')) modes = modes.filter((m) => !m.largeFrameDown);
    if (modes.length === 0) throw new Error('no mode selected');
  } catch (error) {
    console.error(`bench deflate: ${error instanceof Error ? error.message : String(error)} (see bench deflate --help)`);
    return 2;
  }

  const startedAt = new Date();
  const rows: DeflateRow[] = [];
  const runs: ConnectBenchResult[] = [];
  for (let run = 1; run <= repeat; run++) {
    for (const mode of modes) {
      log(`bench deflate: ${mode.name} (run ${run}/${repeat})`);
      const options: ConnectBenchOptions = {
        stations,
        ocpp,
        connectors: 2,
        storm: false,
        serverEntry,
        prefix: 'BENCH',
        phaseTimeoutS: timeoutS,
        stormTargetS: 60,
        resultsDir,
        settleMs,
        log: (line) => log(`  ${line}`),
        deflate: mode.deflate,
        ...(mode.largeFrame ? { largeFrameBytes: bytes, largeFrameDown: mode.largeFrameDown } : {}),
        serverArgs: mode.serverArgs,
      };
      try {
        const result = await runConnectBench(options);
        runs.push(result);
        rows.push(deflateRow(mode, run, result));
      } catch (error) {
        console.error(`bench deflate: ${mode.name}: ${error instanceof Error ? error.message : String(error)}`);
        return 1;
      }
    }
  }
  const result: DeflateBenchResult = {
    benchmark: 'deflate',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: await machineInfo(PROJECT_ROOT),
    config: { stations, ocpp, largeFrameBytes: bytes, repeat, serverEntry },
    rows,
    runs,
  };
  log('');
  log(renderDeflateRows(rows));
  const file = await writeResult(resultsDir, 'deflate', result);
  log('');
  log(`bench: wrote ${file}`);
  return rows.every((r) => r.ok) ? 0 : 1;
}
