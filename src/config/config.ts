import { parseArgs } from 'node:util';
import { StartupError } from '../platform/errors.js';
import { parseTlsOptions, TLS_HELP, TLS_OPTIONS, type TlsConfig } from './tls-config.js';
import { DEFAULT_POSTGRES_POOL } from '../platform/db/postgres-pool.js';

export interface ServeConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  autoRegister: boolean;
  demo: boolean;
  bootstrapToken: string | undefined;
  heartbeatIntervalS: number;
  bootRetryIntervalS: number;
  pingIntervalS: number;
  callTimeoutS: number;
  frameLogSize: number;
  persistFrames: boolean;
  compression: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Base of the URLs stations get for firmware downloads and log uploads; the listening address when unset. */
  publicUrl?: string | undefined;
  /** Security profiles 2/3 listener (see tls-config.ts); absent: no TLS listener. */
  tls?: TlsConfig | undefined;
  /** Built-in CA directory (`ampline ca init`); absent: SignCertificate is rejected. */
  caDir?: string | undefined;
  /** OIDC sign-in (ADR 021), from AMPLINE_OIDC_ISSUER / _CLIENT_ID / _CLIENT_SECRET / _REDIRECT_URI. */
  oidc?: { issuer: string; clientId: string; clientSecret?: string | undefined; redirectUri: string } | undefined;
  /** Days archived frames are kept (ADR 030); 0 keeps them forever. Absent: 7. */
  frameRetentionDays?: number | undefined;
  /** Days the command history is kept (ADR 030); 0 keeps it forever. Absent: 90. */
  commandRetentionDays?: number | undefined;
  /** PostgreSQL: connections in the pool. Absent: 10. */
  dbPoolSize?: number | undefined;
  /** PostgreSQL: how long a query may wait for a pool connection before it fails. Absent: 5000. */
  dbConnectTimeoutMs?: number | undefined;
  /** Embedded database: run PGlite in a worker thread of its own (ADR 031). Absent: false. */
  dbThread?: boolean | undefined;
  /** Embedded database: minutes between VACUUM (ANALYZE) passes (ADR 035); 0 never. Absent: 10. */
  vacuumIntervalMinutes?: number | undefined;
}

export const SERVE_HELP = `Usage: ampline serve [options]

  --port N               HTTP + OCPP port (env AMPLINE_PORT, default 8180)
  --host ADDR            listen address (env AMPLINE_HOST, default 0.0.0.0)
  --data DIR             embedded database directory (env AMPLINE_DATA, default ./data)
                         with DATABASE_URL=postgres://… a real PostgreSQL is used instead
  --db-pool-size N       PostgreSQL connections in the pool (env AMPLINE_DB_POOL_SIZE, default 10)
  --db-connect-timeout-ms MS  how long a query waits for a pool connection before it fails
                         (env AMPLINE_DB_CONNECT_TIMEOUT_MS, default 5000)
  --db-thread            run the embedded database in a thread of its own: uses the second core,
                         more memory under a connect storm (env AMPLINE_DB_THREAD=true; ADR 031)
  --vacuum-interval-minutes N  the embedded database has no autovacuum: VACUUM (ANALYZE) every
                         table this often, the small ones every minute; 0 never
                         (env AMPLINE_VACUUM_INTERVAL_MINUTES, default 10)
  --demo                 also run a simulated network of a few stations
  --auto-register        accept and register unknown stations without authentication
  --heartbeat-interval S heartbeat interval given to accepted stations (default 300)
  --boot-retry-interval S interval given to Pending/Rejected stations (default 30)
  --ping-interval S      WebSocket ping interval; 0 disables (default 30)
  --call-timeout S       timeout of a CSMS-initiated call (default 30)
  --frame-log N          frames kept per station for troubleshooting (default 20)
  --persist-frames       also archive every frame in the database (written in batches)
  --frame-retention-days N   days archived frames are kept; 0 keeps them forever
                         (env AMPLINE_FRAME_RETENTION_DAYS, default 7)
  --command-retention-days N days the command history is kept; 0 keeps it forever
                         (env AMPLINE_COMMAND_RETENTION_DAYS, default 90)
  --no-compression       do not offer permessage-deflate
  --log-level LEVEL      fatal|error|warn|info|debug|trace|silent (env AMPLINE_LOG_LEVEL, default info)
  --public-url URL       base URL stations use for firmware and log files (env AMPLINE_PUBLIC_URL)
${TLS_HELP}

Environment: AMPLINE_BOOTSTRAP_TOKEN creates an owner API token with that value on first start.
AMPLINE_OIDC_ISSUER, AMPLINE_OIDC_CLIENT_ID, AMPLINE_OIDC_REDIRECT_URI (and AMPLINE_OIDC_CLIENT_SECRET)
enable OIDC sign-in at /api/v1/auth/oidc/start.`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new StartupError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** Reads `ampline serve` flags over environment variables over defaults; one clear line on error. */
export function parseServeConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeConfig | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        demo: { type: 'boolean' },
        'auto-register': { type: 'boolean' },
        'heartbeat-interval': { type: 'string' },
        'boot-retry-interval': { type: 'string' },
        'ping-interval': { type: 'string' },
        'call-timeout': { type: 'string' },
        'frame-log': { type: 'string' },
        'persist-frames': { type: 'boolean' },
        'frame-retention-days': { type: 'string' },
        'command-retention-days': { type: 'string' },
        'db-pool-size': { type: 'string' },
        'db-connect-timeout-ms': { type: 'string' },
        'db-thread': { type: 'boolean' },
        'vacuum-interval-minutes': { type: 'string' },
        'no-compression': { type: 'boolean' },
        'log-level': { type: 'string' },
        'public-url': { type: 'string' },
        ...TLS_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new StartupError(`${(err as Error).message.split('\n')[0]} (see ampline serve --help)`);
  }
  if (values.help) return 'help';
  const logLevel = values['log-level'] ?? env['AMPLINE_LOG_LEVEL'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new StartupError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const databaseUrl = env['DATABASE_URL'] || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new StartupError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const publicUrl = values['public-url'] ?? (env['AMPLINE_PUBLIC_URL'] || undefined);
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new StartupError(`--public-url must be an http:// or https:// URL, got "${publicUrl}"`);
  }
  return {
    host: values.host ?? env['AMPLINE_HOST'] ?? '0.0.0.0',
    port: integer('--port', values.port ?? env['AMPLINE_PORT'], 8180, 0, 65535),
    dataDir: values.data ?? env['AMPLINE_DATA'] ?? './data',
    databaseUrl,
    redisUrl: env['REDIS_URL'] || undefined,
    autoRegister: values['auto-register'] ?? env['AMPLINE_AUTO_REGISTER'] === 'true',
    demo: values.demo ?? false,
    bootstrapToken: env['AMPLINE_BOOTSTRAP_TOKEN'] || undefined,
    heartbeatIntervalS: integer('--heartbeat-interval', values['heartbeat-interval'], 300, 1, 86400),
    bootRetryIntervalS: integer('--boot-retry-interval', values['boot-retry-interval'], 30, 1, 86400),
    pingIntervalS: integer('--ping-interval', values['ping-interval'], 30, 0, 3600),
    callTimeoutS: integer('--call-timeout', values['call-timeout'], 30, 1, 600),
    frameLogSize: integer('--frame-log', values['frame-log'], 20, 0, 1000),
    persistFrames: values['persist-frames'] ?? env['AMPLINE_PERSIST_FRAMES'] === 'true',
    compression: !(values['no-compression'] ?? false),
    logLevel: logLevel as ServeConfig['logLevel'],
    publicUrl,
    frameRetentionDays: integer('--frame-retention-days', values['frame-retention-days'] ?? env['AMPLINE_FRAME_RETENTION_DAYS'], 7, 0, 36500),
    commandRetentionDays: integer('--command-retention-days', values['command-retention-days'] ?? env['AMPLINE_COMMAND_RETENTION_DAYS'], 90, 0, 36500),
    dbPoolSize: integer('--db-pool-size', values['db-pool-size'] ?? env['AMPLINE_DB_POOL_SIZE'], DEFAULT_POSTGRES_POOL.maxConnections, 1, 1000),
    dbConnectTimeoutMs: integer('--db-connect-timeout-ms', values['db-connect-timeout-ms'] ?? env['AMPLINE_DB_CONNECT_TIMEOUT_MS'], DEFAULT_POSTGRES_POOL.connectTimeoutMs, 100, 600_000),
    dbThread: values['db-thread'] ?? env['AMPLINE_DB_THREAD'] === 'true',
    vacuumIntervalMinutes: integer('--vacuum-interval-minutes', values['vacuum-interval-minutes'] ?? env['AMPLINE_VACUUM_INTERVAL_MINUTES'], 10, 0, 10080),
    ...parseTlsOptions(values, env, values.data ?? env['AMPLINE_DATA'] ?? './data'),
    oidc: oidcFromEnv(env),
  };
}

function oidcFromEnv(env: NodeJS.ProcessEnv): ServeConfig['oidc'] {
  const issuer = env['AMPLINE_OIDC_ISSUER'] || undefined;
  if (!issuer) return undefined;
  const clientId = env['AMPLINE_OIDC_CLIENT_ID'];
  const redirectUri = env['AMPLINE_OIDC_REDIRECT_URI'];
  if (!clientId || !redirectUri) throw new StartupError('AMPLINE_OIDC_ISSUER needs AMPLINE_OIDC_CLIENT_ID and AMPLINE_OIDC_REDIRECT_URI too');
  return { issuer, clientId, clientSecret: env['AMPLINE_OIDC_CLIENT_SECRET'] || undefined, redirectUri };
}
