import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import type { InboundDispatcher } from './gateway/gateway.js';
import type { HandlerContext, HandlerMap, OcppServices } from './handler.js';
import { RpcError } from './rpc/error-codes.js';
import type { Payload } from './rpc/frames.js';
import type { OcppVersion } from './rpc/versions.js';
import { v16Handlers } from './v16/handlers/index.js';
import { v201Handlers } from './v201/handlers/index.js';

const HANDLERS: Record<OcppVersion, HandlerMap> = {
  'ocpp1.6': v16Handlers,
  'ocpp2.0.1': v201Handlers,
  'ocpp2.1': v201Handlers,
};

/** Routes a validated inbound CALL to its version's handler. */
export function createDispatcher(deps: { services: OcppServices; clock: Clock; logger: Logger }): InboundDispatcher {
  return async (link, call) => {
    const handler = HANDLERS[link.version][call.action];
    if (!handler) {
      // The schema layer already answered NotImplemented for actions the version does not define.
      throw new RpcError('NotSupported', `${call.action} is recognised but not supported by this CSMS yet`);
    }
    const ctx: HandlerContext = { link, services: deps.services, clock: deps.clock, logger: deps.logger };
    return (await (handler as (c: HandlerContext, r: Payload) => Promise<object>)(ctx, call.payload)) as Payload;
  };
}
