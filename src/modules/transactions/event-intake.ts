import type { TransactionsStore } from './store.js';
import type { AppliedEvent, SessionEventWrite } from './event-writes.js';
import { SUPERSEDED } from './session-rows.js';
import type { StartWrite, StartWritten, StopWrite, StopWritten } from './numbered-writes.js';
import type { OutboxEvent } from './outbox.js';
import { awaitingMessagesEvent, endedEvent, startedEvent, updatedEvent } from './session-events.js';

/**
 * The domain events a batch of applied 2.0.1 TransactionEvents causes, staged in the batch's
 * transaction (ADR 008). Only a fresh event (not a retry) causes any. The first event applied to
 * a session starts it, whichever event that is (gaps, out of order, or the retry of one whose
 * session row was written before a crash); an event that finishes the session ends it; any
 * other is an update, one per seqNo.
 *
 * E14 / TC_E_31: an Ended while earlier seqNos are missing holds the session "awaiting messages"
 * (TransactionAwaitingMessages, so the CSMS asks GetTransactionStatus); TransactionEnded follows
 * when the last missing one arrives, or when the station says none are queued (service).
 */
export async function eventsOfApplied(store: TransactionsStore, items: readonly SessionEventWrite[], applied: readonly AppliedEvent[]): Promise<OutboxEvent[]> {
  const endsNow = (a: AppliedEvent | undefined) => a?.fresh === true && a.row.status === 'finished' && a.previousStatus !== 'finished';
  const toCheck = applied.filter((a) => endsNow(a) || (a.fresh && a.row.awaiting_messages)).map((a) => a.row.id);
  const missing = await store.missingSeqNos(toCheck);
  const events: OutboxEvent[] = [];
  const nowAwaiting: string[] = [];
  const nowComplete: string[] = [];
  let at = new Date(0);
  items.forEach((item, i) => {
    const result = applied[i];
    if (!result?.fresh) return;
    const { row, previousSeqNo } = result;
    const tenantId = item.event.tenant_id;
    at = item.patch.now;
    const first = previousSeqNo === null;
    const gaps = missing.get(row.id);
    if (first) events.push(startedEvent(tenantId, row, at));
    if (endsNow(result)) {
      if (gaps) {
        nowAwaiting.push(row.id);
        events.push(awaitingMessagesEvent(tenantId, row, gaps, at));
      } else {
        events.push(endedEvent(tenantId, row, at));
      }
    } else if (row.awaiting_messages) {
      // A late message of a session held for it: the last missing one closes the session.
      if (!gaps) {
        nowComplete.push(row.id);
        events.push(endedEvent(tenantId, row, at));
      }
    } else if (!first && row.status !== 'finished') {
      events.push(updatedEvent(tenantId, row, String(item.patch.seqNo), at));
    }
  });
  await store.setAwaitingMessages(nowAwaiting, true, at);
  await store.setAwaitingMessages(nowComplete, false, at);
  return events;
}

/**
 * The events a batch of 1.6 starts causes, staged in the batch's transaction (ADR 008, 010): a
 * fresh start (not a retry) starts its session; an older session it superseded on the connector
 * (its StopTransaction was lost) ends.
 */
export function eventsOfStarts(items: readonly StartWrite[], written: readonly StartWritten[]): OutboxEvent[] {
  return items.flatMap((item, i) => {
    const result = written[i];
    if (!result) return [];
    const tenantId = item.event.tenant_id;
    return [...(result.fresh ? [startedEvent(tenantId, item.session, item.now)] : []), ...result.superseded.map((s) => endedEvent(tenantId, s, item.now))];
  });
}

/**
 * The events a batch of 1.6 stops causes: the session ends, except one closed before as
 * superseded, which has had its TransactionEnded: its real stop is an update. A retry causes none.
 */
export function eventsOfStops(items: readonly StopWrite[], written: readonly StopWritten[]): OutboxEvent[] {
  return items.flatMap((item, i) => {
    const finished = written[i]?.finished;
    if (!finished) return [];
    const tenantId = item.event.tenant_id;
    const now = item.stop.now;
    return [written[i]?.previousStopReason === SUPERSEDED ? updatedEvent(tenantId, finished, 'stop', now) : endedEvent(tenantId, finished, now)];
  });
}
