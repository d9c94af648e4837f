// `bench sessions`: N stations run back-to-back charging sessions (1.6 Authorize /
// StartTransaction / MeterValues / StopTransaction, 2.0.1 TransactionEvent) with a meter sample
// every S seconds, for D seconds. Reports persisted messages per second, round-trip latency per
// action and errors, then opens the stopped server's database and checks that every reading and
// transaction message answered was stored exactly once (stored-counts.ts has the mapping).
// Targets (2 cores, load generator beside the server): 3,000 persisted msgs/s at p99 ≤ 100 ms on
// PGlite, 10,000 on PostgreSQL.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { parseOcppChoice, stationSpecs, type OcppChoice } from '../sim/cli.js';
import { errorCount, type SessionPlan } from '../sim/fleet.js';
import { StationPool, summarizeLatency, type LatencySummary, type PoolStats } from '../sim/pool.js';
import type { TransactionCounts } from '../sim/tally.js';
import { buildLabel, fmtMs, machineInfo, table, writeResult, type MachineInfo } from './report.js';
import {
  commandCpuSeconds,
  freePort,
  machineCpuSeconds,
  processCpuSeconds,
  scrapeMetric,
  ServerProcess,
  sumCpu,
  threadCpuSeconds,
  threadSplit,
  type ThreadSplit,
} from './server-process.js';
import { compareCounts, readStoredCounts, type StoreCheck } from './stored-counts.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BENCH_ID_TAG = 'BENCH-TAG-0001';

export interface SessionsBenchOptions {
  stations: number;
  /** Seconds between meter samples of a session (fractions allowed). */
  intervalS: number;
  ocpp: OcppChoice;
  durationS: number;
  /** Mean meter intervals per session (±50 %, the fleet's jitter). */
  samplesPerSession: number;
  /** Mean idle time between two sessions of a station, in meter intervals. */
  idleIntervals: number;
  /** Admin URL of a PostgreSQL server: the run gets a fresh database there. Absent: PGlite. */
  databaseUrl?: string;
  serverEntry: string;
  port?: number;
  workers?: number;
  resultsDir: string;
  /** Directory for a V8 CPU profile of the server (node --cpu-prof). */
  serverCpuProfDir?: string;
  /** Directory for V8 CPU profiles of the load generator's worker processes (one per worker). */
  simCpuProfDir?: string;
  /** How long to wait for the sessions to end after the run. */
  drainTimeoutS: number;
  log: (line: string) => void;
}

export interface SessionsBenchResult {
  benchmark: 'sessions';
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  config: {
    stations: number;
    intervalS: number;
    ocpp: OcppChoice;
    durationS: number;
    samplesPerSession: number;
    idleIntervals: number;
    database: 'pglite' | 'postgres';
    workers: number;
    serverCommand: string;
  };
  /** From the first session start to the end of the run (sessions still stopping not included). */
  run: {
    durationMs: number;
    persistedMessages: number;
    persistedPerSecond: number;
    /** Over the second half of the run only (after the start-up burst). */
    steadyPersistedPerSecond: number;
    allCallsPerSecond: number;
    transactions: TransactionCounts;
  };
  /** All counts, including the stop phase. */
  final: TransactionCounts;
  sessions: { started: number; ended: number };
  /** Round trips during the run (the stop phase, every running session stopped at once, not included). */
  latency: LatencySummary;
  latencyByAction: Record<string, LatencySummary>;
  /** Round trips including the stop phase. */
  latencyWithStop: LatencySummary;
  errors: number;
  failures: PoolStats['failures'];
  drops: number;
  errorSamples: string[];
  /** Percent of one core over the run; postgres = every process named postgres (backends that exited are missed). */
  /**
   * Cost per persisted message over the run, robust to other processes sharing the CPU: the
   * server's CPU time (user + system) and the SQL statements it sent (ampline_db_statements_total);
   * simCpuMs: the load generator's worker processes' CPU time, the same way.
   */
  perMessage: { serverCpuMs: number | null; statements: number | null; simCpuMs: number | null };
  cpu: {
    serverPercent: number | null;
    /** Optional: results written before ADR 031 lack it. */
    serverThreads?: ThreadSplit;
    /** Embedded database only: its thread's time running statements, and waiting inside transactions (ADR 031). */
    dbThread?: { busyPercent: number | null; transactionWaitPercent: number | null };
    simPercent: number | null; postgresPercent: number | null; machineBusyPercent: number | null; cores: number };
  store: StoreCheck;
  targets: { persistedPerSecond: number; p99Ms: number; met: boolean };
  ok: boolean;
}

const STATEMENTS_METRIC = 'ampline_db_statements_total';
const DB_THREAD_BUSY_METRIC = 'ampline_db_thread_busy_seconds_total';
const DB_THREAD_WAIT_METRIC = 'ampline_db_thread_transaction_wait_seconds_total';
const round2 = (x: number): number => Math.round(x * 100) / 100;

/** CPU milliseconds per persisted message from two CPU-seconds readings; null when unknown. */
export function perMessageMs(cpuSeconds0: number | null, cpuSeconds1: number | null, persisted: number): number | null {
  if (cpuSeconds0 === null || cpuSeconds1 === null || persisted === 0) return null;
  return Math.round(((cpuSeconds1 - cpuSeconds0) * 1_000_000) / persisted) / 1000;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function runNode(entry: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [entry, ...args], { env }, (err, _stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve()));
  });
}

/** A fresh database on the PostgreSQL server of `adminUrl`, and how to drop it. */
export async function freshPostgresDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ampline_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

const latencyByAction = (stats: PoolStats): Record<string, LatencySummary> =>
  Object.fromEntries(Object.entries(stats.latencyByAction).map(([action, h]) => [action, summarizeLatency(h)]));

const callCount = (stats: PoolStats): number => summarizeLatency(stats.latency).count;

/** Back-to-back sessions of the bench's shape (also used by `bench ceiling`). */
export function sessionPlan(
  options: Pick<SessionsBenchOptions, 'idleIntervals' | 'samplesPerSession' | 'intervalS'>,
  idTag: string,
): SessionPlan {
  return {
    idleS: options.idleIntervals * options.intervalS,
    durationS: options.samplesPerSession * options.intervalS,
    meterIntervalS: options.intervalS,
    idTags: [idTag],
    // One session cycle: the stations' load is level from the start, not one burst of starts.
    firstStartWithinS: (options.idleIntervals + options.samplesPerSession) * options.intervalS,
  };
}

export async function runSessionsBench(options: SessionsBenchOptions): Promise<SessionsBenchResult> {
  const log = options.log;
  const startedAt = new Date();
  const machine = await machineInfo(dirname(options.serverEntry));
  const apiToken = `amp_bench_${randomBytes(16).toString('hex')}`;
  let server: ServerProcess | null = null;
  let pool: StationPool | null = null;
  let dataDir: string | null = null;
  let dropDatabase: (() => Promise<void>) | null = null;
  try {
    const port = options.port ?? (await freePort());
    let env: Record<string, string>;
    let target: { dataDir: string } | { databaseUrl: string };
    if (options.databaseUrl) {
      const fresh = await freshPostgresDatabase(options.databaseUrl);
      dropDatabase = fresh.drop;
      env = { DATABASE_URL: fresh.url };
      target = { databaseUrl: fresh.url };
      log(`bench: fresh PostgreSQL database ${new URL(fresh.url).pathname.slice(1)}`);
    } else {
      dataDir = await mkdtemp(join(tmpdir(), 'ampline-bench-sessions-'));
      env = { DATABASE_URL: '' };
      target = { dataDir };
    }
    log('bench: preparing the database (ampline migrate)');
    const dataArgs = dataDir ? ['--data', dataDir] : [];
    await runNode(options.serverEntry, ['migrate', ...dataArgs], { ...process.env, ...env });
    const args = ['serve', '--port', String(port), ...dataArgs, '--auto-register', '--log-level', 'warn'];
    const nodeArgs: string[] = [];
    if (options.serverCpuProfDir) {
      await mkdir(options.serverCpuProfDir, { recursive: true });
      nodeArgs.push('--cpu-prof', '--cpu-prof-dir', options.serverCpuProfDir);
    }
    log(`bench: starting server: node ${[...nodeArgs, options.serverEntry, ...args].join(' ')}`);
    server = await ServerProcess.start({ entry: options.serverEntry, args, port, nodeArgs, env: { ...env, AMPLINE_BOOTSTRAP_TOKEN: apiToken } });

    // One token for every station; allowConcurrent, since it charges on every station at once.
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ uid: BENCH_ID_TAG, type: 'ISO14443', allowConcurrent: true }),
    });
    if (res.status !== 201) throw new Error(`creating the bench id token: HTTP ${res.status} ${await res.text()}`);

    const url = `ws://127.0.0.1:${port}/ocpp`;
    const simExecArgv: string[] = [];
    if (options.simCpuProfDir) {
      await mkdir(options.simCpuProfDir, { recursive: true });
      simExecArgv.push('--cpu-prof', '--cpu-prof-dir', options.simCpuProfDir);
    }
    pool = await StationPool.start({
      url,
      stations: stationSpecs(options.stations, 'SESS', options.ocpp),
      connectors: 2,
      callTimeoutMs: 30_000,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(simExecArgv.length > 0 ? { execArgv: simExecArgv } : {}),
    });
    log(`bench: ${options.stations} stations (${options.ocpp}) over ${pool.workerCount} worker processes → ${url}`);
    await pool.connectAll();
    const connected = await pool.waitFor((s) => s.ready === options.stations || (s.ready === s.open && s.pending === 0), 180_000);
    if (!connected || connected.ready !== options.stations) {
      throw new Error(`only ${connected?.ready ?? pool.latest().ready} of ${options.stations} stations ready`);
    }
    log(`bench: ${options.stations} stations ready; sessions for ${options.durationS} s, meter every ${options.intervalS} s`);

    await pool.resetStats();
    const statements0 = await scrapeMetric(port, STATEMENTS_METRIC);
    const dbBusy0 = await scrapeMetric(port, DB_THREAD_BUSY_METRIC);
    const dbWait0 = await scrapeMetric(port, DB_THREAD_WAIT_METRIC);
    const serverCpu0 = await processCpuSeconds(server.pid);
    const serverThreads0 = await threadCpuSeconds(server.pid);
    const simCpu0 = await sumCpu(pool.pids);
    const machine0 = await machineCpuSeconds();
    const postgres0 = options.databaseUrl ? await commandCpuSeconds('postgres') : null;
    const t0 = Date.now();
    await pool.startSessions(sessionPlan(options, BENCH_ID_TAG));
    let last = { at: t0, messages: 0 };
    let half: { at: number; messages: number } | null = null;
    const progress = setInterval(() => {
      const s = pool?.latest();
      if (!s) return;
      const now = Date.now();
      const rate = ((s.transactions.messages - last.messages) * 1000) / Math.max(1, now - last.at);
      last = { at: now, messages: s.transactions.messages };
      const lat = summarizeLatency(s.latency);
      log(
        `bench: … ${Math.round((now - t0) / 1000)} s: ${s.transactions.messages} persisted msgs (${Math.round(rate)}/s), ` +
          `sessions ${s.activeSessions} active / ${s.sessionsEnded} done, errors ${errorCount(s)}, p99 ${fmtMs(lat.p99Ms)}`,
      );
    }, 5_000);
    let atEnd: PoolStats;
    try {
      await sleep((options.durationS * 1000) / 2);
      const mid = await pool.stats();
      half = { at: Date.now(), messages: mid.transactions.messages };
      await sleep(Math.max(0, t0 + options.durationS * 1000 - Date.now()));
      atEnd = await pool.stats();
    } finally {
      clearInterval(progress);
    }
    const runMs = Date.now() - t0;
    const serverCpu1 = await processCpuSeconds(server.pid);
    const serverThreads1 = await threadCpuSeconds(server.pid);
    const serverThreads = threadSplit(server.pid, serverThreads0, serverThreads1, runMs / 1000);
    const statements1 = await scrapeMetric(port, STATEMENTS_METRIC);
    const dbBusy1 = await scrapeMetric(port, DB_THREAD_BUSY_METRIC);
    const dbWait1 = await scrapeMetric(port, DB_THREAD_WAIT_METRIC);
    const simCpu1 = await sumCpu(pool.pids);
    const machine1 = await machineCpuSeconds();
    const postgres1 = options.databaseUrl ? await commandCpuSeconds('postgres') : null;
    log('bench: stopping sessions');
    await pool.stopSessions();
    const drained = await pool.waitFor((s) => s.activeSessions === 0 && s.sessionsEnded >= s.sessionsStarted, options.drainTimeoutS * 1000);
    if (!drained) log('bench: sessions did not all end in time');
    await sleep(500); // the StatusNotifications after the last stops
    const final = await pool.stats();
    const workerCount = pool.workerCount;
    const serverCommand = server.command;
    await pool.stop();
    pool = null;
    await server.stop();
    server = null;
    log('bench: server stopped; counting rows in the database');
    const store = compareCounts(final.transactions, await readStoredCounts(target));

    const persisted = atEnd.transactions.messages;
    const latency = summarizeLatency(atEnd.latency);
    const targetRate = options.databaseUrl ? 10_000 : 3_000;
    const steady = half ? ((persisted - half.messages) * 1000) / Math.max(1, t0 + runMs - half.at) : 0;
    const errors = errorCount(final);
    const cores = machine.cpus;
    // Percent of one core, as top shows it.
    const pct = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Math.round(((b - a) * 1000) / runMs * 1000) / 10);
    const result: SessionsBenchResult = {
      benchmark: 'sessions',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine,
      config: {
        stations: options.stations,
        intervalS: options.intervalS,
        ocpp: options.ocpp,
        durationS: options.durationS,
        samplesPerSession: options.samplesPerSession,
        idleIntervals: options.idleIntervals,
        database: options.databaseUrl ? 'postgres' : 'pglite',
        workers: workerCount,
        serverCommand,
      },
      run: {
        durationMs: runMs,
        persistedMessages: persisted,
        persistedPerSecond: Math.round((persisted * 1000) / runMs),
        steadyPersistedPerSecond: Math.round(steady),
        allCallsPerSecond: Math.round((callCount(atEnd) * 1000) / runMs),
        transactions: atEnd.transactions,
      },
      final: final.transactions,
      sessions: { started: final.sessionsStarted, ended: final.sessionsEnded },
      latency,
      latencyByAction: latencyByAction(atEnd),
      latencyWithStop: summarizeLatency(final.latency),
      errors,
      failures: final.failures,
      drops: final.drops,
      errorSamples: final.errorSamples,
      perMessage: {
        serverCpuMs: serverCpu0 === null || serverCpu1 === null || persisted === 0 ? null : round2(((serverCpu1 - serverCpu0) * 1000) / persisted),
        statements: statements0 === null || statements1 === null || persisted === 0 ? null : round2((statements1 - statements0) / persisted),
        simCpuMs: perMessageMs(simCpu0, simCpu1, persisted),
      },
      cpu: {
        serverPercent: pct(serverCpu0, serverCpu1),
        serverThreads,
        ...(options.databaseUrl
          ? {}
          : { dbThread: { busyPercent: pctOfRun(dbBusy0, dbBusy1, runMs), transactionWaitPercent: pctOfRun(dbWait0, dbWait1, runMs) } }),
        simPercent: pct(simCpu0, simCpu1),
        postgresPercent: pct(postgres0, postgres1),
        machineBusyPercent:
          machine0 && machine1 ? Math.round(((machine1.busy - machine0.busy) * 1000) / (machine1.total - machine0.total)) / 10 : null,
        cores,
      },
      store,
      targets: {
        persistedPerSecond: targetRate,
        p99Ms: 100,
        met: Math.round((persisted * 1000) / runMs) >= targetRate && (latency.p99Ms ?? Infinity) <= 100 && errors === 0 && store.exact,
      },
      ok: errors === 0 && store.exact,
    };
    return result;
  } finally {
    await pool?.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    if (dataDir) await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    await dropDatabase?.().catch((error: unknown) => log(`bench: dropping the database failed: ${String(error)}`));
  }
}

/** Seconds-counter growth over a run, in % of its wall time; null when a reading is missing. */
export function pctOfRun(before: number | null, after: number | null, runMs: number): number | null {
  return before === null || after === null ? null : Math.round(((after - before) * 1_000_000) / runMs) / 10;
}

function fmtCheck(c: { expected: number; stored: number; lost: number; doubled: number }): string[] {
  return [String(c.expected), String(c.stored), String(c.lost), String(c.doubled)];
}

export function renderSessionsResult(r: SessionsBenchResult): string {
  const pct = (v: number | null): string => (v === null ? '-' : `${v.toFixed(0)} %`);
  const actions = Object.entries(r.latencyByAction).sort(([a], [b]) => a.localeCompare(b));
  const lines = [
    `sessions benchmark: ${r.config.stations} stations (OCPP ${r.config.ocpp}), meter every ${r.config.intervalS} s, ` +
      `~${r.config.samplesPerSession} samples a session, ${r.config.database}, ${r.config.durationS} s, ` +
      `${r.machine.cpus} CPUs, node ${r.machine.node}, ${buildLabel(r.machine)}`,
    '',
    `persisted messages: ${r.run.persistedMessages} in ${(r.run.durationMs / 1000).toFixed(1)} s = ${r.run.persistedPerSecond}/s ` +
      `(second half ${r.run.steadyPersistedPerSecond}/s; all calls ${r.run.allCallsPerSecond}/s)`,
    `  by action: ${Object.entries(r.run.transactions.byAction).map(([a, n]) => `${a} ${n}`).join(', ')}`,
    `sessions: ${r.sessions.started} started, ${r.sessions.ended} ended; errors ${r.errors} ` +
      `(${Object.entries(r.failures).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}), drops ${r.drops}`,
    `CPU (100 % = one core): server ${pct(r.cpu.serverPercent)}, load generator ${pct(r.cpu.simPercent)}` +
      (r.cpu.postgresPercent !== null ? `, PostgreSQL ${pct(r.cpu.postgresPercent)}` : '') +
      `; machine busy ${pct(r.cpu.machineBusyPercent)} of ${r.cpu.cores} cores (other processes included)`,
    ...(r.cpu.serverThreads
      ? [
          `  server threads: main ${pct(r.cpu.serverThreads.mainPercent)}, busiest other (the embedded database's) ` +
            `${pct(r.cpu.serverThreads.busiestOtherPercent)}, the rest ${pct(r.cpu.serverThreads.restPercent)}`,
        ]
      : []),
    ...(r.cpu.dbThread
      ? [
          `  database thread: running statements ${pct(r.cpu.dbThread.busyPercent)} of the run, ` +
            `waiting inside transactions for the next statement ${pct(r.cpu.dbThread.transactionWaitPercent)}`,
        ]
      : []),
    `per persisted message: server CPU ${r.perMessage.serverCpuMs ?? '-'} ms, SQL statements ${r.perMessage.statements ?? '-'}` +
      `, load generator CPU ${r.perMessage.simCpuMs ?? '-'} ms`,
    '',
    table([
      ['action', 'calls', 'p50', 'p99', 'max'],
      ['all', String(r.latency.count), fmtMs(r.latency.p50Ms), fmtMs(r.latency.p99Ms), fmtMs(r.latency.maxMs)],
      ...actions.map(([a, l]) => [a, String(l.count), fmtMs(l.p50Ms), fmtMs(l.p99Ms), fmtMs(l.maxMs)]),
    ]),
    `(during the run; with the stop phase, every running session stopped at once: ` +
      `p50 ${fmtMs(r.latencyWithStop.p50Ms)}, p99 ${fmtMs(r.latencyWithStop.p99Ms)})`,
    '',
    table([
      ['in the database', 'expected', 'stored', 'lost', 'doubled'],
      ['sessions', ...fmtCheck(r.store.sessions)],
      ['session_events', ...fmtCheck(r.store.sessionEvents)],
      ['meter_samples', ...fmtCheck(r.store.meterSamples)],
      ['sessions not finished', ...fmtCheck(r.store.openSessions)],
    ]),
    `energy: ${r.store.energyWh.expected} Wh sent, ${r.store.energyWh.stored} Wh in sessions.energy_wh; ` +
      `samples without a session: ${r.store.samplesWithoutSession}; same-instant repeats merged: ${r.final.repeatedReadings}`,
    `stored exactly once: ${r.store.exact ? 'YES' : 'NO'}`,
  ];
  const pgStats = r.store.postgresStats;
  if (pgStats) {
    const perMessage = r.final.messages > 0 ? (pgStats.xactCommit / r.final.messages).toFixed(2) : '-';
    lines.push(
      `PostgreSQL (pg_stat_database): ${pgStats.xactCommit} commits (${perMessage} per persisted message, statements run in ` +
        `autocommit), ${pgStats.tupInserted} rows inserted, ${pgStats.tupUpdated} updated, ${pgStats.tupFetched} fetched`,
    );
  }
  if (r.errorSamples.length > 0) lines.push('', 'first errors:', ...r.errorSamples.slice(0, 8).map((s) => `  ${s}`));
  lines.push(
    '',
    `target (${r.targets.persistedPerSecond} persisted msgs/s at p99 ≤ ${r.targets.p99Ms} ms, 0 errors, stored exactly once): ` +
      (r.targets.met ? 'MET' : 'MISSED'),
  );
  return lines.join('\n');
}

const USAGE = `usage: bench sessions --stations N --interval S [options]
  --stations N           stations (default 1000); each runs one session at a time
  --interval S           seconds between meter samples (default 1; fractions allowed)
  --ocpp V               1.6 | 2.0.1 | mixed (default mixed)
  --duration-s D         length of the run (default 60), then every session is stopped
  --samples-per-session K  mean meter intervals per session, ±50 % (default 4)
  --idle-intervals I     mean idle between two sessions, in meter intervals (default 1)
  --database-url URL     PostgreSQL admin URL (or DATABASE_URL): a fresh database is created for
                         the run and dropped after; without it the server runs on PGlite
                         (PostgreSQL on this host: its Unix socket is cheaper than loopback TCP,
                         e.g. postgres://USER@localhost/postgres?host=/var/run/postgresql)
  --pglite               PGlite even when DATABASE_URL is set
  --workers K            sim worker processes (default: one per 5,000 stations)
  --port P               port for the server (default: a free one)
  --server-entry PATH    server entry (default bin/ampline.js)
  --server-cpu-prof DIR  run the server with node --cpu-prof, profile written to DIR
  --sim-cpu-prof DIR     run the load generator's workers with node --cpu-prof, profiles written to DIR
  --results-dir DIR      where JSON results go (default bench/results)
  --drain-timeout-s S    wait this long for the sessions to end (default 60)`;

function numberOption(name: string, value: string | undefined, fallback: number, min: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got '${value}'`);
  }
  return n;
}

export function parseSessionsArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): SessionsBenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      stations: { type: 'string' },
      interval: { type: 'string' },
      ocpp: { type: 'string' },
      'duration-s': { type: 'string' },
      'samples-per-session': { type: 'string' },
      'idle-intervals': { type: 'string' },
      'database-url': { type: 'string' },
      pglite: { type: 'boolean' },
      workers: { type: 'string' },
      port: { type: 'string' },
      'server-entry': { type: 'string' },
      'server-cpu-prof': { type: 'string' },
      'sim-cpu-prof': { type: 'string' },
      'results-dir': { type: 'string' },
      'drain-timeout-s': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const databaseUrl = values.pglite ? undefined : values['database-url'] || env['DATABASE_URL'] || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error(`--database-url must be a postgres:// URL`);
  const workers = values.workers === undefined ? undefined : numberOption('workers', values.workers, 0, 0, true);
  const port = values.port === undefined ? undefined : numberOption('port', values.port, 0, 1, true);
  return {
    stations: numberOption('stations', values.stations, 1000, 1, true),
    intervalS: numberOption('interval', values.interval, 1, 0.05, false),
    ocpp: parseOcppChoice(values.ocpp ?? 'mixed'),
    durationS: numberOption('duration-s', values['duration-s'], 60, 1, false),
    samplesPerSession: numberOption('samples-per-session', values['samples-per-session'], 4, 1, false),
    idleIntervals: numberOption('idle-intervals', values['idle-intervals'], 1, 0.01, false),
    serverEntry: values['server-entry'] ?? join(PROJECT_ROOT, 'bin', 'ampline.js'),
    resultsDir: values['results-dir'] ?? join(PROJECT_ROOT, 'bench', 'results'),
    drainTimeoutS: numberOption('drain-timeout-s', values['drain-timeout-s'], 60, 1, true),
    log,
    ...(databaseUrl !== undefined ? { databaseUrl } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(values['server-cpu-prof'] !== undefined ? { serverCpuProfDir: values['server-cpu-prof'] } : {}),
    ...(values['sim-cpu-prof'] !== undefined ? { simCpuProfDir: values['sim-cpu-prof'] } : {}),
  };
}

export async function runSessionsCommand(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  let options: SessionsBenchOptions;
  try {
    const parsed = parseSessionsArgs(argv, process.env, log);
    if (parsed === 'help') {
      log(USAGE);
      return 0;
    }
    options = parsed;
  } catch (error) {
    console.error(`bench sessions: ${error instanceof Error ? error.message : String(error)} (see bench sessions --help)`);
    return 2;
  }
  let result: SessionsBenchResult;
  try {
    result = await runSessionsBench(options);
  } catch (error) {
    console.error(`bench sessions: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  log('');
  log(renderSessionsResult(result));
  const file = await writeResult(options.resultsDir, 'sessions', result);
  log('');
  log(`bench: wrote ${file}`);
  return result.ok ? 0 : 1;
}
