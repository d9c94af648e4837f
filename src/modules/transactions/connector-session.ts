import type { NewSampleRow, SessionRow } from './session-rows.js';

/**
 * 1.6 §4.7: a MeterValues may name only its connector (no transactionId), for example values a
 * station sends between its StartTransaction and the answer, or queued offline. Each reading
 * joins the session that was open on that connector at the reading's time (the newest one when
 * spans touch); a reading outside every session keeps no session, and connector 0 (the main
 * meter) never gets one.
 */
export function attachToConnectorSessions(rows: readonly NewSampleRow[], sessions: readonly SessionRow[]): NewSampleRow[] {
  if (sessions.length === 0) return [...rows];
  const newestFirst = [...sessions].sort((a, b) => b.started_at.getTime() - a.started_at.getTime());
  return rows.map((row) => {
    const atMs = (row.sampled_at as Date).getTime();
    const open = newestFirst.find((s) => s.started_at.getTime() <= atMs && (s.stopped_at === null || atMs <= s.stopped_at.getTime()));
    return open ? { ...row, session_id: open.id } : row;
  });
}

/** The time span the readings cover, to ask for the sessions that may hold them. */
export function readingSpan(rows: readonly NewSampleRow[]): { from: Date; to: Date } | undefined {
  if (rows.length === 0) return undefined;
  const times = rows.map((r) => (r.sampled_at as Date).getTime());
  return { from: new Date(Math.min(...times)), to: new Date(Math.max(...times)) };
}
