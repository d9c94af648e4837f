import { randomInt } from 'node:crypto';
import type { EventBus } from '../../platform/bus.js';
import { DomainError } from '../../platform/errors.js';
import type { RequestedBy } from '../../platform/requester.js';
import type { TransactionStarted } from './events.js';
import type { TransactionsService } from './service.js';
import type { IdToken, TokenAuthorizer } from './types.js';

/** The station side of remote control; the OCPP layer maps it to each version's messages. */
export interface ChargingCommands {
  start(
    tenantId: string,
    stationId: string,
    command: { evseId?: number | undefined; idToken: IdToken; remoteStartId: number },
    requestedBy: RequestedBy,
  ): Promise<{ status: 'Accepted' | 'Rejected'; transactionId?: string | undefined; statusInfo?: Record<string, unknown> | undefined }>;
  stop(
    tenantId: string,
    stationId: string,
    command: { transactionId: string | number },
    requestedBy: RequestedBy,
  ): Promise<{ status: 'Accepted' | 'Rejected'; statusInfo?: Record<string, unknown> | undefined }>;
}

export interface RemoteStartRequest {
  stationId: string;
  evseId?: number | undefined;
  idToken: IdToken;
  /** How long to wait for the transaction to start before answering without a session id. */
  waitMs: number;
  /** Who asked (the command history's requestedBy). */
  requestedBy: RequestedBy;
}

export interface RemoteStartResult {
  status: 'Accepted' | 'Rejected';
  remoteStartId: number;
  sessionId: string | null;
  statusInfo?: Record<string, unknown> | undefined;
}

export interface RemoteControlDeps {
  commands: ChargingCommands;
  transactions: TransactionsService;
  authorizer: TokenAuthorizer;
  bus: EventBus;
}

/**
 * Remote start and stop (1.6 §5.11/§5.12, 2.0.1 F01–F03): the token is checked first, the
 * station's answer is returned, and a started session is correlated by remoteStartId (2.0.1)
 * or by station, connector and idTag (1.6, which has no such field).
 */
export class RemoteControl {
  constructor(private readonly deps: RemoteControlDeps) {}

  async start(tenantId: string, request: RemoteStartRequest): Promise<RemoteStartResult> {
    const verdict = await this.deps.authorizer.authorize(tenantId, request.idToken, { stationId: request.stationId, evseId: request.evseId });
    if (verdict.status !== 'Accepted') {
      throw new DomainError('Conflict', `token ${request.idToken.idToken} may not charge here: ${verdict.status}`, { field: 'idToken', tokenStatus: verdict.status });
    }
    const remoteStartId = randomInt(1, 2 ** 31 - 1);
    const started = this.awaitStart(tenantId, request, remoteStartId);
    try {
      const answer = await this.deps.commands.start(
        tenantId,
        request.stationId,
        { evseId: request.evseId, idToken: request.idToken, remoteStartId },
        request.requestedBy,
      );
      if (answer.status !== 'Accepted') {
        started.cancel();
        return { status: 'Rejected', remoteStartId, sessionId: null, statusInfo: answer.statusInfo };
      }
      // F01 cable plugged in first: the transaction already runs and the station names it.
      if (answer.transactionId) {
        const running = await this.findByTransactionId(tenantId, request.stationId, answer.transactionId);
        if (running) {
          started.cancel();
          return { status: 'Accepted', remoteStartId, sessionId: running, statusInfo: answer.statusInfo };
        }
      }
      const sessionId = await started.result;
      return { status: 'Accepted', remoteStartId, sessionId, statusInfo: answer.statusInfo };
    } catch (err) {
      started.cancel();
      throw err;
    }
  }

  /** `stationIds`: the caller's site scope (ADR 021); a session outside it is not found. */
  async stop(
    tenantId: string,
    sessionId: string,
    requestedBy: RequestedBy,
    stationIds?: readonly string[],
  ): Promise<{ status: 'Accepted' | 'Rejected'; statusInfo?: Record<string, unknown> | undefined }> {
    const session = await this.deps.transactions.get(tenantId, sessionId);
    if (stationIds && !stationIds.includes(session.stationId)) throw new DomainError('NotFound', `session ${sessionId} not found`);
    if (session.status === 'finished') throw new DomainError('Conflict', `session ${sessionId} has already finished`);
    return this.deps.commands.stop(tenantId, session.stationId, { transactionId: session.transactionId }, requestedBy);
  }

  private async findByTransactionId(tenantId: string, stationId: string, transactionId: string): Promise<string | null> {
    const recent = await this.deps.transactions.list(tenantId, { stationId, limit: 100 });
    return recent.items.find((s) => s.transactionId === transactionId && s.status !== 'finished')?.id ?? null;
  }

  /** Listens before the command goes out: a fast station may start before we hear its answer. */
  private awaitStart(tenantId: string, request: RemoteStartRequest, remoteStartId: number): { result: Promise<string | null>; cancel(): void } {
    let finish: (sessionId: string | null) => void = () => undefined;
    const result = new Promise<string | null>((resolve) => (finish = resolve));
    const unsubscribe = this.deps.bus.subscribe<TransactionStarted>('TransactionStarted', (event) => {
      const p = event.payload;
      if (event.tenantId !== tenantId || p.stationId !== request.stationId) return;
      const matches =
        p.remoteStartId === remoteStartId ||
        (p.remoteStartId === null && p.idToken !== null && p.idToken.toUpperCase() === request.idToken.idToken.toUpperCase() &&
          (request.evseId === undefined || p.evseId === request.evseId));
      if (matches) done(p.sessionId);
    });
    const timer = setTimeout(() => done(null), request.waitMs);
    timer.unref();
    function done(sessionId: string | null): void {
      clearTimeout(timer);
      unsubscribe();
      finish(sessionId);
    }
    return { result, cancel: () => done(null) };
  }
}
