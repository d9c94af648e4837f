const SESSION_CACHE_MAX = 50_000;

export interface KnownTransaction {
  sessionId: string;
  evseId: number | null;
}

/**
 * Transactions this process saw lately, by (station, station transaction id): a MeterValues, a
 * stop or the next TransactionEvent costs no session look-up. Filled only once the session row
 * is committed; cleared whole when it grows too big (anything missing is read from the database).
 */
export class KnownTransactions {
  private readonly byTx = new Map<string, KnownTransaction>();

  get(stationId: string, stationTxId: string): KnownTransaction | undefined {
    return this.byTx.get(txKey(stationId, stationTxId));
  }

  remember(stationId: string, stationTxId: string, sessionId: string, evseId: number | null): KnownTransaction {
    if (this.byTx.size >= SESSION_CACHE_MAX) this.byTx.clear();
    const entry = { sessionId, evseId };
    this.byTx.set(txKey(stationId, stationTxId), entry);
    return entry;
  }
}

/** One key of two strings. */
export function txKey(first: string, second: string): string {
  return `${first}\u0000${second}`;
}
