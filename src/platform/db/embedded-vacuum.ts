import { sql, type Kysely } from 'kysely';
import type { Logger } from '../logger.js';
import { PeriodicTask } from '../periodic-task.js';

export interface EmbeddedVacuumOptions {
  db: Kysely<any>;
  logger: Logger;
  /** Between runs; the first run comes one interval after start. */
  intervalMs: number;
}

export interface VacuumRun {
  tables: number;
  failed: number;
  ms: number;
  slowest: { table: string; ms: number } | undefined;
}

/**
 * Vacuums the embedded database (ADR 035). PGlite runs Postgres as a single backend, without the
 * autovacuum workers a server has: rows the outbox and retention delete, and the versions left by
 * every session, connector and presence update, are never reclaimed, so tables and indexes grow
 * for as long as the server runs; the planner's statistics are never refreshed; and transaction
 * ids are never frozen. Every interval this runs VACUUM (ANALYZE) on each table, one statement per
 * table, so stations and the API get the connection between tables. A failure is logged and the
 * next table still runs.
 */
export class EmbeddedVacuum {
  private readonly task: PeriodicTask<VacuumRun>;

  constructor(private readonly options: EmbeddedVacuumOptions) {
    this.task = new PeriodicTask({
      run: () => this.run(),
      firstDelayMs: options.intervalMs,
      intervalMs: options.intervalMs,
      onError: (err) => options.logger.error({ err }, 'vacuum of the embedded database failed'),
    });
  }

  start(): void {
    if (this.options.intervalMs > 0) this.task.start();
  }

  /** Stops the timer and waits for a run in progress, so the database can close after it. */
  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One pass over every table. Tests call it directly. */
  runOnce(): Promise<VacuumRun> {
    return this.task.runOnce();
  }

  private async run(): Promise<VacuumRun> {
    const startedAt = performance.now();
    const { rows } = await sql<{ name: string }>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' order by c.relname`.execute(this.options.db);
    let failed = 0;
    let slowest: VacuumRun['slowest'];
    for (const { name } of rows) {
      if (this.task.stopped) break;
      const tableStartedAt = performance.now();
      try {
        await sql`vacuum (analyze) ${sql.table(name)}`.execute(this.options.db);
      } catch (err) {
        failed += 1;
        this.options.logger.error({ err, table: name }, 'vacuum of the embedded database failed for a table; the others go on');
      }
      const ms = performance.now() - tableStartedAt;
      if (!slowest || ms > slowest.ms) slowest = { table: name, ms: Math.round(ms) };
    }
    const result = { tables: rows.length, failed, ms: Math.round(performance.now() - startedAt), slowest };
    this.options.logger.info(result, 'embedded database vacuumed');
    return result;
  }
}
