// The load generator's parent side: spreads stations over worker processes (a process may
// hold at most 20,000 open files) and over source addresses 127.0.0.2-254 (one source IP
// has ~28k ephemeral ports), and merges the workers' counters and latency histograms.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  emptyFailures,
  emptyLargeFrames,
  Fleet,
  type FleetSettings,
  type FleetStats,
  type SessionPlan,
  type StationSpec,
} from './fleet.js';
import { LatencyHistogram, type HistogramJSON } from './histogram.js';
import { isFromWorker, type ToWorker, type WorkerCommand } from './ipc.js';
import { emptyTransactionCounts, mergeTransactionCounts } from './tally.js';

export const DEFAULT_STATIONS_PER_WORKER = 5_000;
const MAX_ERROR_SAMPLES = 10;

export interface PoolOptions extends FleetSettings {
  stations: StationSpec[];
  /** Worker processes; 0 runs the stations in this process. Default: one per 5,000 stations. */
  workers?: number;
  stationsPerWorker?: number;
  /** 'auto' (default): round robin over 127.0.0.2-254 when the CSMS is on an IPv4 loopback address. */
  sourceAddresses?: 'auto' | 'none' | readonly string[];
  /** Compiled worker entry; default worker.js beside this file. */
  workerPath?: string;
  execArgv?: string[];
  /** How often workers push their counters while they change. Default 250 ms. */
  statsIntervalMs?: number;
}

export interface PoolStats extends FleetStats {
  workers: number;
}

export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  meanMs: number | null;
  maxMs: number;
}

export function summarizeLatency(json: HistogramJSON): LatencySummary {
  const h = LatencyHistogram.fromJSON(json);
  return { count: h.count, p50Ms: h.quantile(0.5), p99Ms: h.quantile(0.99), meanMs: h.meanMs(), maxMs: h.maxMs };
}

/** 127.0.0.2 ... 127.0.0.254, round robin by station index. */
export function loopbackSourceAddress(index: number): string {
  return `127.0.0.${2 + (index % 253)}`;
}

function isIpv4Loopback(url: string): boolean {
  try {
    return /^127\.\d+\.\d+\.\d+$/.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** Gives each station a source address, unless it has one or the mode says not to. */
export function assignSourceAddresses(
  stations: readonly StationSpec[],
  url: string,
  mode: PoolOptions['sourceAddresses'] = 'auto',
): StationSpec[] {
  if (mode === 'none' || (mode === 'auto' && !isIpv4Loopback(url))) return [...stations];
  const pick = (i: number): string =>
    mode === 'auto' ? loopbackSourceAddress(i) : (mode[i % mode.length] ?? loopbackSourceAddress(i));
  return stations.map((s, i) => (s.localAddress ? s : { ...s, localAddress: pick(i) }));
}

export function mergeStats(parts: readonly FleetStats[]): PoolStats {
  const latency = new LatencyHistogram();
  const handshake = new LatencyHistogram();
  const byAction = new Map<string, LatencyHistogram>();
  const failures = emptyFailures();
  const merged: PoolStats = {
    workers: parts.length,
    stations: 0,
    open: 0,
    deflateNegotiated: 0,
    accepted: 0,
    pending: 0,
    rejected: 0,
    ready: 0,
    failures,
    drops: 0,
    errorSamples: [],
    latency: latency.toJSON(),
    latencyByAction: {},
    handshake: handshake.toJSON(),
    lastAcceptedAtMs: null,
    lastReadyAtMs: null,
    sessionsStarted: 0,
    sessionsEnded: 0,
    activeSessions: 0,
    largeFrames: emptyLargeFrames(),
    transactions: emptyTransactionCounts(),
  };
  const latest = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));
  for (const p of parts) {
    merged.stations += p.stations;
    merged.open += p.open;
    merged.deflateNegotiated += p.deflateNegotiated;
    for (const kind of Object.keys(merged.largeFrames) as (keyof PoolStats['largeFrames'])[]) {
      merged.largeFrames[kind] += p.largeFrames[kind];
    }
    merged.accepted += p.accepted;
    merged.pending += p.pending;
    merged.rejected += p.rejected;
    merged.ready += p.ready;
    merged.drops += p.drops;
    merged.sessionsStarted += p.sessionsStarted;
    merged.sessionsEnded += p.sessionsEnded;
    merged.activeSessions += p.activeSessions;
    for (const kind of Object.keys(failures) as (keyof typeof failures)[]) failures[kind] += p.failures[kind];
    for (const sample of p.errorSamples) if (merged.errorSamples.length < MAX_ERROR_SAMPLES) merged.errorSamples.push(sample);
    latency.merge(p.latency);
    handshake.merge(p.handshake);
    for (const [action, h] of Object.entries(p.latencyByAction)) {
      let acc = byAction.get(action);
      if (!acc) byAction.set(action, (acc = new LatencyHistogram()));
      acc.merge(h);
    }
    merged.lastAcceptedAtMs = latest(merged.lastAcceptedAtMs, p.lastAcceptedAtMs);
    merged.lastReadyAtMs = latest(merged.lastReadyAtMs, p.lastReadyAtMs);
  }
  merged.transactions = mergeTransactionCounts(parts.map((p) => p.transactions));
  merged.latency = latency.toJSON();
  merged.handshake = handshake.toJSON();
  for (const [action, h] of byAction) merged.latencyByAction[action] = h.toJSON();
  return merged;
}

interface WorkerHandle {
  readonly pid: number;
  latest: FleetStats;
  command(command: WorkerCommand): Promise<FleetStats>;
  stop(): Promise<void>;
}

class ChildWorker implements WorkerHandle {
  readonly pid: number;
  latest: FleetStats;
  private readonly pending = new Map<number, { resolve(stats: FleetStats): void; reject(error: Error): void }>();
  private nextId = 0;
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    initial: FleetStats,
    onStats: () => void,
  ) {
    this.latest = initial;
    this.pid = child.pid ?? -1;
    child.on('message', (message: unknown) => {
      if (!isFromWorker(message)) return;
      if (message.type === 'stats' || message.type === 'reply') {
        this.latest = message.stats;
        onStats();
      }
      if (message.type === 'reply') {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(message.error));
        else waiter?.resolve(message.stats);
      }
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      const error = new Error(`sim worker ${child.pid} exited (${signal ?? code})`);
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  static start(
    path: string,
    execArgv: string[],
    init: Extract<ToWorker, { type: 'init' }>,
    onStats: () => void,
  ): Promise<ChildWorker> {
    const child = fork(path, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`sim worker ${path} exited during start (${code})`));
      child.once('error', reject);
      child.once('exit', onExit);
      child.on('message', function first(message: unknown) {
        if (!isFromWorker(message) || message.type !== 'initialized') return;
        child.off('message', first);
        child.off('exit', onExit);
        child.off('error', reject);
        resolve(new ChildWorker(child, message.stats, onStats));
      });
      child.send(init);
    });
  }

  command(command: WorkerCommand): Promise<FleetStats> {
    if (this.exited) return Promise.reject(new Error(`sim worker ${this.child.pid} has exited`));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ type: 'command', id, command } satisfies ToWorker);
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.command({ kind: 'disconnect' }).catch(() => undefined);
    if (this.child.connected) this.child.disconnect();
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(kill);
  }
}

class InProcessWorker implements WorkerHandle {
  readonly pid = process.pid;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly fleet: Fleet,
    intervalMs: number,
    onStats: () => void,
  ) {
    this.timer = setInterval(onStats, intervalMs);
    this.timer.unref();
  }

  get latest(): FleetStats {
    return this.fleet.stats();
  }

  async command(command: WorkerCommand): Promise<FleetStats> {
    const f = this.fleet;
    switch (command.kind) {
      case 'connect':
        await f.connectAll();
        break;
      case 'disconnect':
        await f.disconnectAll();
        break;
      case 'close':
        await f.closeAll();
        break;
      case 'reset-stats':
        f.resetStats();
        break;
      case 'start-sessions':
        f.startSessions(command.plan);
        break;
      case 'stop-sessions':
        await f.endSessions();
        break;
      case 'large-frame':
        await f.sendLargeFrames(command.bytes);
        break;
      case 'stats':
        break;
    }
    return f.stats();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.fleet.disconnectAll();
  }
}

export interface StationPoolEvents {
  stats: [stats: PoolStats];
}

export class StationPool extends EventEmitter<StationPoolEvents> {
  private constructor(private readonly workers: WorkerHandle[]) {
    super();
  }

  static async start(options: PoolOptions): Promise<StationPool> {
    const stations = assignSourceAddresses(options.stations, options.url, options.sourceAddresses);
    const perWorker = options.stationsPerWorker ?? DEFAULT_STATIONS_PER_WORKER;
    const count = options.workers ?? Math.max(1, Math.ceil(stations.length / perWorker));
    const intervalMs = options.statsIntervalMs ?? 250;
    const settings: FleetSettings = {
      url: options.url,
      ...(options.connectors !== undefined ? { connectors: options.connectors } : {}),
      ...(options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {}),
      ...(options.maxConnecting !== undefined ? { maxConnecting: options.maxConnecting } : {}),
      ...(options.reconnectDelayMs !== undefined ? { reconnectDelayMs: options.reconnectDelayMs } : {}),
      ...(options.validateInbound !== undefined ? { validateInbound: options.validateInbound } : {}),
      ...(options.meterIntervalS !== undefined ? { meterIntervalS: options.meterIntervalS } : {}),
      ...(options.vendor !== undefined ? { vendor: options.vendor } : {}),
      ...(options.model !== undefined ? { model: options.model } : {}),
      ...(options.firmware !== undefined ? { firmware: options.firmware } : {}),
      ...(options.deflate !== undefined ? { deflate: options.deflate } : {}),
    };
    const handles: WorkerHandle[] = [];
    const pool = new StationPool(handles);
    const onStats = (): void => {
      if (pool.listenerCount('stats') > 0) pool.emit('stats', pool.latest());
    };
    if (count === 0) {
      const fleet = new Fleet(settings);
      fleet.add(stations);
      handles.push(new InProcessWorker(fleet, intervalMs, onStats));
      return pool;
    }
    const workerPath = options.workerPath ?? fileURLToPath(new URL('./worker.js', import.meta.url));
    const chunk = Math.ceil(stations.length / count);
    const started = await Promise.allSettled(
      Array.from({ length: count }, (_, w) =>
        ChildWorker.start(
          workerPath,
          options.execArgv ?? [],
          { type: 'init', settings, stations: stations.slice(w * chunk, (w + 1) * chunk), statsIntervalMs: intervalMs },
          onStats,
        ),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') handles.push(result.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await pool.stop();
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
    return pool;
  }

  get workerCount(): number {
    return this.workers.length;
  }

  /** Process ids holding the stations (this process's own pid when running in-process). */
  get pids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  /** The counters last pushed by every worker, merged. */
  latest(): PoolStats {
    return mergeStats(this.workers.map((w) => w.latest));
  }

  /** Fresh counters from every worker. */
  async stats(): Promise<PoolStats> {
    return mergeStats(await this.broadcast({ kind: 'stats' }));
  }

  /** Starts connecting every station; resolves when every connection attempt has settled. */
  async connectAll(): Promise<PoolStats> {
    return mergeStats(await this.broadcast({ kind: 'connect' }));
  }

  /** Drops every connection at once; resolves when all are closed. */
  async disconnectAll(): Promise<PoolStats> {
    return mergeStats(await this.broadcast({ kind: 'disconnect' }));
  }

  async resetStats(): Promise<void> {
    await this.broadcast({ kind: 'reset-stats' });
  }

  /** Every ready station sends one DataTransfer padded to `bytes` characters; resolves when all are answered. */
  async sendLargeFrames(bytes: number): Promise<PoolStats> {
    return mergeStats(await this.broadcast({ kind: 'large-frame', bytes }));
  }

  async startSessions(plan: SessionPlan): Promise<void> {
    await this.broadcast({ kind: 'start-sessions', plan });
  }

  /** No new sessions; running ones end (StopTransaction / TransactionEvent Ended). */
  async stopSessions(): Promise<void> {
    await this.broadcast({ kind: 'stop-sessions' });
  }

  /** Resolves with the merged counters once `done` holds, or null after timeoutMs. */
  waitFor(done: (stats: PoolStats) => boolean, timeoutMs: number): Promise<PoolStats | null> {
    const now = this.latest();
    if (done(now)) return Promise.resolve(now);
    return new Promise((resolve) => {
      const listener = (stats: PoolStats): void => {
        if (!done(stats)) return;
        finish(stats);
      };
      const timer = setTimeout(() => finish(null), timeoutMs);
      const finish = (stats: PoolStats | null): void => {
        clearTimeout(timer);
        this.off('stats', listener);
        resolve(stats);
      };
      this.on('stats', listener);
    });
  }

  /** Disconnects every station and ends the worker processes. */
  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  private broadcast(command: WorkerCommand): Promise<FleetStats[]> {
    return Promise.all(this.workers.map((w) => w.command(command)));
  }
}
