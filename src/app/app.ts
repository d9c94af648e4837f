import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../platform/clock.js';
import { InMemoryBus, type EventBus } from '../platform/bus.js';
import { openDatabase, type DatabaseHandle } from '../platform/db/database.js';
import { migrateToLatest } from '../platform/db/migrate.js';
import { cryptoIds, type IdSource } from '../platform/ids.js';
import { createLogger, type Logger } from '../platform/logger.js';
import { createMetrics, type Metrics } from '../platform/metrics.js';
import type { ScryptCost } from '../platform/passwords.js';
import type { ServeConfig } from '../config/config.js';
import { createApiServer } from '../api/server.js';
import { registerOpsRoutes } from '../api/ops-routes.js';
import { AccountsService, DEFAULT_TENANT_ID } from '../modules/accounts/index.js';
import { SitesService, registerSiteRoutes } from '../modules/sites/index.js';
import { AuthorizationService, createAuthorizationService, registerTokenRoutes } from '../modules/authorization/index.js';
import { toIdTagInfo16, toIdTokenInfo201 } from '../modules/authorization/index.js';
import { TransactionsService, createTransactionsService, registerTransactionRoutes } from '../modules/transactions/index.js';
import { RemoteControl, registerRemoteControlRoutes } from '../modules/transactions/index.js';
import type { TokenAuthorizer, TransactionsTables } from '../modules/transactions/index.js';
import { ChargingCommandMapper } from '../ocpp/commands/charging-commands.js';
import { ReconnectStatusCheck } from '../modules/transactions/index.js';
import { EndedGapCheck } from '../modules/transactions/index.js';
import { TransactionStatusRequester } from '../ocpp/commands/transaction-status.js';
import { FrameArchive, StationsService, checkStationId, createStationsService, registerStationRoutes } from '../modules/stations/index.js';
import { OcppGateway } from '../ocpp/gateway/gateway.js';
import { createDispatcher } from '../ocpp/dispatch.js';
import { versionLabel } from '../ocpp/rpc/versions.js';
import { migrations, moduleDb, type Database } from './database.js';
import type { AccountsTables } from '../modules/accounts/index.js';
import type { SitesTables } from '../modules/sites/index.js';
import type { AuthorizationTables } from '../modules/authorization/index.js';
import type { StationsTables } from '../modules/stations/index.js';

export interface AppOptions {
  clock?: Clock;
  ids?: IdSource;
  logger?: Logger;
  /** Tests: an in-memory PGlite instead of the data directory, optionally from a dumped template. */
  memoryDatabase?: boolean;
  databaseTemplate?: Blob;
  /** Tests: a cheaper scrypt so suites that register many stations stay fast. */
  passwordCost?: ScryptCost;
  /** Where the first-start admin token is shown; stdout by default. */
  announce?: (line: string) => void;
  /** Tests: the event bus, to observe what is published during start-up (the outbox relay, ADR 008). */
  bus?: EventBus;
}

export interface AmplineApp {
  port: number;
  baseUrl: string;
  ocppUrl: string;
  /** Set when this start generated the bootstrap admin token (it is printed once). */
  generatedAdminToken: string | undefined;
  stations: StationsService;
  sites: SitesService;
  accounts: AccountsService;
  authorization: AuthorizationService;
  transactions: TransactionsService;
  gateway: OcppGateway;
  bus: EventBus;
  metrics: Metrics;
  databaseKind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

export async function startAmpline(config: ServeConfig, options: AppOptions = {}): Promise<AmplineApp> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? cryptoIds;
  const logger = options.logger ?? createLogger(config.logLevel);
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));

  const database: DatabaseHandle<Database> = await openDatabase<Database>({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    memory: options.memoryDatabase ?? false,
    template: options.databaseTemplate,
  });
  let api: FastifyInstance | undefined;
  let gateway: OcppGateway | undefined;
  try {
    const applied = await migrateToLatest(database.db, migrations);
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
    const { db } = database;
    const metrics = createMetrics({ defaultMetrics: true });
    const bus = options.bus ?? new InMemoryBus((err, event) => logger.error({ err, event: event.type }, 'event handler failed'));
    const accounts = new AccountsService({ db: moduleDb<AccountsTables>(db), clock, ids });
    const sites = new SitesService({ db: moduleDb<SitesTables>(db), ids });
    const authorization = createAuthorizationService({ db: moduleDb<AuthorizationTables>(db), clock, ids });
    const tokenAuthorizer: TokenAuthorizer = {
      authorize: async (tenantId, token, context) => {
        const result = await authorization.authorize(tenantId, token, context);
        return { status: result.status, idTagInfo: toIdTagInfo16(result), idTokenInfo: toIdTokenInfo201(result) };
      },
      mayStop: (tenantId, stopper, starter) => authorization.mayStop(tenantId, stopper, starter),
    };
    const transactions = createTransactionsService({
      db: moduleDb<TransactionsTables>(db),
      bus,
      clock,
      ids,
      authorizer: tokenAuthorizer,
      onOutboxError: (err) => logger.error({ err }, 'marking transaction events published failed; they are published again at the next start'),
    });
    authorization.setActiveTransactions(transactions);
    const stations = createStationsService({
      db: moduleDb<StationsTables>(db),
      bus,
      clock,
      heartbeatIntervalS: config.heartbeatIntervalS,
      bootRetryIntervalS: config.bootRetryIntervalS,
      passwordCost: options.passwordCost,
      onWriteError: (err) => logger.error({ err }, 'station state write failed'),
    });
    await stations.resetPresence();

    const bootstrap = await accounts.bootstrapAdminToken(config.bootstrapToken);
    if (bootstrap.generatedToken) {
      announce(`Ampline: first start. Admin API token (shown once, store it now): ${bootstrap.generatedToken}`);
    } else if (bootstrap.created) {
      logger.info('admin API token created from AMPLINE_BOOTSTRAP_TOKEN');
    }

    const frameArchive = config.persistFrames
      ? new FrameArchive(moduleDb<StationsTables>(db), 500, (err) => logger.error({ err }, 'frame archive write failed'))
      : undefined;
    const ocppGateway = new OcppGateway({
      directory: {
        credentials: (id) => stations.credentials(id),
        autoRegister: (id) => stations.autoRegister(DEFAULT_TENANT_ID, id, 'Accepted'),
        checkId: checkStationId,
        connected: (link, remote) => stations.connected(link.tenantId, link.stationId, versionLabel(link.version), remote),
        disconnected: (link, reason) => stations.disconnected(link.tenantId, link.stationId, reason),
        authenticationFailed: (creds, reason) => stations.securityEvent(creds.tenantId, creds.id, 'AuthenticationFailed', reason),
        seen: (link, at) => stations.seen(link.stationId, at),
      },
      dispatch: createDispatcher({ services: { stations, authorization, transactions }, clock, logger }),
      clock,
      logger: logger.child({ component: 'ocpp' }),
      metrics,
      autoRegister: config.autoRegister,
      callTimeoutMs: config.callTimeoutS * 1000,
      pingIntervalMs: config.pingIntervalS * 1000,
      frameLogSize: config.frameLogSize,
      compression: config.compression,
      ...(frameArchive
        ? { onFrame: (link, direction, text, atMs) => frameArchive.record(link.tenantId, link.stationId, direction, text, atMs) }
        : {}),
    });
    gateway = ocppGateway;

    api = createApiServer({ logger, accounts });
    registerOpsRoutes(api, { metrics, checkDatabase: async () => void (await db.selectFrom('tenants').select('id').limit(1).execute()) });
    registerStationRoutes(api, {
      stations,
      sites,
      frameArchive,
      commands: {
        send: (tenantId, stationId, action, payload, timeoutMs) => ocppGateway.send(tenantId, stationId, action, payload, timeoutMs),
        isConnected: (id) => ocppGateway.isConnected(id),
        frames: (id) => ocppGateway.frames(id),
      },
    });
    registerSiteRoutes(api, sites);
    registerTokenRoutes(api, authorization);
    registerTransactionRoutes(api, transactions);
    const remoteControl = new RemoteControl({ commands: new ChargingCommandMapper(ocppGateway), transactions, authorizer: tokenAuthorizer, bus });
    registerRemoteControlRoutes(api, remoteControl);
    // E14: a 2.x station that reconnects is asked GetTransactionStatus for the sessions still open here.
    new ReconnectStatusCheck({
      transactions,
      query: new TransactionStatusRequester(ocppGateway),
      bus,
      onError: (err, { stationId, transactionId }) => logger.warn({ err, stationId, transactionId }, 'GetTransactionStatus after reconnect failed'),
    }).start();
    // E14 / TC_E_31: an Ended that skipped seqNos is followed by GetTransactionStatus for that transaction.
    new EndedGapCheck({
      transactions,
      query: new TransactionStatusRequester(ocppGateway),
      bus,
      onError: (err, { stationId, transactionId }) => logger.warn({ err, stationId, transactionId }, 'GetTransactionStatus after an Ended with missing seqNos failed'),
    }).start();
    // ADR 008: events a previous process committed but never published; after every subscriber, before any station.
    const relayed = await transactions.relayUnpublishedEvents();
    if (relayed > 0) logger.info({ relayed }, 'published transaction events left unpublished by the previous process');
    ocppGateway.attach(api.server);
    try {
      // A reconnect storm opens thousands of TCP connections at once; the default backlog of 511
      // drops SYNs and turns them into multi-second retransmits.
      await api.listen({ port: config.port, host: config.host, backlog: 4096 });
    } catch (err) {
      throw new Error(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
    }
    const port = (api.server.address() as AddressInfo).port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    logger.info({ port, database: database.kind, dataDir: database.kind === 'pglite' ? config.dataDir : undefined }, 'Ampline listening');
    const apiServer = api;
    return {
      port,
      baseUrl: `http://${host}:${port}`,
      ocppUrl: `ws://${host}:${port}/ocpp`,
      generatedAdminToken: bootstrap.generatedToken,
      stations,
      sites,
      accounts,
      authorization,
      transactions,
      gateway: ocppGateway,
      bus,
      metrics,
      databaseKind: database.kind,
      close: async () => {
        await ocppGateway.close();
        await apiServer.close();
        await stations.flush().catch((err: unknown) => logger.error({ err }, 'final station state write failed'));
        await transactions.flush().catch((err: unknown) => logger.error({ err }, 'final meter sample write failed'));
        await frameArchive?.flush().catch((err: unknown) => logger.error({ err }, 'final frame archive write failed'));
        await stations.resetPresence().catch(() => undefined);
        await database.close();
      },
    };
  } catch (err) {
    await gateway?.close().catch(() => undefined);
    await api?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
}
