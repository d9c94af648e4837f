import { sql, type Kysely } from 'kysely';
import type { Logger } from '../logger.js';
import { PeriodicTask } from '../periodic-task.js';

export interface EmbeddedVacuumOptions {
  db: Kysely<any>;
  logger: Logger;
  /** Between passes over every table; the first comes one interval after start. 0: never. */
  intervalMs: number;
  /** Between quick passes over the small tables (default one minute, and never longer than intervalMs). */
  quickIntervalMs?: number;
  /** A table whose heap is at most this big is in the quick pass (default 32 MiB). */
  quickMaxBytes?: number;
}

export interface VacuumRun {
  tables: number;
  failed: number;
  ms: number;
  slowest: { table: string; ms: number } | undefined;
}

const MINUTE_MS = 60_000;
const QUICK_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Vacuums the embedded database (ADR 035). PGlite runs Postgres as a single backend, without the
 * autovacuum workers a server has: rows the outbox and retention delete, and the versions left by
 * every session, connector and presence update, are never reclaimed, so tables and indexes grow
 * for as long as the server runs; the planner's statistics are never refreshed; and transaction
 * ids are never frozen. Every interval this runs VACUUM (ANALYZE) on each table, one statement per
 * table, so stations and the API get the connection between tables. In between, every minute, a
 * quick pass does the small tables, where the hot updates are (sessions,
 * connectors, stations, the outbox): under load a session's energy update slowed from ~1.4 to
 * ~8.7 ms per batch within a minute without it. A failure is logged and the next table still runs.
 */
export class EmbeddedVacuum {
  private readonly task: PeriodicTask<VacuumRun>;
  private readonly quickPerFull: number;
  private passes = 0;

  constructor(private readonly options: EmbeddedVacuumOptions) {
    const quickMs = Math.min(options.quickIntervalMs ?? MINUTE_MS, options.intervalMs);
    this.quickPerFull = quickMs > 0 ? Math.max(1, Math.round(options.intervalMs / quickMs)) : 1;
    this.task = new PeriodicTask({
      run: () => {
        this.passes += 1;
        return this.run(this.passes % this.quickPerFull === 0 ? 'full' : 'quick');
      },
      firstDelayMs: quickMs,
      intervalMs: quickMs,
      onError: (err) => options.logger.error({ err }, 'vacuum of the embedded database failed'),
    });
  }

  start(): void {
    if (this.options.intervalMs > 0) this.task.start();
  }

  /** Stops the timer and waits for a pass in progress, so the database can close after it. */
  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One pass now: every table, or (quick) the small ones. Tests call it directly. */
  runOnce(pass: 'full' | 'quick' = 'full'): Promise<VacuumRun> {
    return this.task.runOnce(() => this.run(pass));
  }

  private async run(pass: 'full' | 'quick'): Promise<VacuumRun> {
    const startedAt = performance.now();
    const maxBytes = pass === 'full' ? Number.MAX_SAFE_INTEGER : (this.options.quickMaxBytes ?? QUICK_MAX_BYTES);
    const { rows } = await sql<{ name: string }>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' and pg_relation_size(c.oid) <= ${maxBytes}::bigint
      order by c.relname`.execute(this.options.db);
    let failed = 0;
    let slowest: VacuumRun['slowest'];
    for (const { name } of rows) {
      if (this.task.stopped) break;
      const tableStartedAt = performance.now();
      try {
        // With ANALYZE in the quick pass too: without it the bench's next minute ran ~7 % slower (ADR 035).
        await sql`vacuum (analyze) ${sql.table(name)}`.execute(this.options.db);
      } catch (err) {
        failed += 1;
        this.options.logger.error({ err, table: name }, 'vacuum of the embedded database failed for a table; the others go on');
      }
      const ms = performance.now() - tableStartedAt;
      if (!slowest || ms > slowest.ms) slowest = { table: name, ms: Math.round(ms) };
    }
    const result = { tables: rows.length, failed, ms: Math.round(performance.now() - startedAt), slowest };
    // A quick pass every minute would make the log noisy: only the full pass says so at info.
    this.options.logger[pass === 'full' ? 'info' : 'debug']({ pass, ...result }, 'embedded database vacuumed');
    return result;
  }
}
