import type { Clock } from '../../platform/clock.js';
import { signatureHeader } from './signature.js';
import type { DeliveryRow, WebhooksStore } from './store.js';

export interface RetryPolicy {
  /** Wait before the second attempt; doubled for each one after (exponential backoff). */
  firstRetryMs: number;
  maxRetryMs: number;
  /** After this many failed attempts a delivery is given up (`failed`). */
  maxAttempts: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { firstRetryMs: 30_000, maxRetryMs: 6 * 3600_000, maxAttempts: 8, timeoutMs: 10_000 };

export function retryDelayMs(policy: RetryPolicy, attemptsSoFar: number): number {
  return Math.min(policy.firstRetryMs * 2 ** (attemptsSoFar - 1), policy.maxRetryMs);
}

/**
 * Sends due deliveries, one POST each, and writes the outcome back. State lives only in the
 * database (pending rows with next_attempt_at), so a restart picks up where the last process stopped.
 */
export class WebhookSender {
  constructor(
    private readonly deps: {
      store: WebhooksStore;
      clock: Clock;
      policy: RetryPolicy;
      onError: (err: unknown, context: { deliveryId: string; url: string }) => void;
    },
  ) {}

  /** Attempts every delivery due now; returns how many were attempted. */
  async sendDue(batch = 50): Promise<number> {
    const due = await this.deps.store.due(this.deps.clock.now(), batch);
    for (const delivery of due) await this.attempt(delivery);
    return due.length;
  }

  private async attempt(delivery: DeliveryRow & { url: string; secret: string }): Promise<void> {
    const { clock, policy, store } = this.deps;
    const at = clock.now();
    const attempts = delivery.attempts + 1;
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(policy.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Ampline-Webhooks/1',
          'ampline-event-id': delivery.event_id,
          'ampline-event-type': delivery.event_type,
          'ampline-delivery-id': delivery.id,
          'ampline-signature': signatureHeader(delivery.secret, Math.floor(clock.nowMs() / 1000), delivery.body),
        },
        body: delivery.body,
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (statusCode < 200 || statusCode >= 300) error = `receiver answered ${statusCode}`;
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? `no answer within ${policy.timeoutMs} ms` : (err as Error).message;
      this.deps.onError(err, { deliveryId: delivery.id, url: delivery.url });
    }
    const succeeded = error === null;
    const giveUp = !succeeded && attempts >= policy.maxAttempts;
    await store.recordAttempt(delivery.id, {
      status: succeeded ? 'succeeded' : giveUp ? 'failed' : 'pending',
      attempts,
      at,
      nextAttemptAt: succeeded || giveUp ? null : new Date(at.getTime() + retryDelayMs(policy, attempts)),
      statusCode,
      error,
    });
  }
}
