// `ampline sim`: runs N simulated stations against a CSMS until SIGINT/SIGTERM, printing a
// status line every few seconds.
import { parseArgs } from 'node:util';
import { errorCount, type SessionPlan, type StationSpec } from './fleet.js';
import type { OcppVersion } from './frames.js';
import { StationPool, summarizeLatency, type PoolStats } from './pool.js';

export { startDemoNetwork, type DemoNetwork, type DemoNetworkOptions } from './demo.js';

export type OcppChoice = OcppVersion | 'mixed';

const USAGE = `usage: ampline sim --url ws://HOST:PORT/ocpp --stations N [options]
  --url URL             CSMS OCPP base URL (default ws://127.0.0.1:8180/ocpp)
  --stations N          number of stations (default 10)
  --ocpp V              1.6 | 2.0.1 | mixed (default 1.6)
  --password PW         HTTP Basic password for every station (user = station id)
  --prefix P            station id prefix (default SIM): SIM-00001 ...
  --connectors N        connectors (1.6) / EVSEs (2.0.1) per station (default 2)
  --sessions            run charging sessions (idle ~60 s, charge ~120 s, meter every 30 s)
  --workers K           worker processes (default: in this process up to 1,000 stations, else 1 per 5,000)
  --max-connecting N    handshakes in flight per worker (default 200)
  --status-every S      seconds between status lines (default 5)`;

export interface SimCommandIo {
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Stops the run like SIGINT does (for tests and embedding). */
  signal?: AbortSignal;
}

function positiveInt(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

class UsageError extends Error {}

export function parseOcppChoice(value: string | undefined): OcppChoice {
  const choice = value ?? '1.6';
  if (choice !== '1.6' && choice !== '2.0.1' && choice !== 'mixed') {
    throw new UsageError(`--ocpp must be 1.6, 2.0.1 or mixed, got '${choice}'`);
  }
  return choice;
}

/** Station ids `${prefix}-00001` ...; `mixed` alternates 1.6 and 2.0.1. */
export function stationSpecs(count: number, prefix: string, ocpp: OcppChoice, password?: string): StationSpec[] {
  const width = Math.max(5, String(count).length);
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${String(i + 1).padStart(width, '0')}`,
    ocppVersion: ocpp === 'mixed' ? (i % 2 === 0 ? '1.6' : '2.0.1') : ocpp,
    ...(password !== undefined ? { password } : {}),
  }));
}

function ms(value: number | null): string {
  return value === null ? '-' : `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
}

export function statusLine(stats: PoolStats): string {
  const latency = summarizeLatency(stats.latency);
  const parts = [
    `${stats.stations} stations`,
    `open ${stats.open}`,
    `accepted ${stats.accepted}`,
    `ready ${stats.ready}`,
    `errors ${errorCount(stats)}`,
    `drops ${stats.drops}`,
  ];
  if (stats.pending > 0) parts.push(`pending ${stats.pending}`);
  if (stats.rejected > 0) parts.push(`rejected ${stats.rejected}`);
  if (stats.sessionsStarted > 0) parts.push(`sessions ${stats.activeSessions} active / ${stats.sessionsEnded} done`);
  parts.push(`rtt p50 ${ms(latency.p50Ms)} p99 ${ms(latency.p99Ms)}`);
  return `sim: ${parts.join(' | ')}`;
}

export async function runSimCommand(argv: string[], io: SimCommandIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => console.log(line));
  const err = io.err ?? ((line: string) => console.error(line));
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        stations: { type: 'string' },
        ocpp: { type: 'string' },
        password: { type: 'string' },
        prefix: { type: 'string' },
        connectors: { type: 'string' },
        sessions: { type: 'boolean' },
        workers: { type: 'string' },
        'max-connecting': { type: 'string' },
        'status-every': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    err(`ampline sim: ${error instanceof Error ? error.message : String(error)} (see ampline sim --help)`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  let stations: StationSpec[];
  let workers: number;
  let connectors: number;
  let maxConnecting: number;
  let statusEveryS: number;
  const url = values.url ?? 'ws://127.0.0.1:8180/ocpp';
  try {
    if (!/^wss?:\/\/[^/]+/.test(url)) throw new UsageError(`--url must be a ws:// or wss:// URL, got '${url}'`);
    const count = positiveInt('stations', values.stations, 10);
    stations = stationSpecs(count, values.prefix ?? 'SIM', parseOcppChoice(values.ocpp), values.password);
    workers = positiveInt('workers', values.workers, count <= 1_000 ? 0 : Math.ceil(count / 5_000), 0);
    connectors = positiveInt('connectors', values.connectors, 2);
    maxConnecting = positiveInt('max-connecting', values['max-connecting'], 200);
    statusEveryS = positiveInt('status-every', values['status-every'], 5);
  } catch (error) {
    err(`ampline sim: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }

  const pool = await StationPool.start({ url, stations, workers, connectors, maxConnecting, reconnectDelayMs: 5_000 });
  let onSignal: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    onSignal = resolve;
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (io.signal?.aborted) resolve('abort');
    io.signal?.addEventListener('abort', () => resolve('abort'), { once: true });
  });
  const printedErrors = new Set<string>();
  const report = (stats: PoolStats): void => {
    out(statusLine(stats));
    for (const sample of stats.errorSamples) {
      if (printedErrors.has(sample) || printedErrors.size >= 20) continue;
      printedErrors.add(sample);
      err(`sim: error ${sample}`);
    }
  };
  const timer = setInterval(() => report(pool.latest()), statusEveryS * 1_000);
  try {
    out(`sim: connecting ${stations.length} stations to ${url} (${pool.workerCount || 'no'} worker processes)`);
    await pool.connectAll();
    if (values.sessions) {
      const plan: SessionPlan = { idleS: 60, durationS: 120, meterIntervalS: 30 };
      await pool.startSessions(plan);
    }
    const signal = await stopped;
    out(`sim: ${signal}, stopping`);
    if (values.sessions) await pool.stopSessions();
    report(await pool.stats());
    return 0;
  } catch (error) {
    err(`ampline sim: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    clearInterval(timer);
    await pool.stop();
  }
}
