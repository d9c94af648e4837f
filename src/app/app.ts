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
import { OidcLogin, registerAccountRoutes, registerAuthRoutes } from '../modules/accounts/index.js';
import { routeTableOf, type RouteRule } from '../api/auth.js';
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
import { DB_PROCEDURE_MODULES, migrations, moduleDb, type Database } from './database.js';
import { createFirmwareParts } from './firmware.js';
import type { FirmwareService, FirmwareCampaigns } from '../modules/firmware/index.js';
import type { DiagnosticsService } from '../modules/diagnostics/index.js';
import { createSecurityService, startTlsListener, type RunningTls } from './security-wiring.js';
import { registerSecurityRoutes, type SecurityService } from '../modules/security/index.js';
import type { AccountsTables } from '../modules/accounts/index.js';
import type { SitesTables } from '../modules/sites/index.js';
import type { AuthorizationTables } from '../modules/authorization/index.js';
import type { StationsTables } from '../modules/stations/index.js';
import { CommandHistory, CustomerInformationReports, LocalListService, LocalListStore, PartCollector, VendorDataRegistry, registerCommandRoutes } from '../modules/commands/index.js';
import type { CommandsInbound, CommandsTables, TokenSource } from '../modules/commands/index.js';
import type { TokenView } from '../modules/authorization/index.js';
import { recordOutgoingCalls } from '../ocpp/commands/recorded-send.js';
import { createRemoteCommands } from '../ocpp/commands/remote-commands.js';
import { LocalListMessages } from '../ocpp/commands/local-list-channel.js';
import { createDeviceModel, registerConfigurationRoutes, registerMonitoringRoutes, registerTemplateRoutes, registerVariablesRoutes } from '../modules/device-model/index.js';
import type { DeviceModelTables, StationLookup } from '../modules/device-model/index.js';
import { AuditService, registerAuditRoutes, type AuditTables } from '../modules/audit/index.js';
import { WebhooksService, registerWebhookRoutes, type WebhooksTables } from '../modules/webhooks/index.js';
import { IdempotencyService, type IdempotencyTables } from '../modules/idempotency/index.js';
import { LiveEventBuffer, registerEventStreamRoutes } from '../modules/live-events/index.js';
import { installAuditTrail } from '../api/audit-trail.js';
import { installIdempotency } from '../api/idempotency.js';
import { installApiDocs } from '../api/openapi.js';
import { RetentionSweep } from './retention.js';
import { EmbeddedVacuum } from '../platform/db/embedded-vacuum.js';

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
  /** Tests: how often webhook retries are looked for (0: only when deliverDue() is called). */
  webhookPollMs?: number;
  /** Tests: also hand password-reset links here (they always go to the server log). */
  onPasswordResetLink?: (email: string, token: string) => void;
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
  /** Vendor DataTransfer handlers (1.6 §4.3, 2.0.1 P02); register yours here. */
  vendorData: VendorDataRegistry;
  firmware: FirmwareService;
  firmwareCampaigns: FirmwareCampaigns;
  diagnostics: DiagnosticsService;
  gateway: OcppGateway;
  security: SecurityService;
  /** The security profile 2/3 listener, when --tls-port is given. */
  tls: RunningTls | undefined;
  bus: EventBus;
  metrics: Metrics;
  audit: AuditService;
  webhooks: WebhooksService;
  databaseKind: 'pglite' | 'postgres';
  /** Every /api route and its access rule (the authorization matrix test walks it). */
  routes: readonly RouteRule[];
  /** Deletes archived frames and command history past their retention (ADR 030). */
  retention: RetentionSweep;
  /** Vacuums the embedded database, which has no autovacuum (ADR 035); never started on PostgreSQL. */
  vacuum: EmbeddedVacuum;
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
    pool: { maxConnections: config.dbPoolSize, connectTimeoutMs: config.dbConnectTimeoutMs },
    pgliteThread: config.dbThread ?? false,
    procedureModules: DB_PROCEDURE_MODULES,
  });
  let api: FastifyInstance | undefined;
  let gateway: OcppGateway | undefined;
  let tls: RunningTls | undefined;
  try {
    const applied = await migrateToLatest(database.db, migrations);
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
    const { db } = database;
    const metrics = createMetrics({ defaultMetrics: true, dbPool: () => database.poolStats() });
    const bus = options.bus ?? new InMemoryBus((err, event) => logger.error({ err, event: event.type }, 'event handler failed'));
    const accounts = new AccountsService({
      db: moduleDb<AccountsTables>(db),
      clock,
      ids,
      passwordCost: options.passwordCost,
      // Resolved per request for site-scoped users and drivers (ADR 021).
      scopeLookup: {
        stationsOfSites: (tenantId, siteIds) => stations.stationIdsOfSites(tenantId, siteIds),
        tokensOfDriver: async (tenantId, driverId) => (await authorization.list(tenantId, { driverId, limit: 1000 })).map((t) => t.uid),
      },
      resetLink: (user, token) => {
        // No mail yet: the one-time link is logged for the operator to pass on (ADR 021).
        logger.warn(
          { userId: user.id, email: user.email },
          `password reset link (one use, 1 h): /reset-password?token=${token} (POST /api/v1/auth/password-reset/confirm {token, password})`,
        );
        options.onPasswordResetLink?.(user.email, token);
      },
    });
    const sites = new SitesService({ db: moduleDb<SitesTables>(db), ids });
    const authorization = createAuthorizationService({ db: moduleDb<AuthorizationTables>(db), clock, ids });
    const tokenAuthorizer: TokenAuthorizer = {
      authorize: async (tenantId, token, context) => {
        const result = await authorization.authorize(tenantId, token, context);
        return { status: result.status, idTagInfo: toIdTagInfo16(result), idTokenInfo: toIdTokenInfo201(result) };
      },
    };
    const transactions = createTransactionsService({
      db: moduleDb<TransactionsTables>(db),
      bus,
      clock,
      ids,
      authorizer: tokenAuthorizer,
      onOutboxError: (err) => logger.error({ err }, 'marking transaction events published failed; they are published again at the next start'),
      onConflictRetry: (err, attempt) => logger.warn({ err, attempt }, 'transaction batch aborted by a database deadlock or serialization failure; running it again (ADR 027)'),
      dbCall: database.call,
      // One connection to the embedded database: no other writer to deadlock with (ADR 034).
      rowLocks: database.kind === 'postgres' ? 'ordered' : 'none',
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
    const audit = new AuditService({ db: moduleDb<AuditTables>(db) });
    const idempotency = new IdempotencyService({ db: moduleDb<IdempotencyTables>(db), clock });
    const webhooks = new WebhooksService({
      db: moduleDb<WebhooksTables>(db),
      bus,
      clock,
      ids,
      ...(options.webhookPollMs !== undefined ? { pollMs: options.webhookPollMs } : {}),
      onError: (err, context) => logger.warn({ err, ...context }, 'webhook delivery failed'),
    });
    const liveEvents = new LiveEventBuffer();
    liveEvents.attach(bus);

    const bootstrap = await accounts.bootstrapAdminToken(config.bootstrapToken);
    if (bootstrap.generatedToken) {
      announce(`Ampline: first start. Admin API token (shown once, store it now): ${bootstrap.generatedToken}`);
    } else if (bootstrap.created) {
      logger.info('admin API token created from AMPLINE_BOOTSTRAP_TOKEN');
    }
    if ((await accounts.users.count()) === 0) {
      announce('Ampline: no users yet. Create the first owner with "npx ampline admin create --email you@example.com", or call the API with the admin token; users sign in with POST /api/v1/auth/login.');
    } else {
      announce('Ampline: sign in with POST /api/v1/auth/login {"email", "password"}, then send "Authorization: Bearer <accessToken>".');
    }

    const commandsDb = moduleDb<CommandsTables>(db);
    const commandsInbound: CommandsInbound = {
      vendorData: new VendorDataRegistry(),
      displayMessages: new PartCollector<Record<string, unknown>[]>(),
      customerInformation: new CustomerInformationReports({ db: commandsDb, clock }),
    };

    const firmwareParts = await createFirmwareParts({ db, bus, clock, ids, logger, stations, publicUrl: config.publicUrl });
    const { firmware, diagnostics } = firmwareParts;
    // Desired configuration, 1.6 keys and the 2.0.1 device model; its commands reach the gateway below.
    const stationLookup: StationLookup = { find: async (tenantId, id) => ({ siteId: (await stations.get(tenantId, id)).siteId }) };
    const deviceModel = createDeviceModel({
      db: moduleDb<DeviceModelTables>(db),
      commands: {
        send: (tenantId, stationId, action, payload, call) => ocppGateway.send(tenantId, stationId, action, payload, call),
        versionOf: (tenantId, stationId) => {
          const version = ocppGateway.versionOf(tenantId, stationId);
          return version ? versionLabel(version) : undefined;
        },
      },
      stations: stationLookup,
      bus,
      clock,
      ids,
      settleBoot: () => stations.flush(),
      onBootApplyError: (err, stationId) => logger.warn({ err, stationId }, 'applying the configuration template at boot failed'),
    });
    stations.addBootGate(deviceModel.boot.gate);
    deviceModel.boot.start();

    const frameArchive = config.persistFrames
      ? new FrameArchive(moduleDb<StationsTables>(db), 500, (err) => logger.error({ err }, 'frame archive write failed'))
      : undefined;
    const security = await createSecurityService({
      config,
      stations,
      bus,
      clock,
      logger,
      passwordCost: options.passwordCost,
      gateway: () => ocppGateway,
    });
    const ocppGateway = new OcppGateway({
      directory: {
        credentials: async (id) => security.withPending(await stations.credentials(id)),
        autoRegister: (id) => stations.autoRegister(DEFAULT_TENANT_ID, id, 'Accepted'),
        checkId: checkStationId,
        connected: (link, remote) => stations.connected(link.tenantId, link.stationId, versionLabel(link.version), remote),
        disconnected: (link, reason) => stations.disconnected(link.tenantId, link.stationId, reason),
        authenticationFailed: (creds, reason, eventType) => stations.securityEvent(creds.tenantId, creds.id, eventType ?? 'AuthenticationFailed', reason),
        seen: (link, at) => stations.seen(link.stationId, at),
        pendingPasswordUsed: (creds) => security.pendingPasswordUsed(creds.id),
        securityProfileUpgraded: (creds, profile) => security.upgradeCompleted(creds.tenantId, creds.id, creds.securityProfile, profile),
      },
      dispatch: createDispatcher({
        services: {
          stations,
          authorization,
          transactions,
          commands: commandsInbound,
          firmware,
          diagnostics,
          deviceModel,
          security,
        },
        clock,
        logger,
      }),
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
    // Before anything holds the gateway: every CALL it sends from here on is in the command history.
    const commandHistory = new CommandHistory(commandsDb);
    recordOutgoingCalls(ocppGateway, { history: commandHistory, clock, onError: (err, call) => logger.error({ err, ...call }, 'command history write failed') });
    firmwareParts.attachGateway(ocppGateway);
    // ADR 030: frames are pruned even when --persist-frames is now off, for rows an earlier run archived.
    const framePruner = frameArchive ?? new FrameArchive(moduleDb<StationsTables>(db), 500, () => undefined);
    const retention = new RetentionSweep({
      targets: [
        { name: 'station_frames', days: config.frameRetentionDays ?? 7, prune: (olderThan) => framePruner.prune(olderThan) },
        { name: 'station_commands', days: config.commandRetentionDays ?? 90, prune: (olderThan) => commandHistory.prune(olderThan) },
      ],
      clock,
      logger,
    });

    api = createApiServer({ logger, accounts });
    await installApiDocs(api, { version: '1' });
    installAuditTrail(api, { audit, clock });
    installIdempotency(api, idempotency);
    registerAuditRoutes(api, audit);
    registerWebhookRoutes(api, webhooks);
    registerEventStreamRoutes(api, { buffer: liveEvents });
    registerOpsRoutes(api, { metrics, checkDatabase: async () => void (await db.selectFrom('tenants').select('id').limit(1).execute()) });
    registerStationRoutes(api, {
      stations,
      sites,
      frameArchive,
      commands: {
        send: (tenantId, stationId, action, payload, call) => ocppGateway.send(tenantId, stationId, action, payload, call),
        isConnected: (id) => ocppGateway.isConnected(id),
        frames: (id) => ocppGateway.frames(id),
      },
    });
    registerSiteRoutes(api, sites);
    registerCommandRoutes(api, {
      history: commandHistory,
      remote: createRemoteCommands({ sender: ocppGateway, displayMessages: commandsInbound.displayMessages, customerInformation: commandsInbound.customerInformation }),
      localLists: new LocalListService({ store: new LocalListStore(commandsDb), channel: new LocalListMessages(ocppGateway), tokens: allTokens(authorization), clock }),
      customerInformation: commandsInbound.customerInformation,
      stations,
    });
    registerSecurityRoutes(api, { security, stations });
    registerAuthRoutes(api, accounts, config.oidc ? new OidcLogin(config.oidc, { users: accounts.users, logins: accounts.logins, clock, ids }) : undefined);
    registerAccountRoutes(api, accounts);
    registerTokenRoutes(api, authorization);
    registerTransactionRoutes(api, transactions);
    const remoteControl = new RemoteControl({ commands: new ChargingCommandMapper(ocppGateway), transactions, authorizer: tokenAuthorizer, bus });
    registerRemoteControlRoutes(api, remoteControl);
    firmwareParts.registerRoutes(api);
    firmwareParts.start();
    registerConfigurationRoutes(api, { configuration: deviceModel.configuration, stations: stationLookup });
    registerVariablesRoutes(api, { variables: deviceModel.variables, stations: stationLookup });
    registerMonitoringRoutes(api, { monitoring: deviceModel.monitoring, stations: stationLookup });
    registerTemplateRoutes(api, { templates: deviceModel.templates, stations: stationLookup, sites });
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
    await webhooks.start();
    try {
      // A reconnect storm opens thousands of TCP connections at once; the default backlog of 511
      // drops SYNs and turns them into multi-second retransmits.
      await api.listen({ port: config.port, host: config.host, backlog: 4096 });
    } catch (err) {
      throw new Error(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
    }
    const port = (api.server.address() as AddressInfo).port;
    tls = await startTlsListener(config, ocppGateway, logger);
    const runningTls = tls;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    logger.info({ port, database: database.kind, dataDir: database.kind === 'pglite' ? config.dataDir : undefined }, 'Ampline listening');
    const apiServer = api;
    firmwareParts.setPublicBase(`http://${host}:${port}`);
    retention.start();
    // PGlite has no autovacuum (ADR 035); PostgreSQL's own workers vacuum it.
    const vacuum = new EmbeddedVacuum({ db, logger, intervalMs: database.kind === 'pglite' ? (config.vacuumIntervalMinutes ?? 10) * 60_000 : 0 });
    vacuum.start();
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
      vendorData: commandsInbound.vendorData,
      firmware,
      firmwareCampaigns: firmwareParts.campaigns,
      diagnostics,
      gateway: ocppGateway,
      security,
      tls: runningTls,
      bus,
      metrics,
      audit,
      webhooks,
      databaseKind: database.kind,
      routes: routeTableOf(apiServer),
      retention,
      vacuum,
      close: async () => {
        deviceModel.boot.stop();
        await retention.stop();
        await vacuum.stop();
        await ocppGateway.close();
        await firmwareParts.close();
        await runningTls?.close();
        await apiServer.close();
        liveEvents.detach();
        await webhooks.stop().catch((err: unknown) => logger.error({ err }, 'webhook sender stop failed'));
        await stations.flush().catch((err: unknown) => logger.error({ err }, 'final station state write failed'));
        await transactions.flush().catch((err: unknown) => logger.error({ err }, 'final meter sample write failed'));
        await frameArchive?.flush().catch((err: unknown) => logger.error({ err }, 'final frame archive write failed'));
        await stations.resetPresence().catch(() => undefined);
        await database.close();
      },
    };
  } catch (err) {
    await gateway?.close().catch(() => undefined);
    await tls?.close().catch(() => undefined);
    await api?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
}

/** Every token of a tenant, paged through the authorization module (local lists are built from them). */
function allTokens(authorization: AuthorizationService): TokenSource {
  return async (tenantId) => {
    const all: TokenView[] = [];
    for (let after: string | undefined; ; ) {
      const page = await authorization.list(tenantId, { limit: 500, after });
      all.push(...page);
      if (page.length < 500) return all;
      after = page[page.length - 1]?.id;
    }
  };
}
