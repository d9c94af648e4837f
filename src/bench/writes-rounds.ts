// The rounds `bench writes` drives: per round, a batch of each kind of transaction write, built
// from the rows the service builds (message-writes) with the readings the sim sends (src/sim:
// Energy.Active.Import.Register and Power.Active.Import per MeterValues / TransactionEvent Updated,
// the register alone in Started/Ended), written by the functions the group commits call.
import {
  meterSampledEvent,
  numberedSession,
  sampleRows,
  startWrite,
  stationSession,
  stopReadings,
  stopWrite,
  transactionEventWrite,
  type MeterReading,
  type TransactionBatchWrites,
  type TokenVerdict,
  type TransactionEventInput,
} from '../modules/transactions/index.js';

/** What each round writes, in this order (a session is started, sampled and stopped in its round). */
export const WRITE_KINDS = ['start16', 'meter16', 'stop16', 'txStarted201', 'txUpdated201', 'txEnded201'] as const;
export type WriteKind = (typeof WRITE_KINDS)[number];

/** Rows one item of a kind adds: sessions, session_events, meter_samples. */
export const ROWS_PER_ITEM: Record<WriteKind, { sessions: number; sessionEvents: number; meterSamples: number }> = {
  start16: { sessions: 1, sessionEvents: 1, meterSamples: 1 },
  meter16: { sessions: 0, sessionEvents: 0, meterSamples: 2 },
  stop16: { sessions: 0, sessionEvents: 1, meterSamples: 1 },
  txStarted201: { sessions: 1, sessionEvents: 1, meterSamples: 1 },
  txUpdated201: { sessions: 0, sessionEvents: 1, meterSamples: 2 },
  txEnded201: { sessions: 0, sessionEvents: 1, meterSamples: 1 },
};

const TENANT = 'bench';
const BASE_MS = Date.UTC(2026, 0, 1);
const POWER_W = 11_000;
/** Each session's register rises this much from its start to its stop. */
export const ENERGY_PER_SESSION_WH = 180;

const register = (at: Date, wh: number, context: string): MeterReading => ({ sampledAt: at, measurand: 'Energy.Active.Import.Register', context, value: wh, unit: 'Wh' });
const power = (at: Date, context: string): MeterReading => ({ sampledAt: at, measurand: 'Power.Active.Import', context, value: POWER_W, unit: 'W' });

/** One measured step: writes one batch of `size` items of its kind. */
export interface WriteStep {
  kind: WriteKind;
  run: () => Promise<void>;
}

/**
 * The steps of round `round` with batches of `size`: item i is station `B<size>-<i>` (one item per
 * station and session in a batch, as the group commits key them), a minute of charging per round, two minutes apart.
 */
export function roundSteps(writes: TransactionBatchWrites, size: number, round: number): WriteStep[] {
  const t0 = BASE_MS + (size * 1_000_000 + round) * 120_000;
  const at = (s: number): Date => new Date(t0 + s * 1000);
  const items = Array.from({ length: size }, (_, i) => i);
  const station16 = (i: number): string => `B${size}-16-${i}`;
  const station201 = (i: number): string => `B${size}-201-${i}`;
  const sessionId = (v: string, i: number): string => `bench-${size}-${round}-${v}-${i}`;
  const startWh = round * 1000;
  const sessions16 = new Map<number, { id: string; transactionId: number }>();
  const txId = (i: number): string => `tx-${round}-${i}`;
  const now = (): Date => new Date(t0 + 60_000);

  const event201 = (i: number, eventType: TransactionEventInput['eventType'], seqNo: number, s: number, readings: MeterReading[]): TransactionEventInput => ({
    eventType,
    stationTxId: txId(i),
    seqNo,
    timestamp: at(s),
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVCommunicationLost' : 'MeterValuePeriodic',
    offline: false,
    chargingState: eventType === 'Ended' ? 'EVConnected' : 'Charging',
    ...(eventType === 'Started' ? { idToken: { idToken: `TAG${i}`, type: 'ISO14443' } } : {}),
    ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}),
    evseId: 1,
    connectorId: 1,
    readings,
    raw: { eventType, seqNo, timestamp: at(s).toISOString(), transactionInfo: { transactionId: txId(i), chargingState: 'Charging' }, meterValue: [] },
  });
  const write201 = (eventType: TransactionEventInput['eventType'], seqNo: number, s: number, readings: (i: number) => MeterReading[]) => () =>
    writes
      .events(items.map((i) => transactionEventWrite(TENANT, station201(i), event201(i, eventType, seqNo, s, readings(i)), sessionId('201', i), 1, now())))
      .then(() => undefined);

  return [
    {
      kind: 'start16',
      run: async () => {
        const reqs = items.map((i) => ({ evseId: 1, connectorId: 1, idToken: { idToken: `TAG${i}`, type: 'ISO14443' }, timestamp: at(0), meterStartWh: startWh }));
        const verdict: TokenVerdict = { status: 'Accepted', idTagInfo: { status: 'Accepted' }, idTokenInfo: { status: 'Accepted' } };
        const inserted = await writes.numbered(items.map((i) => numberedSession(TENANT, station16(i), reqs[i]!, verdict, sessionId('16', i), now())));
        inserted.forEach(({ row }, i) => sessions16.set(i, { id: row.id, transactionId: row.ocpp16_transaction_id as number }));
        await writes.starts(items.map((i) => startWrite(TENANT, station16(i), reqs[i]!, inserted[i]!.row, now())));
      },
    },
    {
      kind: 'meter16',
      run: () => {
        const rows = items.map((i) => sampleRows(TENANT, station16(i), 1, sessions16.get(i)?.id ?? null, [register(at(30), startWh + 90, 'Sample.Periodic'), power(at(30), 'Sample.Periodic')]));
        const events = rows.flatMap((r, i) => meterSampledEvent(TENANT, station16(i), 1, r, now()) ?? []);
        return writes.samples(rows.flat(), events);
      },
    },
    {
      kind: 'stop16',
      run: () =>
        writes
          .stops(
            items.map((i) => {
              const session = sessions16.get(i)!;
              const req = { transactionId: session.transactionId, timestamp: at(60), meterStopWh: startWh + ENERGY_PER_SESSION_WH, reason: 'Local', readings: [] };
              return stopWrite(TENANT, station16(i), req, session.id, sampleRows(TENANT, station16(i), 1, session.id, stopReadings(req)), now());
            }),
          )
          .then(() => undefined),
    },
    {
      kind: 'txStarted201',
      run: async () => {
        const started = items.map((i) => event201(i, 'Started', 0, 0, [register(at(0), startWh, 'Transaction.Begin')]));
        await writes.ensured(items.map((i) => stationSession(TENANT, station201(i), started[i]!, sessionId('201', i), now())));
        await write201('Started', 0, 0, (i) => started[i]!.readings)();
      },
    },
    { kind: 'txUpdated201', run: write201('Updated', 1, 30, () => [register(at(30), startWh + 90, 'Sample.Periodic'), power(at(30), 'Sample.Periodic')]) },
    { kind: 'txEnded201', run: write201('Ended', 2, 60, () => [register(at(60), startWh + ENERGY_PER_SESSION_WH, 'Transaction.End')]) },
  ];
}
