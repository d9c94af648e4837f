import { sql, type Kysely } from 'kysely';
import type { Logger } from '../logger.js';

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
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<VacuumRun> | undefined;
  private stopped = false;

  constructor(private readonly options: EmbeddedVacuumOptions) {}

  start(): void {
    if (this.options.intervalMs > 0) this.schedule();
  }

  /** Stops the timer and waits for a run in progress, so the database can close after it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass over every table. Tests call it directly. */
  async runOnce(): Promise<VacuumRun> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.run();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async run(): Promise<VacuumRun> {
    const startedAt = performance.now();
    const { rows } = await sql<{ name: string }>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' order by c.relname`.execute(this.options.db);
    let failed = 0;
    let slowest: VacuumRun['slowest'];
    for (const { name } of rows) {
      if (this.stopped) break;
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

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runOnce()
        .catch((err: unknown) => this.options.logger.error({ err }, 'vacuum of the embedded database failed'))
        .finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }
}
