// Exact counts of what a fleet's stations got a CALLRESULT for among the messages a CSMS must
// persist: transaction messages (1.6 StartTransaction / StopTransaction, 2.0.1 TransactionEvent)
// and meter values. The sessions benchmark compares them with the rows in the database.
import type { Payload } from './frames.js';

export interface TransactionCounts {
  /** CALLRESULTs to StartTransaction, StopTransaction, MeterValues and TransactionEvent. */
  messages: number;
  byAction: Record<string, number>;
  /** 2.0.1 TransactionEvent CALLRESULTs by eventType (Started, Updated, Ended). */
  byEventType: Record<string, number>;
  /** Transactions begun: 1.6 StartTransaction answered + 2.0.1 TransactionEvent Started answered. */
  transactionsStarted: number;
  /** 1.6 StopTransaction answered + 2.0.1 TransactionEvent Ended answered. */
  transactionsEnded: number;
  /**
   * Meter readings in answered messages: every sampledValue (MeterValues, TransactionEvent,
   * StopTransaction transactionData) plus the 1.6 meterStart and meterStop, which are readings
   * of the energy register too.
   */
  readings: number;
  /**
   * Readings that repeat one answered before on the same connector at the same instant with the
   * same measurand, phase and location (a periodic sample and the stop sent in the same
   * millisecond): one reading to a store keyed on the instant.
   */
  repeatedReadings: number;
  /** Sum of the energy (register difference) of the sessions that ended, in Wh. */
  endedEnergyWh: number;
}

export const PERSISTED_ACTIONS = ['StartTransaction', 'StopTransaction', 'MeterValues', 'TransactionEvent'] as const;

const ENERGY_REGISTER = 'Energy.Active.Import.Register';

export function emptyTransactionCounts(): TransactionCounts {
  return {
    messages: 0,
    byAction: {},
    byEventType: {},
    transactionsStarted: 0,
    transactionsEnded: 0,
    readings: 0,
    repeatedReadings: 0,
    endedEnergyWh: 0,
  };
}

function add(record: Record<string, number>, key: string, n = 1): void {
  record[key] = (record[key] ?? 0) + n;
}

export function mergeTransactionCounts(parts: readonly TransactionCounts[]): TransactionCounts {
  const merged = emptyTransactionCounts();
  for (const p of parts) {
    merged.messages += p.messages;
    merged.transactionsStarted += p.transactionsStarted;
    merged.transactionsEnded += p.transactionsEnded;
    merged.readings += p.readings;
    merged.repeatedReadings += p.repeatedReadings;
    merged.endedEnergyWh += p.endedEnergyWh;
    for (const [k, v] of Object.entries(p.byAction)) add(merged.byAction, k, v);
    for (const [k, v] of Object.entries(p.byEventType)) add(merged.byEventType, k, v);
  }
  return merged;
}

/** The readings of one connector at its latest instant: [measurand, phase, location] triples. */
interface Instant {
  at: string;
  seen: string[];
}

const isRecord = (v: unknown): v is Payload => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** Counts answered messages of every station of one process; `counts()` is plain data for IPC. */
export class TransactionTally {
  private totals = emptyTransactionCounts();
  /** station|transactionId → connector (1.6) or EVSE (2.0.1), for messages that do not name it. */
  private readonly connectorOf = new Map<string, number>();
  /** station → connector → the instant of the last reading and what was read at that instant. */
  private readonly lastInstant = new Map<string, Map<number, Instant>>();

  /** A CALLRESULT arrived for `request`; other actions are ignored. */
  answered(stationId: string, action: string, request: Payload, response: Payload): void {
    switch (action) {
      case 'StartTransaction': {
        const connectorId = num(request.connectorId) ?? 0;
        const transactionId = num(response.transactionId);
        if (transactionId !== undefined) this.connectorOf.set(`${stationId}|${transactionId}`, connectorId);
        this.totals.transactionsStarted += 1;
        this.reading(this.instant(stationId, connectorId), str(request.timestamp) ?? '', ENERGY_REGISTER, '', '');
        break;
      }
      case 'StopTransaction': {
        const key = `${stationId}|${num(request.transactionId) ?? ''}`;
        const connectorId = this.connectorOf.get(key) ?? 0;
        this.connectorOf.delete(key);
        this.totals.transactionsEnded += 1;
        const instant = this.instant(stationId, connectorId);
        this.meterValues(instant, request.transactionData);
        this.reading(instant, str(request.timestamp) ?? '', ENERGY_REGISTER, '', '');
        break;
      }
      case 'MeterValues':
        this.meterValues(this.instant(stationId, num(request.connectorId) ?? num(request.evseId) ?? 0), request.meterValue);
        break;
      case 'TransactionEvent': {
        const eventType = str(request.eventType) ?? 'unknown';
        const info = isRecord(request.transactionInfo) ? request.transactionInfo : {};
        const key = `${stationId}|${str(info.transactionId) ?? ''}`;
        const evseId = isRecord(request.evse) ? num(request.evse.id) : undefined;
        if (evseId !== undefined) this.connectorOf.set(key, evseId);
        const connectorId = this.connectorOf.get(key) ?? 0;
        add(this.totals.byEventType, eventType);
        if (eventType === 'Started') this.totals.transactionsStarted += 1;
        if (eventType === 'Ended') {
          this.totals.transactionsEnded += 1;
          this.connectorOf.delete(key);
        }
        this.meterValues(this.instant(stationId, connectorId), request.meterValue);
        break;
      }
      default:
        return;
    }
    this.totals.messages += 1;
    add(this.totals.byAction, action);
  }

  sessionEnded(energyWh: number): void {
    this.totals.endedEnergyWh += energyWh;
  }

  counts(): TransactionCounts {
    return { ...this.totals, byAction: { ...this.totals.byAction }, byEventType: { ...this.totals.byEventType } };
  }

  reset(): void {
    this.totals = emptyTransactionCounts();
  }

  // Readings are walked in place (no list of reading objects, no key strings per reading):
  // this runs for every answered transaction message.

  private instant(stationId: string, connectorId: number): Instant {
    let connectors = this.lastInstant.get(stationId);
    if (!connectors) {
      connectors = new Map();
      this.lastInstant.set(stationId, connectors);
    }
    let instant = connectors.get(connectorId);
    if (!instant) {
      instant = { at: '', seen: [] };
      connectors.set(connectorId, instant);
    }
    return instant;
  }

  private meterValues(instant: Instant, meterValue: unknown): void {
    if (!Array.isArray(meterValue)) return;
    for (const mv of meterValue) {
      if (!isRecord(mv) || !Array.isArray(mv.sampledValue)) continue;
      const at = str(mv.timestamp) ?? '';
      for (const sv of mv.sampledValue) {
        if (!isRecord(sv)) continue;
        this.reading(instant, at, str(sv.measurand) ?? ENERGY_REGISTER, str(sv.phase) ?? '', str(sv.location) ?? '');
      }
    }
  }

  private reading(instant: Instant, at: string, measurand: string, phase: string, location: string): void {
    this.totals.readings += 1;
    const seen = instant.seen;
    if (instant.at !== at) {
      instant.at = at;
      seen.length = 0;
    }
    for (let i = 0; i < seen.length; i += 3) {
      if (seen[i] === measurand && seen[i + 1] === phase && seen[i + 2] === location) {
        this.totals.repeatedReadings += 1;
        return;
      }
    }
    seen.push(measurand, phase, location);
  }
}
