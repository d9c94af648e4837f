import type { ServeConfig } from '../config/config.js';
import type { EventBus } from '../platform/bus.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import type { ScryptCost } from '../platform/passwords.js';
import { CertificateAuthority, SecurityService } from '../modules/security/index.js';
import type { StationsService } from '../modules/stations/index.js';
import { SecurityCommandMapper } from '../ocpp/commands/security-commands.js';
import type { OcppGateway } from '../ocpp/gateway/gateway.js';
import { TlsListener } from '../ocpp/gateway/tls-listener.js';

/**
 * Builds the security module. The gateway is created after the dispatcher that needs this
 * service, so it is reached through a getter that is only called once messages flow.
 */
export async function createSecurityService(deps: {
  config: ServeConfig;
  stations: StationsService;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  passwordCost: ScryptCost | undefined;
  gateway: () => OcppGateway;
}): Promise<SecurityService> {
  const authority = deps.config.caDir ? await CertificateAuthority.load(deps.config.caDir, () => deps.clock.nowMs()) : undefined;
  if (authority) deps.logger.info({ caDir: deps.config.caDir, subject: authority.certificate.subject }, 'built-in CA loaded');
  const gateway = {
    send: (...args: Parameters<OcppGateway['send']>) => deps.gateway().send(...args),
    versionOf: (tenantId: string, stationId: string) => deps.gateway().versionOf(tenantId, stationId),
  };
  return new SecurityService({
    stations: deps.stations,
    commands: new SecurityCommandMapper(gateway),
    bus: deps.bus,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'security' }),
    authority,
    passwordCost: deps.passwordCost,
    forgetPassword: (stationId) => deps.gateway().forgetPassword(stationId),
  });
}

export interface RunningTls {
  port: number;
  url: string;
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** The profile 2/3 listener, serving the same gateway as the plain port; reloads on file change and SIGHUP. */
export async function startTlsListener(config: ServeConfig, gateway: OcppGateway, logger: Logger): Promise<RunningTls | undefined> {
  const tls = config.tls;
  if (!tls) return undefined;
  const listener = await TlsListener.create({ certFiles: tls.certFiles, keyFiles: tls.keyFiles, caFile: tls.caFile }, logger.child({ component: 'tls' }));
  gateway.attach(listener.server);
  let port: number;
  try {
    port = await listener.listen(tls.port, config.host);
  } catch (err) {
    throw new Error(`cannot listen on ${config.host}:${tls.port} (TLS): ${(err as Error).message}`);
  }
  listener.watchFiles();
  const onHangup = () => void listener.reload().catch((err: unknown) => logger.error({ err }, 'TLS reload on SIGHUP failed'));
  process.on('SIGHUP', onHangup);
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  logger.info({ port }, 'OCPP TLS listener (security profiles 2 and 3) listening');
  return {
    port,
    url: `wss://${host}:${port}/ocpp`,
    reload: () => listener.reload(),
    close: async () => {
      process.off('SIGHUP', onHangup);
      await listener.close();
    },
  };
}
