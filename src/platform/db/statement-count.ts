/**
 * Statements this process has sent to its database (every Kysely query, both backends), for
 * /metrics (`ampline_db_statements_total`) and the sessions benchmark's statements per message:
 * a figure that, unlike wall-clock throughput, does not move when other processes share the CPU.
 */
let statements = 0;

export function countStatement(): void {
  statements += 1;
}

/** Statements a database procedure ran in the database thread on this process's behalf (ADR 034). */
export function countStatements(n: number): void {
  statements += n;
}

export function statementsSent(): number {
  return statements;
}
