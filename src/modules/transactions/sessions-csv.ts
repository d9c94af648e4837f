import type { SessionView } from './types.js';

/** The columns of the sessions CSV export, in order (REST and CLI write the same file). */
export const SESSION_CSV_COLUMNS = [
  'id',
  'stationId',
  'evseId',
  'connectorId',
  'transactionId',
  'idToken',
  'status',
  'stopReason',
  'startedAt',
  'stoppedAt',
  'energyWh',
] as const satisfies readonly (keyof SessionView)[];

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Quote what needs it; a leading =,+,-,@ is prefixed so a spreadsheet does not run it as a formula.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Largest CSV export in one go; narrow the time range for more. */
const CSV_MAX_ROWS = 100_000;

/** The CSV (CRLF lines, header first) of every session the pages yield, up to CSV_MAX_ROWS. */
export async function sessionsCsv(page: (after: string | undefined) => Promise<{ items: SessionView[]; nextCursor: string | null }>): Promise<string> {
  const lines: string[] = [SESSION_CSV_COLUMNS.join(',')];
  let after: string | undefined;
  let rows = 0;
  do {
    const { items, nextCursor } = await page(after);
    for (const item of items) lines.push(SESSION_CSV_COLUMNS.map((c) => csvField(item[c])).join(','));
    rows += items.length;
    after = nextCursor ?? undefined;
  } while (after && rows < CSV_MAX_ROWS);
  return `${lines.join('\r\n')}\r\n`;
}
