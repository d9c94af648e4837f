// Many simulated stations in one process: bounded parallel connects, fleet-wide counters and
// latency histograms fed by one shared observer (no listener per station), and optional
// background charging sessions. A worker process holds one Fleet; so does an in-process demo.
import type { OcppVersion } from './frames.js';
import { LatencyHistogram, type HistogramJSON } from './histogram.js';
import { defaultScheduler, type Scheduler } from './scheduler.js';
import type { Payload } from './frames.js';
import { Station, type FailureKind, type RegistrationStatus, type SessionSummary, type StationObserver } from './station.js';
import { TransactionTally, type TransactionCounts } from './tally.js';

export interface StationSpec {
  id: string;
  ocppVersion: OcppVersion;
  password?: string;
  localAddress?: string;
}

/** Fleet settings that cross the IPC boundary (plain data only). */
export interface FleetSettings {
  url: string;
  connectors?: number;
  callTimeoutMs?: number;
  /** Connections being opened at once (handshakes in flight). Default 200. */
  maxConnecting?: number;
  reconnectDelayMs?: number;
  validateInbound?: boolean;
  meterIntervalS?: number;
  vendor?: string;
  model?: string;
  firmware?: string;
  /** Stations offer permessage-deflate (see DEFLATE_OFFER in station.ts). */
  deflate?: boolean;
}

/** Padded DataTransfers sent by `sendLargeFrames` since the last reset. */
export interface LargeFrameStats {
  sent: number;
  /** Answered with a CALLRESULT. */
  results: number;
  /** Answered with a CALLERROR (a CSMS without DataTransfer support): delivered all the same. */
  callErrors: number;
  /** No answer (time-out, connection lost); also counted under failures.call. */
  failed: number;
}

export interface SessionPlan {
  /** Mean idle time of a station between two sessions (±50 %). */
  idleS: number;
  /** Mean session length (±50 %). */
  durationS: number;
  meterIntervalS?: number;
  idTags?: string[];
  /**
   * Spread the first sessions evenly over this many seconds (a steady load from the start) instead
   * of one idle time (±50 %) after startSessions().
   */
  firstStartWithinS?: number;
}

export interface FleetStats {
  stations: number;
  /** Sockets open (handshake done). */
  open: number;
  /** Open sockets that negotiated permessage-deflate. */
  deflateNegotiated: number;
  accepted: number;
  pending: number;
  rejected: number;
  /** Accepted and every connector's StatusNotification answered. */
  ready: number;
  failures: Record<FailureKind, number>;
  /** Connections the CSMS (or the network) closed. */
  drops: number;
  errorSamples: string[];
  /** Round trip of every CALL the stations sent. */
  latency: HistogramJSON;
  latencyByAction: Record<string, HistogramJSON>;
  /** WebSocket handshakes (TCP connect to upgrade done). */
  handshake: HistogramJSON;
  /** Wall-clock ms (Date.now) of the last Accepted / ready since the last reset. */
  lastAcceptedAtMs: number | null;
  lastReadyAtMs: number | null;
  sessionsStarted: number;
  sessionsEnded: number;
  activeSessions: number;
  largeFrames: LargeFrameStats;
  /** Transaction messages and meter values answered with a CALLRESULT (see tally.ts). */
  transactions: TransactionCounts;
}

export const DEFAULT_ID_TAGS = ['04A2B3C4D5', '04E1F2A3B4', '0499887766', 'DEMO-TAG-1', 'DEMO-TAG-2', 'DEMO-TAG-3'];
const MAX_ERROR_SAMPLES = 8;

export function emptyFailures(): Record<FailureKind, number> {
  return { connect: 0, call: 0, boot: 0, protocol: 0, session: 0 };
}

export function emptyLargeFrames(): LargeFrameStats {
  return { sent: 0, results: 0, callErrors: 0, failed: 0 };
}

export function errorCount(stats: Pick<FleetStats, 'failures'>): number {
  return Object.values(stats.failures).reduce((a, b) => a + b, 0);
}

export class Fleet implements StationObserver {
  readonly stations: Station[] = [];
  private readonly scheduler: Scheduler;
  private latencyAll = new LatencyHistogram();
  private handshakes = new LatencyHistogram();
  private latencyByAction = new Map<string, LatencyHistogram>();
  private failures = emptyFailures();
  private drops = 0;
  private errorSamples: string[] = [];
  private lastAcceptedAtMs: number | null = null;
  private lastReadyAtMs: number | null = null;
  private sessionsStarted = 0;
  private sessionsEnded = 0;
  private sessionPlan: SessionPlan | null = null;
  private largeFrames = emptyLargeFrames();
  private readonly tally = new TransactionTally();
  private readonly starting = new Set<Promise<unknown>>();
  /** Counts the events that change the counters, so a worker can tell cheaply whether to push them. */
  private changes = 0;

  constructor(
    private readonly settings: FleetSettings,
    scheduler?: Scheduler,
  ) {
    this.scheduler = scheduler ?? defaultScheduler();
  }

  add(specs: readonly StationSpec[]): void {
    for (const spec of specs) {
      this.stations.push(
        new Station({
          url: this.settings.url,
          stationId: spec.id,
          ocppVersion: spec.ocppVersion,
          ...(spec.password !== undefined ? { password: spec.password } : {}),
          ...(spec.localAddress !== undefined ? { localAddress: spec.localAddress } : {}),
          ...(this.settings.connectors !== undefined ? { connectors: this.settings.connectors } : {}),
          ...(this.settings.callTimeoutMs !== undefined ? { callTimeoutMs: this.settings.callTimeoutMs } : {}),
          ...(this.settings.reconnectDelayMs !== undefined ? { reconnectDelayMs: this.settings.reconnectDelayMs } : {}),
          ...(this.settings.validateInbound !== undefined ? { validateInbound: this.settings.validateInbound } : {}),
          ...(this.settings.meterIntervalS !== undefined ? { meterIntervalS: this.settings.meterIntervalS } : {}),
          ...(this.settings.vendor !== undefined ? { vendor: this.settings.vendor } : {}),
          ...(this.settings.model !== undefined ? { model: this.settings.model } : {}),
          ...(this.settings.firmware !== undefined ? { firmware: this.settings.firmware } : {}),
          ...(this.settings.deflate !== undefined ? { deflate: this.settings.deflate } : {}),
          scheduler: this.scheduler,
          observer: this,
        }),
      );
    }
  }

  /** Connects every station not connected yet, at most `maxConnecting` handshakes at a time. */
  async connectAll(): Promise<void> {
    const waiting = this.stations.filter((s) => !s.connected);
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let s = waiting[next++]; s; s = waiting[next++]) {
        await s.connect().catch(() => undefined); // counted by the observer
      }
    };
    const lanes = Math.min(this.settings.maxConnecting ?? 200, waiting.length);
    await Promise.all(Array.from({ length: lanes }, lane));
  }

  /** Drops every connection at once (no close handshake). */
  async disconnectAll(): Promise<void> {
    await Promise.all(this.stations.map((s) => s.disconnect()));
  }

  async closeAll(): Promise<void> {
    this.sessionPlan = null;
    await Promise.all(this.stations.map((s) => s.close()));
  }

  /** Every station runs sessions: idle, charge, stop, idle again, until endSessions(). */
  startSessions(plan: SessionPlan): void {
    this.sessionPlan = plan;
    const within = plan.firstStartWithinS;
    for (const station of this.stations) {
      this.scheduleSession(station, plan, within === undefined ? this.jitter(plan.idleS) : Math.random() * within * 1000);
    }
  }

  /** Stops starting new sessions, lets the ones being started finish, then ends them all. */
  async endSessions(): Promise<void> {
    this.sessionPlan = null;
    await Promise.allSettled([...this.starting]);
    await Promise.allSettled(
      this.stations.flatMap((station) =>
        station.sessions().map((s) => station.stopSession({ connectorId: s.connectorId })),
      ),
    );
  }

  /**
   * Every ready station sends one DataTransfer padded to `bytes` characters of data (a frame
   * over the 1 KiB permessage-deflate threshold); resolves when all are answered or failed.
   */
  async sendLargeFrames(bytes: number): Promise<void> {
    await Promise.all(
      this.stations
        .filter((s) => s.ready)
        .map(async (s) => {
          this.changes += 1;
          this.largeFrames.sent += 1;
          try {
            const outcome = await s.sendLargeFrame(bytes);
            if (outcome === 'result') this.largeFrames.results += 1;
            else this.largeFrames.callErrors += 1;
          } catch (error) {
            this.largeFrames.failed += 1;
            s.report('call', error);
          }
        }),
    );
  }

  /**
   * Tells whether the counters changed since an earlier signature: the count of observed events,
   * plus the states read off the stations (a station can lose its socket or session without an
   * event the fleet counts). Cheaper than comparing the JSON of the full counters, histograms
   * included, every time a worker considers pushing them.
   */
  changeSignature(stats: FleetStats): string {
    return `${this.changes}|${stats.open}|${stats.deflateNegotiated}|${stats.accepted}|${stats.pending}|${stats.rejected}|${stats.ready}|${stats.activeSessions}`;
  }

  resetStats(): void {
    this.changes += 1;
    this.latencyAll = new LatencyHistogram();
    this.handshakes = new LatencyHistogram();
    this.latencyByAction = new Map();
    this.failures = emptyFailures();
    this.drops = 0;
    this.errorSamples = [];
    this.lastAcceptedAtMs = null;
    this.lastReadyAtMs = null;
    this.sessionsStarted = 0;
    this.sessionsEnded = 0;
    this.largeFrames = emptyLargeFrames();
    this.tally.reset();
  }

  stats(): FleetStats {
    let open = 0;
    let deflateNegotiated = 0;
    let accepted = 0;
    let pending = 0;
    let rejected = 0;
    let ready = 0;
    let activeSessions = 0;
    for (const s of this.stations) {
      if (s.isOpen) open += 1;
      if (s.deflateNegotiated) deflateNegotiated += 1;
      if (s.registration === 'Accepted') accepted += 1;
      else if (s.registration === 'Pending') pending += 1;
      else if (s.registration === 'Rejected') rejected += 1;
      if (s.ready) ready += 1;
      for (const c of s.connectors) if (c.session) activeSessions += 1;
    }
    const latencyByAction: Record<string, HistogramJSON> = {};
    for (const [action, h] of this.latencyByAction) latencyByAction[action] = h.toJSON();
    return {
      stations: this.stations.length,
      open,
      deflateNegotiated,
      accepted,
      pending,
      rejected,
      ready,
      failures: { ...this.failures },
      drops: this.drops,
      errorSamples: [...this.errorSamples],
      latency: this.latencyAll.toJSON(),
      latencyByAction,
      handshake: this.handshakes.toJSON(),
      lastAcceptedAtMs: this.lastAcceptedAtMs,
      lastReadyAtMs: this.lastReadyAtMs,
      sessionsStarted: this.sessionsStarted,
      sessionsEnded: this.sessionsEnded,
      activeSessions,
      largeFrames: { ...this.largeFrames },
      transactions: this.tally.counts(),
    };
  }

  // ---- StationObserver ------------------------------------------------------------------

  latency(action: string, rttMs: number): void {
    this.changes += 1;
    this.latencyAll.record(rttMs);
    let h = this.latencyByAction.get(action);
    if (!h) {
      h = new LatencyHistogram();
      this.latencyByAction.set(action, h);
    }
    h.record(rttMs);
  }

  handshake(ms: number): void {
    this.changes += 1;
    this.handshakes.record(ms);
  }

  failure(stationId: string, kind: FailureKind, error: Error): void {
    this.changes += 1;
    this.failures[kind] += 1;
    if (this.errorSamples.length < MAX_ERROR_SAMPLES) this.errorSamples.push(`${stationId} [${kind}] ${error.message}`);
  }

  registered(_stationId: string, status: RegistrationStatus): void {
    this.changes += 1;
    if (status === 'Accepted') this.lastAcceptedAtMs = Date.now();
  }

  ready(): void {
    this.changes += 1;
    this.lastReadyAtMs = Date.now();
  }

  closed(_stationId: string, expected: boolean): void {
    this.changes += 1;
    if (!expected) this.drops += 1;
  }

  sessionStarted(): void {
    this.changes += 1;
    this.sessionsStarted += 1;
  }

  sessionEnded(_stationId: string, summary: SessionSummary): void {
    this.changes += 1;
    this.sessionsEnded += 1;
    this.tally.sessionEnded(summary.energyWh);
  }

  answered(stationId: string, action: string, request: Payload, response: Payload): void {
    this.changes += 1;
    this.tally.answered(stationId, action, request, response);
  }

  // ---- sessions -------------------------------------------------------------------------

  private jitter(meanS: number): number {
    return meanS * 1000 * (0.5 + Math.random());
  }

  private scheduleSession(station: Station, plan: SessionPlan, delayMs: number): void {
    this.scheduler.after(delayMs, () => {
      if (this.sessionPlan !== plan) return;
      const connector = station.ready ? station.connectors.find((c) => c.operative && !c.session) : undefined;
      if (!connector) {
        this.scheduleSession(station, plan, this.jitter(plan.idleS));
        return;
      }
      const tags = plan.idTags ?? DEFAULT_ID_TAGS;
      const idTag = tags[Math.floor(Math.random() * tags.length)] ?? 'SIM-TAG';
      const request = { connectorId: connector.id, idTag, ...(plan.meterIntervalS ? { meterIntervalS: plan.meterIntervalS } : {}) };
      const start = station.startSession(request);
      this.starting.add(start);
      start.then(
        (info) => {
          this.starting.delete(start);
          this.scheduler.after(this.jitter(plan.durationS), () => {
            const running = connector.session?.transactionId === info.transactionId && !connector.session.stopping;
            if (!running) return this.scheduleSession(station, plan, this.jitter(plan.idleS)); // ended meanwhile
            station
              .stopSession({ connectorId: connector.id })
              .catch((error: unknown) => station.report('session', error))
              .finally(() => this.scheduleSession(station, plan, this.jitter(plan.idleS)));
          });
        },
        (error: unknown) => {
          this.starting.delete(start);
          station.report('session', error);
          this.scheduleSession(station, plan, this.jitter(plan.idleS));
        },
      );
    });
  }
}
