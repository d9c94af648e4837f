// `bench connect`: how fast the server takes N stations through connect + boot + status, what
// each connected station costs it in memory, and how it survives every station dropping and
// reconnecting at once (the storm). Target: 19,000 stations Accepted again within 60 s, 0 errors.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseOcppChoice, stationSpecs, type OcppChoice } from '../sim/cli.js';
import { errorCount } from '../sim/fleet.js';
import { StationPool, summarizeLatency, type LatencySummary, type PoolStats } from '../sim/pool.js';
import { freePort, processMemory, processTreeMemory, ServerProcess, type ProcessMemory } from './server-process.js';
import { fmtMb, fmtMs, machineInfo, table, writeResult, type MachineInfo } from './report.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ConnectBenchOptions {
  stations: number;
  ocpp: OcppChoice;
  connectors: number;
  storm: boolean;
  /** Port for the spawned server; default a free one. */
  port?: number;
  /** Bench a server that is already running instead of spawning one. */
  url?: string;
  /** With `url`: the server's pid, to read its memory. */
  serverPid?: number;
  /** JavaScript entry run as `node <entry> serve --port P --data D --auto-register --log-level warn`. */
  serverEntry: string;
  workers?: number;
  stationsPerWorker?: number;
  maxConnecting?: number;
  prefix: string;
  /** Give up waiting for a phase after this long. */
  phaseTimeoutS: number;
  stormTargetS: number;
  resultsDir: string;
  /** Pause before reading memory, so the server settles. */
  settleMs: number;
  workerPath?: string;
  log: (line: string) => void;
}

export interface PhaseResult {
  /** From the first connect attempt to the last station ready (Accepted + statuses answered). */
  durationMs: number | null;
  /** From the first connect attempt to the last BootNotification Accepted. */
  allAcceptedMs: number | null;
  stationsPerSecond: number | null;
  accepted: number;
  ready: number;
  errors: number;
  failures: PoolStats['failures'];
  drops: number;
  errorSamples: string[];
  /** Round trip of every OCPP CALL the stations sent. */
  latency: LatencySummary;
  latencyByAction: Record<string, LatencySummary>;
  /** WebSocket handshakes: TCP connect to upgrade done. */
  handshake: LatencySummary;
  timedOut: boolean;
}

export interface ConnectBenchResult {
  benchmark: 'connect';
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  config: {
    stations: number;
    ocpp: OcppChoice;
    connectors: number;
    workers: number;
    maxConnecting: number;
    storm: boolean;
    url: string;
    serverCommand: string | null;
  };
  server: {
    pid: number | null;
    baseline: ProcessMemory | null;
    afterConnect: ProcessMemory | null;
    afterStorm: ProcessMemory | null;
    /** (RSS after connect − baseline) / stations; null when RSS did not grow. */
    rssPerStationKb: number | null;
  };
  /** The load generator's worker processes after the connect phase. */
  sim: { workers: number; rssKb: number; perStationKb: number };
  connect: PhaseResult;
  storm: (PhaseResult & { disconnectMs: number; withinTarget: boolean; targetMs: number }) | null;
  ok: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function phaseResult(stats: PoolStats, startedAtMs: number, timedOut: boolean): PhaseResult {
  const durationMs = stats.lastReadyAtMs === null ? null : stats.lastReadyAtMs - startedAtMs;
  const latencyByAction: Record<string, LatencySummary> = {};
  for (const [action, h] of Object.entries(stats.latencyByAction)) latencyByAction[action] = summarizeLatency(h);
  return {
    durationMs,
    allAcceptedMs: stats.lastAcceptedAtMs === null ? null : stats.lastAcceptedAtMs - startedAtMs,
    stationsPerSecond: durationMs ? Math.round((stats.ready / durationMs) * 1000) : null,
    accepted: stats.accepted,
    ready: stats.ready,
    errors: errorCount(stats),
    failures: stats.failures,
    drops: stats.drops,
    errorSamples: stats.errorSamples,
    latency: summarizeLatency(stats.latency),
    latencyByAction,
    handshake: summarizeLatency(stats.handshake),
    timedOut,
  };
}

/** Connects every station, waits until all are ready (or no open station is still booting). */
async function connectPhase(pool: StationPool, total: number, timeoutMs: number): Promise<PhaseResult> {
  await pool.resetStats();
  const startedAtMs = Date.now();
  await pool.connectAll();
  const done = await pool.waitFor((s) => s.ready === total || (s.ready === s.open && s.pending === 0), timeoutMs);
  const stats = await pool.stats();
  return phaseResult(stats, startedAtMs, done === null);
}

export async function runConnectBench(options: ConnectBenchOptions): Promise<ConnectBenchResult> {
  const log = options.log;
  const startedAt = new Date();
  const machine = await machineInfo(PROJECT_ROOT);
  let server: ServerProcess | null = null;
  let dataDir: string | null = null;
  let pool: StationPool | null = null;
  try {
    let url = options.url;
    let serverPid = options.serverPid ?? null;
    if (!url) {
      const port = options.port ?? (await freePort());
      dataDir = await mkdtemp(join(tmpdir(), 'ampline-bench-'));
      // initdb runs in a process of its own, as on any server restarted on its data: its
      // one-off memory peak is not the serving process's.
      if (options.serverEntry.endsWith('ampline.js')) {
        log('bench: preparing the data directory (ampline migrate)');
        await new Promise<void>((resolve, reject) => {
          execFile(process.execPath, [options.serverEntry, 'migrate', '--data', dataDir as string], (err) => (err ? reject(err) : resolve()));
        });
      }
      const args = ['serve', '--port', String(port), '--data', dataDir, '--auto-register', '--log-level', 'warn'];
      log(`bench: starting server: node ${options.serverEntry} ${args.join(' ')}`);
      server = await ServerProcess.start({ entry: options.serverEntry, args, port });
      url = `ws://127.0.0.1:${port}/ocpp`;
      serverPid = server.pid;
    }
    const memory = async (): Promise<ProcessMemory | null> =>
      serverPid === null ? null : processTreeMemory(serverPid).catch(() => null);

    await sleep(options.settleMs);
    const baseline = await memory();
    const stations = stationSpecs(options.stations, options.prefix, options.ocpp);
    pool = await StationPool.start({
      url,
      stations,
      connectors: options.connectors,
      callTimeoutMs: 60_000,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.stationsPerWorker !== undefined ? { stationsPerWorker: options.stationsPerWorker } : {}),
      ...(options.maxConnecting !== undefined ? { maxConnecting: options.maxConnecting } : {}),
      ...(options.workerPath !== undefined ? { workerPath: options.workerPath } : {}),
    });
    log(`bench: ${options.stations} stations (${options.ocpp}) over ${pool.workerCount} worker processes → ${url}`);

    const progress = setInterval(() => {
      const s = pool?.latest();
      if (s) log(`bench: … open ${s.open}, accepted ${s.accepted}, ready ${s.ready}, errors ${errorCount(s)}`);
    }, 5_000);
    try {
      const connect = await connectPhase(pool, options.stations, options.phaseTimeoutS * 1000);
      log(`bench: connect phase: ${connect.ready}/${options.stations} ready in ${fmtMs(connect.durationMs)}`);
      await sleep(options.settleMs);
      const afterConnect = await memory();
      const simParts = await Promise.all(pool.pids.map((pid) => processMemory(pid)));
      const simRssKb = simParts.reduce((sum, m) => sum + (m?.rssKb ?? 0), 0);
      const sim = {
        workers: pool.workerCount,
        rssKb: simRssKb,
        perStationKb: Math.round((simRssKb / Math.max(1, options.stations)) * 10) / 10,
      };

      let storm: ConnectBenchResult['storm'] = null;
      let afterStorm: ProcessMemory | null = null;
      if (options.storm) {
        await pool.resetStats();
        const dropStartedMs = Date.now();
        await pool.disconnectAll();
        const disconnectMs = Date.now() - dropStartedMs;
        log(`bench: storm: ${options.stations} connections dropped in ${fmtMs(disconnectMs)}, reconnecting all`);
        const phase = await connectPhase(pool, options.stations, options.phaseTimeoutS * 1000);
        const targetMs = options.stormTargetS * 1000;
        storm = {
          ...phase,
          disconnectMs,
          targetMs,
          withinTarget:
            phase.accepted === options.stations && phase.errors === 0 && (phase.allAcceptedMs ?? Infinity) <= targetMs,
        };
        await sleep(options.settleMs);
        afterStorm = await memory();
      }

      // Null when memory fell meanwhile (start-up garbage collected late): no per-station figure then.
      const grownKb = baseline && afterConnect ? afterConnect.rssKb - baseline.rssKb : 0;
      const rssPerStationKb = grownKb > 0 ? Math.round((grownKb / options.stations) * 100) / 100 : null;
      const ok = connect.ready === options.stations && connect.errors === 0 && (storm === null || storm.withinTarget);
      return {
        benchmark: 'connect',
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        machine,
        config: {
          stations: options.stations,
          ocpp: options.ocpp,
          connectors: options.connectors,
          workers: pool.workerCount,
          maxConnecting: options.maxConnecting ?? 200,
          storm: options.storm,
          url,
          serverCommand: server?.command ?? null,
        },
        server: { pid: serverPid, baseline, afterConnect, afterStorm, rssPerStationKb },
        sim,
        connect,
        storm,
        ok,
      };
    } finally {
      clearInterval(progress);
    }
  } finally {
    await pool?.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    if (dataDir) await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

export function renderConnectResult(r: ConnectBenchResult): string {
  const phases: [string, PhaseResult | null][] = [
    ['connect', r.connect],
    ['storm', r.storm],
  ];
  const row = (label: string, cell: (p: PhaseResult) => string): string[] => [
    label,
    ...phases.map(([, p]) => (p ? cell(p) : '-')),
  ];
  const lines = [
    `connect benchmark: ${r.config.stations} stations (OCPP ${r.config.ocpp}, ${r.config.connectors} connectors), ` +
      `${r.config.workers} sim workers, ${r.machine.cpus} CPUs, node ${r.machine.node}`,
    '',
    table([
      ['', 'connect', 'storm (drop all, reconnect all)'],
      row('all ready after', (p) => fmtMs(p.durationMs)),
      row('all Accepted after', (p) => fmtMs(p.allAcceptedMs)),
      row('stations/s (ready)', (p) => (p.stationsPerSecond === null ? '-' : String(p.stationsPerSecond))),
      row('accepted / ready', (p) => `${p.accepted} / ${p.ready}`),
      row('errors', (p) => String(p.errors)),
      row('drops by server', (p) => String(p.drops)),
      row('rtt p50 / p99', (p) => `${fmtMs(p.latency.p50Ms)} / ${fmtMs(p.latency.p99Ms)}`),
      row('handshake p50 / p99', (p) => `${fmtMs(p.handshake.p50Ms)} / ${fmtMs(p.handshake.p99Ms)}`),
      row('Boot rtt p50 / p99', (p) => {
        const boot = p.latencyByAction.BootNotification;
        return boot ? `${fmtMs(boot.p50Ms)} / ${fmtMs(boot.p99Ms)}` : '-';
      }),
      row('timed out', (p) => (p.timedOut ? 'yes' : 'no')),
    ]),
    '',
    table([
      ['server memory (RSS, process tree)', ''],
      ['baseline', fmtMb(r.server.baseline?.rssKb)],
      ['after connect', fmtMb(r.server.afterConnect?.rssKb)],
      ['per station', r.server.rssPerStationKb === null ? '-' : `${r.server.rssPerStationKb.toFixed(1)} kB`],
      ['after storm', fmtMb(r.server.afterStorm?.rssKb)],
      ['peak (VmHWM)', fmtMb((r.server.afterStorm ?? r.server.afterConnect)?.peakRssKb)],
      ['load generator (all workers)', `${fmtMb(r.sim.rssKb)} (${r.sim.perStationKb.toFixed(1)} kB/station)`],
    ]),
  ];
  const samples = [...r.connect.errorSamples, ...(r.storm?.errorSamples ?? [])];
  if (samples.length > 0) lines.push('', 'first errors:', ...samples.slice(0, 8).map((s) => `  ${s}`));
  if (r.storm) {
    lines.push(
      '',
      `storm target (all ${r.config.stations} Accepted again within ${r.storm.targetMs / 1000} s, 0 errors): ` +
        (r.storm.withinTarget ? 'MET' : 'MISSED'),
    );
  }
  return lines.join('\n');
}

const USAGE = `usage: bench connect --stations N [options]
  --stations N            stations to connect (default 1000)
  --ocpp V                1.6 | 2.0.1 | mixed (default mixed)
  --connectors N          connectors / EVSEs per station (default 2)
  --port P                port for the spawned server (default: a free port)
  --storm / --no-storm    drop and reconnect every station after the connect phase (default on)
  --workers K             sim worker processes (default: one per 5,000 stations)
  --stations-per-worker M (default 5000)
  --max-connecting N      handshakes in flight per worker (default 200)
  --timeout-s S           give up a phase after S seconds (default 180)
  --storm-target-s S      storm target (default 60)
  --server-entry PATH     server entry run with node (default bin/ampline.js)
  --url URL               bench an already running server instead (memory needs --server-pid)
  --server-pid PID
  --results-dir DIR       where JSON results go (default bench/results)
  --settle-ms MS          pause before each memory reading (default 2000)`;

function intOption(name: string, value: string | undefined, fallback: number | undefined, min = 1): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

export async function runConnectCommand(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  let options: ConnectBenchOptions;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        stations: { type: 'string' },
        ocpp: { type: 'string' },
        connectors: { type: 'string' },
        port: { type: 'string' },
        storm: { type: 'boolean' },
        'no-storm': { type: 'boolean' },
        workers: { type: 'string' },
        'stations-per-worker': { type: 'string' },
        'max-connecting': { type: 'string' },
        'timeout-s': { type: 'string' },
        'storm-target-s': { type: 'string' },
        'server-entry': { type: 'string' },
        url: { type: 'string' },
        'server-pid': { type: 'string' },
        'results-dir': { type: 'string' },
        'settle-ms': { type: 'string' },
        prefix: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      log(USAGE);
      return 0;
    }
    const workers = intOption('workers', values.workers, undefined, 0);
    const stationsPerWorker = intOption('stations-per-worker', values['stations-per-worker'], undefined);
    const maxConnecting = intOption('max-connecting', values['max-connecting'], undefined);
    const port = intOption('port', values.port, undefined);
    const serverPid = intOption('server-pid', values['server-pid'], undefined);
    options = {
      stations: intOption('stations', values.stations, 1000) ?? 1000,
      ocpp: parseOcppChoice(values.ocpp ?? 'mixed'),
      connectors: intOption('connectors', values.connectors, 2) ?? 2,
      storm: values['no-storm'] ? false : (values.storm ?? true),
      serverEntry: values['server-entry'] ?? join(PROJECT_ROOT, 'bin', 'ampline.js'),
      prefix: values.prefix ?? 'BENCH',
      phaseTimeoutS: intOption('timeout-s', values['timeout-s'], 180) ?? 180,
      stormTargetS: intOption('storm-target-s', values['storm-target-s'], 60) ?? 60,
      resultsDir: values['results-dir'] ?? join(PROJECT_ROOT, 'bench', 'results'),
      settleMs: intOption('settle-ms', values['settle-ms'], 2_000, 0) ?? 2_000,
      log,
      ...(workers !== undefined ? { workers } : {}),
      ...(stationsPerWorker !== undefined ? { stationsPerWorker } : {}),
      ...(maxConnecting !== undefined ? { maxConnecting } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(values.url !== undefined ? { url: values.url } : {}),
      ...(serverPid !== undefined ? { serverPid } : {}),
    };
  } catch (error) {
    console.error(`bench connect: ${error instanceof Error ? error.message : String(error)} (see bench connect --help)`);
    return 2;
  }
  let result: ConnectBenchResult;
  try {
    result = await runConnectBench(options);
  } catch (error) {
    console.error(`bench connect: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  log('');
  log(renderConnectResult(result));
  const file = await writeResult(options.resultsDir, 'connect', result);
  log('');
  log(`bench: wrote ${file}`);
  return 0;
}
