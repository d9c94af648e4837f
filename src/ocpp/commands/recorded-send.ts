import { performance } from 'node:perf_hooks';
import type { Clock } from '../../platform/clock.js';
import { isDomainError } from '../../platform/errors.js';
import type { CommandHistory } from '../../modules/commands/index.js';
import { SYSTEM_REQUESTER } from '../../platform/requester.js';
import type { OcppGateway } from '../gateway/gateway.js';

export interface RecordingDeps {
  history: CommandHistory;
  clock: Clock;
  onError: (err: unknown, call: { stationId: string; action: string }) => void;
}

/**
 * Wraps the gateway's `send` in place, so every CSMS-initiated CALL is recorded whichever module
 * or route holds the gateway: the typed commands, the generic passthrough, the reconnect check,
 * and modules added later (ADR 017). Who asked comes with each call (`call.requestedBy`, passed
 * from the API route down; absent: the system). What never left is not recorded: a request that fails schema
 * validation, or one for a station that is not connected. A station that drops the connection
 * while a CALL waits is recorded as StationOffline.
 */
export function recordOutgoingCalls(gateway: Pick<OcppGateway, 'send' | 'versionOf'>, deps: RecordingDeps): void {
  const send = gateway.send.bind(gateway);
  gateway.send = async (tenantId, stationId, action, payload, call) => {
    if (!gateway.versionOf(tenantId, stationId)) return send(tenantId, stationId, action, payload, call);
    const requestedBy = call?.requestedBy ?? SYSTEM_REQUESTER;
    const startedAt = deps.clock.now();
    const t0 = performance.now();
    const finish = async (outcome: { response?: Record<string, unknown>; error?: string }) => {
      try {
        await deps.history.record({ tenantId, stationId, action, request: payload, requestedBy, startedAt, durationMs: performance.now() - t0, ...outcome });
      } catch (err) {
        // The station's answer matters more than its record: log and hand the answer back.
        deps.onError(err, { stationId, action });
      }
    };
    try {
      const response = await send(tenantId, stationId, action, payload, call);
      await finish({ response });
      return response;
    } catch (err) {
      if (!isDomainError(err, 'InvalidInput')) await finish({ error: describe(err) });
      throw err;
    }
  };
}

function describe(err: unknown): string {
  if (!isDomainError(err)) return err instanceof Error ? err.message : String(err);
  const code = err.details?.['errorCode'];
  return typeof code === 'string' && err.code === 'StationCallError' ? `${err.code}: ${code}` : err.code;
}
