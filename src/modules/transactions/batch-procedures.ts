// The transactions module's database procedures (ADR 034): loaded by the embedded database's
// thread, which runs each group-committed batch's whole transaction next to the database.
import type { Kysely } from 'kysely';
import type { DbProcedures } from '../../platform/db/db-procedures.js';
import { BATCH_WORK, type BatchInputs, type BatchKind, type BatchValues } from './batch-work.js';
import { stageEvents, type StagedEvents } from './outbox-rows.js';
import { TransactionsStore } from './store.js';
import type { TransactionsTables } from './tables.js';

export const BATCH_PROCEDURE = 'transactions.batch';

export interface BatchCall<K extends BatchKind> {
  kind: K;
  input: BatchInputs[K];
}

/** The batch's value and the outbox row its events were staged in (none: no events). */
export interface BatchCalled<K extends BatchKind> {
  value: BatchValues[K];
  staged: StagedEvents | undefined;
}

/** One batch in one database transaction: its writes and its events' outbox row commit together. */
export async function runBatch<K extends BatchKind>(db: Kysely<TransactionsTables>, { kind, input }: BatchCall<K>): Promise<BatchCalled<K>> {
  return db.transaction().execute(async (trx) => {
    // The procedures run only in the embedded database's thread: one connection, nothing to deadlock with.
    const { value, events } = await BATCH_WORK[kind](new TransactionsStore(trx, 'none'), input);
    return { value, staged: await stageEvents(trx, events) };
  });
}

export const dbProcedures: DbProcedures = {
  [BATCH_PROCEDURE]: (db, call: BatchCall<BatchKind>) => runBatch(db as Kysely<TransactionsTables>, call),
};
