import type { FastifyInstance } from 'fastify';
import type { EventBus } from '../platform/bus.js';
import type { Clock } from '../platform/clock.js';
import type { IdSource } from '../platform/ids.js';
import type { Logger } from '../platform/logger.js';
import { SignedLinks } from '../platform/signed-links.js';
import { CampaignStore, FirmwareCampaigns, FirmwareService, FirmwareStore, registerCampaignRoutes, registerFirmwareRoutes } from '../modules/firmware/index.js';
import type { FirmwareTables, StationChannel, StationDirectory } from '../modules/firmware/index.js';
import { DiagnosticsService, DiagnosticsStore, registerDiagnosticsRoutes, type DiagnosticsTables } from '../modules/diagnostics/index.js';
import type { StationsService } from '../modules/stations/index.js';
import type { OcppGateway } from '../ocpp/gateway/gateway.js';
import { versionLabel } from '../ocpp/rpc/versions.js';
import { moduleDb, type AppDb } from './database.js';

const MAX_IMAGE_BYTES = 256 * 1024 * 1024;
const MAX_LOG_BYTES = 64 * 1024 * 1024;
const LINK_TTL_MS = 60 * 60 * 1000;
const CAMPAIGN_TICK_MS = 30_000;

export interface FirmwareParts {
  firmware: FirmwareService;
  diagnostics: DiagnosticsService;
  campaigns: FirmwareCampaigns;
  /** Once the gateway exists: CSMS-initiated calls go through it. */
  attachGateway(gateway: OcppGateway): void;
  /** Once listening: the base of the URLs stations are given, unless configured. */
  setPublicBase(baseUrl: string): void;
  registerRoutes(api: FastifyInstance): void;
  start(): void;
  close(): Promise<void>;
}

/**
 * Composes firmware updates, campaigns and log uploads (issue #4, firmware and logs). Split from
 * app.ts so the composition root only gains a few lines.
 */
export async function createFirmwareParts(deps: {
  db: AppDb;
  bus: EventBus;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  stations: StationsService;
  publicUrl: string | undefined;
}): Promise<FirmwareParts> {
  const { bus, clock, ids, logger } = deps;
  const firmwareDb = moduleDb<FirmwareTables>(deps.db);
  const store = new FirmwareStore(firmwareDb);
  const links = new SignedLinks(Buffer.from(await store.linkKey('file-links', () => ids.secret(32)), 'base64url'));
  let gateway: OcppGateway | undefined;
  let publicBase = deps.publicUrl?.replace(/\/+$/, '');
  const channel: StationChannel = {
    send: (tenantId, stationId, action, payload, call) => {
      if (!gateway) throw new Error('gateway not attached');
      return gateway.send(tenantId, stationId, action, payload, call);
    },
    isConnected: (stationId) => gateway?.isConnected(stationId) ?? false,
    versionOf: (tenantId, stationId) => {
      const version = gateway?.versionOf(tenantId, stationId);
      return version ? versionLabel(version) : undefined;
    },
  };
  const publicUrl = (path: string) => `${publicBase ?? ''}${path}`;
  const firmware = new FirmwareService({ store, bus, clock, ids, links, channel, publicUrl, linkTtlMs: LINK_TTL_MS });
  const diagnostics = new DiagnosticsService({
    store: new DiagnosticsStore(moduleDb<DiagnosticsTables>(deps.db)),
    bus,
    clock,
    ids,
    links,
    channel,
    publicUrl,
    linkTtlMs: LINK_TTL_MS,
  });
  const campaigns = new FirmwareCampaigns({
    store: new CampaignStore(firmwareDb),
    firmware,
    channel,
    bus,
    clock,
    ids,
    onError: (err, context) => logger.error({ err, ...context }, 'firmware campaign step failed'),
  });
  const directory: StationDirectory = {
    get: (tenantId, stationId) => deps.stations.get(tenantId, stationId),
    idsAtSite: async (tenantId, siteId) => {
      const ids: string[] = [];
      for (let after: string | undefined; ; ) {
        const page = await deps.stations.list(tenantId, { limit: 500, after, siteId });
        ids.push(...page.map((s) => s.id));
        if (page.length < 500) return ids;
        after = page[page.length - 1]?.id;
      }
    },
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    firmware,
    diagnostics,
    campaigns,
    attachGateway: (g) => {
      gateway = g;
    },
    setPublicBase: (baseUrl) => {
      publicBase ??= baseUrl;
    },
    registerRoutes: (api) => {
      registerFirmwareRoutes(api, { firmware, stations: directory, maxImageBytes: MAX_IMAGE_BYTES });
      registerCampaignRoutes(api, { campaigns, stations: directory });
      registerDiagnosticsRoutes(api, { diagnostics, stations: directory, maxUploadBytes: MAX_LOG_BYTES });
    },
    start: () => {
      campaigns.start();
      timer = setInterval(() => void campaigns.tick().catch((err: unknown) => logger.error({ err }, 'firmware campaign tick failed')), CAMPAIGN_TICK_MS);
      timer.unref();
    },
    close: async () => {
      if (timer) clearInterval(timer);
      campaigns.stop();
      await campaigns.idle();
    },
  };
}
