import { sql, type Kysely } from 'kysely';

/** Rows one retention statement removes at most (ADR 030): short statements, short locks. */
export const RETENTION_BATCH = 5000;

/**
 * Deletes the rows of `table` whose `timeColumn` is before `olderThan`, `batchSize` rows per
 * statement, until a statement removes fewer than a batch. Each statement is its own transaction,
 * so a large backlog never holds row locks (or a long snapshot) for the whole sweep.
 * `table` and `timeColumn` come from code, never from input; the table must have an `id` key.
 */
export async function deleteOlderInBatches(
  db: Kysely<any>,
  table: string,
  timeColumn: string,
  olderThan: Date,
  batchSize: number = RETENTION_BATCH,
): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await sql`
      delete from ${sql.table(table)} where id in (
        select id from ${sql.table(table)} where ${sql.ref(timeColumn)} < ${olderThan} limit ${batchSize}
      )`.execute(db);
    const deleted = Number(result.numAffectedRows ?? 0n);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
