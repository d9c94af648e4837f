import type { AppliedEvent, SessionEventWrite } from './store.js';
import type { OutboxEvent } from './outbox.js';
import { endedEvent, startedEvent, updatedEvent } from './session-events.js';

/**
 * The domain events a batch of applied 2.0.1 TransactionEvents causes, staged in the batch's
 * transaction (ADR 008). Only a fresh event (not a retry) causes any. The first event applied to
 * a session starts it, whichever event that is (gaps, out of order, or the retry of one whose
 * session row was written before a crash); an event that finishes the session ends it; any
 * other is an update, one per seqNo.
 */
export function eventsOfApplied(items: readonly SessionEventWrite[], applied: readonly AppliedEvent[]): OutboxEvent[] {
  const events: OutboxEvent[] = [];
  items.forEach((item, i) => {
    const result = applied[i];
    if (!result?.fresh) return;
    const { row, previousStatus, previousSeqNo } = result;
    const tenantId = item.event.tenant_id;
    const at = item.patch.now;
    const first = previousSeqNo === null;
    if (first) events.push(startedEvent(tenantId, row, at));
    if (row.status === 'finished' && previousStatus !== 'finished') events.push(endedEvent(tenantId, row, at));
    else if (!first && row.status !== 'finished') events.push(updatedEvent(tenantId, row, String(item.patch.seqNo), at));
  });
  return events;
}
