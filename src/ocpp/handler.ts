import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import type { StationsService } from '../modules/stations/index.js';
import type { AuthorizationService } from '../modules/authorization/index.js';
import type { TransactionsService } from '../modules/transactions/index.js';
import type { CommandsInbound } from '../modules/commands/index.js';
import type { FirmwareService } from '../modules/firmware/index.js';
import type { DiagnosticsService } from '../modules/diagnostics/index.js';
import type { DeviceModel } from '../modules/device-model/index.js';
import type { SecurityService } from '../modules/security/index.js';
import type { LinkContext } from './gateway/station-link.js';

/** The module services an OCPP handler may call. Grows as capabilities arrive. */
export interface OcppServices {
  stations: StationsService;
  authorization: AuthorizationService;
  transactions: TransactionsService;
  /** Inbound DataTransfer and the 2.0.1 report parts of display messages and customer information. */
  commands?: CommandsInbound;
  firmware: FirmwareService;
  diagnostics: DiagnosticsService;
  deviceModel: DeviceModel;
  security: SecurityService;
}

export interface HandlerContext {
  link: LinkContext;
  services: OcppServices;
  clock: Clock;
  logger: Logger;
}

/**
 * One inbound OCPP action. The payload arrives validated against the official schema, so the
 * request type may be trusted; the handler maps it to a module call and the result back.
 */
export type Handler<Req, Res> = (ctx: HandlerContext, request: Req) => Promise<Res>;

export type HandlerMap = Record<string, Handler<never, object>>;
