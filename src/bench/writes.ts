// `bench writes`: what each kind of session write costs the database, per batch and per item
// (ADR 032). One process, a fresh database (in-memory PGlite, or a fresh PostgreSQL database with
// --database-url), migrated; then rounds of the transactions module's group-committed batch writes
// (batch-writes.ts) in batches of 1, 10 and 100 items, each timed in CPU (process.cpuUsage: on
// PGlite the WASM Postgres runs in this process, so that is the database's CPU too) and wall time.
// Fixed row counts and warm-up rounds discarded, so two runs of one build are comparable.
import { parseArgs } from 'node:util';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { migrations, moduleDb, type Database } from '../app/database.js';
import { openDatabase } from '../platform/db/database.js';
import { migrateToLatest } from '../platform/db/migrate.js';
import { InMemoryBus } from '../platform/bus.js';
import { DEFAULT_CONFLICT_RETRY, TransactionOutbox, transactionBatchWrites, type TransactionsTables } from '../modules/transactions/index.js';
import { fmtMs, machineInfo, table, writeResult, type MachineInfo } from './report.js';
import { ENERGY_PER_SESSION_WH, ROWS_PER_ITEM, WRITE_KINDS, roundSteps, type WriteKind } from './writes-rounds.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Measured rounds and discarded warm-up rounds per batch size: about the same rows for each size. */
const DEFAULT_ROUNDS: Record<number, { rounds: number; warmup: number }> = { 1: { rounds: 200, warmup: 20 }, 10: { rounds: 40, warmup: 5 }, 100: { rounds: 8, warmup: 2 } };

export interface WritesBenchOptions {
  batchSizes: number[];
  /** Overrides the measured rounds of every size (tests). */
  rounds?: number;
  warmup?: number;
  /** Admin URL of a PostgreSQL server: the run gets a fresh database there. Absent: in-memory PGlite. */
  databaseUrl?: string;
  resultsDir: string;
  log: (line: string) => void;
}

export interface WriteFigures {
  kind: WriteKind;
  batchSize: number;
  batches: number;
  items: number;
  /** Rows one item adds to sessions, session_events and meter_samples. */
  rowsPerItem: number;
  cpuMsPerBatch: number;
  wallMsPerBatch: number;
  cpuMsPerItem: number;
  wallMsPerItem: number;
  /** The median batch's CPU ms over its items: less moved than the mean by a neighbour's burst on a shared machine. */
  medianCpuMsPerItem: number;
}

export interface WritesBenchResult {
  benchmark: 'writes';
  startedAt: string;
  machine: MachineInfo;
  database: 'pglite' | 'postgres';
  figures: WriteFigures[];
  /** Rows and energy the run wrote against what its items should have written (each exactly once). */
  stored: { expected: StoredTotals; actual: StoredTotals; exact: boolean };
}

interface StoredTotals {
  sessions: number;
  sessionEvents: number;
  meterSamples: number;
  /** Every session is charged 180 Wh from start to stop. */
  energyWh: number;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export async function runWritesBench(options: WritesBenchOptions): Promise<WritesBenchResult> {
  const startedAt = new Date().toISOString();
  let dropDatabase: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  if (options.databaseUrl) {
    const { freshPostgresDatabase } = await import('./sessions.js');
    const fresh = await freshPostgresDatabase(options.databaseUrl);
    dropDatabase = fresh.drop;
    databaseUrl = fresh.url;
  }
  const handle = await openDatabase<Database>({ databaseUrl, dataDir: '', memory: true });
  try {
    await migrateToLatest(handle.db, migrations);
    const db = moduleDb<TransactionsTables>(handle.db);
    const bus = new InMemoryBus(() => undefined);
    // As the server writes: row locks only where more than one connection writes (ADR 034).
    const outbox = new TransactionOutbox({ db, bus, onMarkError: () => undefined, markLingerMs: 1, rowLocks: handle.kind === 'postgres' ? 'ordered' : 'none' });
    const writes = transactionBatchWrites(db, outbox, DEFAULT_CONFLICT_RETRY);
    const figures: WriteFigures[] = [];
    const expected: StoredTotals = { sessions: 0, sessionEvents: 0, meterSamples: 0, energyWh: 0 };
    for (const size of options.batchSizes) {
      const plan = DEFAULT_ROUNDS[size] ?? { rounds: Math.max(2, Math.ceil(200 / size)), warmup: 2 };
      const rounds = options.rounds ?? plan.rounds;
      const warmup = options.warmup ?? plan.warmup;
      for (const rows of Object.values(ROWS_PER_ITEM)) {
        expected.sessions += rows.sessions * size * (warmup + rounds);
        expected.sessionEvents += rows.sessionEvents * size * (warmup + rounds);
        expected.meterSamples += rows.meterSamples * size * (warmup + rounds);
      }
      expected.energyWh = expected.sessions * ENERGY_PER_SESSION_WH;
      const totals = new Map<WriteKind, { cpuUs: number; wallMs: number; batchCpuUs: number[] }>(WRITE_KINDS.map((k) => [k, { cpuUs: 0, wallMs: 0, batchCpuUs: [] }]));
      for (let round = 0; round < warmup + rounds; round++) {
        for (const step of roundSteps(writes, size, round)) {
          const cpu0 = process.cpuUsage();
          const wall0 = performance.now();
          await step.run();
          const wallMs = performance.now() - wall0;
          const cpu = process.cpuUsage(cpu0);
          if (round < warmup) continue;
          const total = totals.get(step.kind)!;
          total.cpuUs += cpu.user + cpu.system;
          total.batchCpuUs.push(cpu.user + cpu.system);
          total.wallMs += wallMs;
        }
        // The outbox deletes published batches behind; done before the next round's clock starts.
        await outbox.flush();
      }
      for (const kind of WRITE_KINDS) {
        const { cpuUs, wallMs, batchCpuUs } = totals.get(kind)!;
        const rows = ROWS_PER_ITEM[kind];
        figures.push({
          kind,
          batchSize: size,
          batches: rounds,
          items: rounds * size,
          rowsPerItem: rows.sessions + rows.sessionEvents + rows.meterSamples,
          cpuMsPerBatch: round3(cpuUs / 1000 / rounds),
          wallMsPerBatch: round3(wallMs / rounds),
          cpuMsPerItem: round3(cpuUs / 1000 / rounds / size),
          wallMsPerItem: round3(wallMs / rounds / size),
          medianCpuMsPerItem: round3(median(batchCpuUs) / 1000 / size),
        });
      }
      options.log(`bench: batches of ${size} done`);
    }
    const actual = await storedTotals(db);
    const exact = JSON.stringify(actual) === JSON.stringify(expected);
    return { benchmark: 'writes', startedAt, machine: await machineInfo(PROJECT_ROOT), database: handle.kind, figures, stored: { expected, actual, exact } };
  } finally {
    await handle.close();
    await dropDatabase?.();
  }
}

async function storedTotals(db: Kysely<TransactionsTables>): Promise<StoredTotals> {
  const n = async (query: RawBuilder<{ n: number | string | null }>) => Number((await query.execute(db)).rows[0]?.n ?? 0);
  return {
    sessions: await n(sql`select count(*) as n from sessions`),
    sessionEvents: await n(sql`select count(*) as n from session_events`),
    meterSamples: await n(sql`select count(*) as n from meter_samples`),
    energyWh: await n(sql`select coalesce(sum(energy_wh), 0) as n from sessions`),
  };
}

export function renderWritesResult(r: WritesBenchResult): string {
  const rows = [['kind', 'batch', 'batches', 'rows/item', 'cpu/batch', 'wall/batch', 'cpu/item', 'wall/item', 'median cpu/item']];
  for (const f of r.figures) {
    rows.push([f.kind, String(f.batchSize), String(f.batches), String(f.rowsPerItem), fmtMs(f.cpuMsPerBatch), fmtMs(f.wallMsPerBatch), fmtMs(f.cpuMsPerItem), fmtMs(f.wallMsPerItem), fmtMs(f.medianCpuMsPerItem)]);
  }
  const { expected, actual, exact } = r.stored;
  return [
    `database: ${r.database}${r.machine.commit ? `, commit ${r.machine.commit}` : ''} (cpu: this process, user+system)`,
    table(rows),
    `stored: ${actual.sessions}/${expected.sessions} sessions, ${actual.sessionEvents}/${expected.sessionEvents} events, ` +
      `${actual.meterSamples}/${expected.meterSamples} samples, ${actual.energyWh}/${expected.energyWh} Wh: ${exact ? 'exactly once' : 'MISMATCH'}`,
  ].join('\n');
}

const USAGE = `usage: bench writes [options]
  Drives the transactions module's batch writes (1.6 start/MeterValues/stop, 2.0.1 TransactionEvent
  Started/Updated/Ended) on a fresh database and prints CPU and wall ms per batch and per item.
  --batch-sizes LIST     comma-separated items per batch (default 1,10,100)
  --rounds N             measured rounds per batch size (default: 200, 40, 8 for 1, 10, 100)
  --warmup N             discarded warm-up rounds per batch size (default: 20, 5, 2)
  --database-url URL     PostgreSQL admin URL (or DATABASE_URL): a fresh database is created for
                         the run and dropped after; without it an in-memory PGlite
  --pglite               PGlite even when DATABASE_URL is set
  --results-dir DIR      where JSON results go (default bench/results)`;

function count(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

export function parseWritesArgs(argv: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): WritesBenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      'batch-sizes': { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      'database-url': { type: 'string' },
      pglite: { type: 'boolean' },
      'results-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const databaseUrl = values.pglite ? undefined : values['database-url'] || env['DATABASE_URL'] || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('--database-url must be a postgres:// URL');
  const batchSizes = (values['batch-sizes'] ?? '1,10,100').split(',').map((s) => count('batch-sizes', s.trim(), 1) as number);
  const rounds = count('rounds', values.rounds, 1);
  const warmup = count('warmup', values.warmup, 0);
  return {
    batchSizes,
    resultsDir: values['results-dir'] ?? join(PROJECT_ROOT, 'bench', 'results'),
    log,
    ...(rounds !== undefined ? { rounds } : {}),
    ...(warmup !== undefined ? { warmup } : {}),
    ...(databaseUrl !== undefined ? { databaseUrl } : {}),
  };
}

export async function runWritesCommand(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  let options: WritesBenchOptions;
  try {
    const parsed = parseWritesArgs(argv, process.env, log);
    if (parsed === 'help') {
      log(USAGE);
      return 0;
    }
    options = parsed;
  } catch (error) {
    console.error(`bench writes: ${error instanceof Error ? error.message : String(error)} (see bench writes --help)`);
    return 2;
  }
  const result = await runWritesBench(options);
  log('');
  log(renderWritesResult(result));
  const file = await writeResult(options.resultsDir, 'writes', result);
  log('');
  log(`bench: wrote ${file}`);
  return result.stored.exact ? 0 : 1;
}
