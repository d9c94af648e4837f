// `bench connect`: how fast the server takes N stations through connect + boot + status, what
// each connected station costs it in memory, and how it survives every station dropping and
// reconnecting at once (the storm). Target: 19,000 stations Accepted again within 60 s, 0 errors.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseOcppChoice, stationSpecs, type OcppChoice } from '../sim/cli.js';
import { errorCount, type LargeFrameStats } from '../sim/fleet.js';
import { StationPool, summarizeLatency, type LatencySummary, type PoolStats } from '../sim/pool.js';
import { freePort, processMemory, processTreeMemory, ServerProcess, type ProcessMemory } from './server-process.js';
import { fmtMb, fmtMs, machineInfo, table, writeResult, type MachineInfo } from './report.js';
import { renderConnectResult } from './connect-render.js';

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
  /** Stations offer permessage-deflate. Default false. */
  deflate?: boolean;
  /**
   * After the connect phase (and its memory reading) every station sends one DataTransfer
   * padded to this many characters of data: a frame over the 1 KiB deflate threshold.
   */
  largeFrameBytes?: number;
  /**
   * With largeFrameBytes, the server also sends every station one such DataTransfer, through
   * POST /api/v1/stations/:id/ocpp/DataTransfer (needs a spawned Ampline server: the bench
   * gives it an AMPLINE_BOOTSTRAP_TOKEN).
   */
  largeFrameDown?: boolean;
  /** Extra arguments for the spawned server, e.g. ['--no-compression']. */
  serverArgs?: string[];
  log: (line: string) => void;
}

export interface DownFrameStats {
  sent: number;
  /** HTTP 200: the station answered the DataTransfer. */
  answered: number;
  failed: number;
  errorSamples: string[];
}

export interface CompressionResult {
  /** The stations offered permessage-deflate. */
  offered: boolean;
  /** Open sockets whose ws.extensions include permessage-deflate, after the connect phase. */
  negotiated: number;
  open: number;
  largeFrame: {
    bytes: number;
    /** Station → server DataTransfers (a CALLERROR NotSupported answer counts as delivered). */
    up: LargeFrameStats;
    /** Server → station DataTransfers through the REST API; null when not asked for. */
    down: DownFrameStats | null;
    /** From the first frame sent to the last answer. */
    durationMs: number;
  } | null;
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
    deflate: boolean;
    largeFrameBytes: number | null;
    largeFrameDown: boolean;
    serverArgs: string[];
  };
  server: {
    pid: number | null;
    baseline: ProcessMemory | null;
    afterConnect: ProcessMemory | null;
    /** After every large frame was answered (and the settle pause); null without large frames. */
    afterLargeFrames: ProcessMemory | null;
    afterStorm: ProcessMemory | null;
    /** (RSS after connect − baseline) / stations; null when RSS did not grow. */
    rssPerStationKb: number | null;
    /** (RSS after the large frames − baseline) / stations. */
    rssPerStationAfterLargeFramesKb: number | null;
  };
  compression: CompressionResult;
  /** The load generator's worker processes after the connect phase (and after the large frames). */
  sim: { workers: number; rssKb: number; perStationKb: number; afterLargeFramesRssKb: number | null };
  connect: PhaseResult;
  storm: (PhaseResult & { disconnectMs: number; withinTarget: boolean; targetMs: number }) | null;
  ok: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const perStationKb = (from: ProcessMemory | null, to: ProcessMemory | null, stations: number): number | null => {
  const grownKb = from && to ? to.rssKb - from.rssKb : 0;
  return grownKb > 0 ? Math.round((grownKb / stations) * 100) / 100 : null;
};

/** Server → station DataTransfers through the REST API, `parallel` requests at a time. */
async function sendDownFrames(
  baseUrl: string,
  token: string,
  stationIds: readonly string[],
  bytes: number,
  parallel = 32,
): Promise<DownFrameStats> {
  const stats: DownFrameStats = { sent: 0, answered: 0, failed: 0, errorSamples: [] };
  const body = JSON.stringify({ vendorId: 'org.ampline.bench', messageId: 'LargeFrame', data: randomBytes(bytes).toString('base64').slice(0, bytes) });
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let id = stationIds[next++]; id !== undefined; id = stationIds[next++]) {
      stats.sent += 1;
      try {
        const res = await fetch(`${baseUrl}/api/v1/stations/${encodeURIComponent(id)}/ocpp/DataTransfer`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(60_000),
        });
        const text = await res.text();
        if (res.status === 200) stats.answered += 1;
        else throw new Error(`HTTP ${res.status} ${text.slice(0, 200)}`);
      } catch (error) {
        stats.failed += 1;
        if (stats.errorSamples.length < 5) stats.errorSamples.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, stationIds.length) }, lane));
  return stats;
}

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
  // A server at --url is not the bench's to name.
  const machine = await machineInfo(options.url === undefined ? dirname(options.serverEntry) : undefined);
  let server: ServerProcess | null = null;
  let dataDir: string | null = null;
  let pool: StationPool | null = null;
  const largeFrameDown = options.largeFrameBytes !== undefined && options.largeFrameDown === true;
  const apiToken = largeFrameDown ? `amp_bench_${randomBytes(16).toString('hex')}` : null;
  try {
    if (largeFrameDown && (options.url !== undefined || !options.serverEntry.endsWith('ampline.js'))) {
      throw new Error('--large-frame-down needs a spawned Ampline server (no --url, no other --server-entry)');
    }
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
      const args = ['serve', '--port', String(port), '--data', dataDir, '--auto-register', '--log-level', 'warn', ...(options.serverArgs ?? [])];
      log(`bench: starting server: node ${options.serverEntry} ${args.join(' ')}`);
      server = await ServerProcess.start({
        entry: options.serverEntry,
        args,
        port,
        ...(apiToken !== null ? { env: { AMPLINE_BOOTSTRAP_TOKEN: apiToken } } : {}),
      });
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
      ...(options.deflate ? { deflate: true } : {}),
    });
    log(
      `bench: ${options.stations} stations (${options.ocpp}${options.deflate ? ', offering permessage-deflate' : ''}) ` +
        `over ${pool.workerCount} worker processes → ${url}`,
    );

    const progress = setInterval(() => {
      const s = pool?.latest();
      if (s) log(`bench: … open ${s.open}, accepted ${s.accepted}, ready ${s.ready}, errors ${errorCount(s)}`);
    }, 5_000);
    try {
      const connect = await connectPhase(pool, options.stations, options.phaseTimeoutS * 1000);
      log(`bench: connect phase: ${connect.ready}/${options.stations} ready in ${fmtMs(connect.durationMs)}`);
      const afterPhase = await pool.stats();
      const compression: CompressionResult = {
        offered: options.deflate === true,
        negotiated: afterPhase.deflateNegotiated,
        open: afterPhase.open,
        largeFrame: null,
      };
      log(`bench: permessage-deflate negotiated on ${compression.negotiated} of ${compression.open} open sockets`);
      await sleep(options.settleMs);
      const afterConnect = await memory();
      const simMemory = async (): Promise<number> =>
        (await Promise.all(pool?.pids.map((pid) => processMemory(pid)) ?? [])).reduce((sum, m) => sum + (m?.rssKb ?? 0), 0);
      const simRssKb = await simMemory();
      const sim: ConnectBenchResult['sim'] = {
        workers: pool.workerCount,
        rssKb: simRssKb,
        perStationKb: Math.round((simRssKb / Math.max(1, options.stations)) * 10) / 10,
        afterLargeFramesRssKb: null,
      };

      let afterLargeFrames: ProcessMemory | null = null;
      if (options.largeFrameBytes !== undefined) {
        const bytes = options.largeFrameBytes;
        const sentAtMs = Date.now();
        log(`bench: every ready station sends a DataTransfer with ${bytes} characters of data`);
        const up = (await pool.sendLargeFrames(bytes)).largeFrames;
        let down: DownFrameStats | null = null;
        if (largeFrameDown && apiToken !== null && url !== undefined) {
          log(`bench: the server sends every station a DataTransfer with ${bytes} characters of data (REST API)`);
          const ids = stations.map((s) => s.id);
          down = await sendDownFrames(url.replace(/^ws/, 'http').replace(/\/ocpp\/?$/, ''), apiToken, ids, bytes);
        }
        compression.largeFrame = { bytes, up, down, durationMs: Date.now() - sentAtMs };
        log(
          `bench: large frames up: ${up.sent} sent, ${up.results} CALLRESULT, ${up.callErrors} CALLERROR, ${up.failed} failed` +
            (down ? `; down: ${down.sent} sent, ${down.answered} answered, ${down.failed} failed` : ''),
        );
        await sleep(options.settleMs);
        afterLargeFrames = await memory();
        sim.afterLargeFramesRssKb = await simMemory();
      }

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
      const rssPerStationKb = perStationKb(baseline, afterConnect, options.stations);
      const rssPerStationAfterLargeFramesKb = perStationKb(baseline, afterLargeFrames, options.stations);
      const large = compression.largeFrame;
      const largeOk =
        large === null ||
        (large.up.failed === 0 && large.up.sent === options.stations && (large.down === null || large.down.failed === 0));
      const ok = connect.ready === options.stations && connect.errors === 0 && largeOk && (storm === null || storm.withinTarget);
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
          deflate: options.deflate === true,
          largeFrameBytes: options.largeFrameBytes ?? null,
          largeFrameDown,
          serverArgs: options.serverArgs ?? [],
        },
        server: {
          pid: serverPid,
          baseline,
          afterConnect,
          afterLargeFrames,
          afterStorm,
          rssPerStationKb,
          rssPerStationAfterLargeFramesKb,
        },
        compression,
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
  --settle-ms MS          pause before each memory reading (default 2000)
  --deflate               stations offer permessage-deflate (no context takeover, threshold 1 KiB);
                          the result counts the sockets that negotiated it
  --large-frame[=BYTES]   after the connect phase every station sends one DataTransfer padded to
                          BYTES characters of data (default 2048), then memory is read again
  --large-frame-down      with --large-frame: the server also sends every station one (REST API;
                          spawned Ampline server only)
  --server-args="A B"     extra arguments for the spawned server, split on spaces (write it with =
                          when they start with a dash: --server-args="--no-compression")
  --server-no-compression the same as --server-args --no-compression`;

function intOption(name: string, value: string | undefined, fallback: number | undefined, min = 1): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

/**
 * `--large-frame` takes an optional value; parseArgs wants a value for a string option, so the
 * bare flag is rewritten to `--large-frame=` before parsing (see normalizeLargeFrameFlag).
 */
function parseLargeFrame(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === '') return DEFAULT_LARGE_FRAME_BYTES;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1025 || n > 512 * 1024) {
    throw new Error(`--large-frame must be a number of characters from 1025 to 524288, got '${value}'`);
  }
  return n;
}

export const DEFAULT_LARGE_FRAME_BYTES = 2048;

/** `--large-frame` alone (next token another flag or nothing) becomes `--large-frame=`. */
export function normalizeLargeFrameFlag(argv: readonly string[]): string[] {
  return argv.map((arg, i) => {
    if (arg !== '--large-frame') return arg;
    const next = argv[i + 1];
    return next === undefined || next.startsWith('--') ? '--large-frame=' : arg;
  });
}

export async function runConnectCommand(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  let options: ConnectBenchOptions;
  try {
    const { values } = parseArgs({
      args: normalizeLargeFrameFlag(argv),
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
        deflate: { type: 'boolean' },
        'large-frame': { type: 'string' },
        'large-frame-down': { type: 'boolean' },
        'server-args': { type: 'string' },
        'server-no-compression': { type: 'boolean' },
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
    const largeFrameBytes = parseLargeFrame(values['large-frame']);
    if (values['large-frame-down'] && largeFrameBytes === undefined) throw new Error('--large-frame-down needs --large-frame');
    const serverArgs = [
      ...(values['server-args'] ?? '').split(/\s+/).filter((a) => a !== ''),
      ...(values['server-no-compression'] ? ['--no-compression'] : []),
    ];
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
      ...(values.deflate ? { deflate: true } : {}),
      ...(largeFrameBytes !== undefined ? { largeFrameBytes } : {}),
      ...(values['large-frame-down'] ? { largeFrameDown: true } : {}),
      ...(serverArgs.length > 0 ? { serverArgs } : {}),
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
