/**
 * Where the embedded database's thread spends its time (ADR 031), for /metrics and the sessions
 * benchmark: running statements, and waiting inside an open transaction for the server's thread
 * to send the next statement. The second is the cost of a statement-at-a-time transaction
 * crossing threads; a high share says the write path should run next to the database.
 */
let busySeconds = 0;
let transactionWaitSeconds = 0;

export function addDbThreadTime(busyMs: number, transactionWaitMs: number): void {
  busySeconds += busyMs / 1000;
  transactionWaitSeconds += transactionWaitMs / 1000;
}

export function dbThreadTime(): { busySeconds: number; transactionWaitSeconds: number } {
  return { busySeconds, transactionWaitSeconds };
}
