import { existsSync, readFileSync } from 'node:fs';
import { createFreshDatabase } from './fresh-database.js';
import { startAmpline, type AmplineApp } from '../../src/app/app.js';
import type { ServeConfig } from '../../src/config/config.js';
import { createLogger, silentLogger } from '../../src/platform/logger.js';
import type { Clock } from '../../src/platform/clock.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestServer {
  app: AmplineApp;
  /** fetch against the API with the admin token (or another one). */
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  clock?: Clock;
  onPasswordResetLink?: (email: string, token: string) => void;
  /** Restart tests: keep the data across servers (an on-disk PGlite here, or this PostgreSQL database). */
  persistent?: { dataDir: string; databaseUrl?: string | undefined };
}

/**
 * Starts the real server on a free port: on PostgreSQL (a fresh database per server) when
 * DATABASE_URL is set, as CI does, else on an in-memory PGlite.
 */
export async function startTestServer(overrides: Partial<ServeConfig> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const adminUrl = process.env['DATABASE_URL'];
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (options.persistent) {
    databaseUrl = options.persistent.databaseUrl;
  } else if (adminUrl) {
    const fresh = await createFreshDatabase(adminUrl);
    databaseUrl = fresh.url;
    dropDatabase = fresh.drop;
  }
  const config: ServeConfig = {
    host: '127.0.0.1',
    port: 0,
    dataDir: options.persistent?.dataDir ?? '/nonexistent-test-data-dir',
    databaseUrl,
    redisUrl: undefined,
    autoRegister: false,
    demo: false,
    bootstrapToken: ADMIN_TOKEN,
    heartbeatIntervalS: 300,
    bootRetryIntervalS: 30,
    pingIntervalS: 0,
    callTimeoutS: 5,
    frameLogSize: 20,
    persistFrames: false,
    compression: true,
    logLevel: 'silent',
    // CI runs the transaction tests again with the embedded database in its thread (ADR 031, 034).
    dbThread: process.env['AMPLINE_DB_THREAD'] === 'true',
    ...overrides,
  };
  const templatePath = '.tmp/pglite-template.tar';
  const template = databaseUrl === undefined && existsSync(templatePath) ? new Blob([readFileSync(templatePath)]) : undefined;
  const app = await startAmpline(config, {
    memoryDatabase: databaseUrl === undefined && !options.persistent,
    ...(template && !options.persistent ? { databaseTemplate: template } : {}),
    logger: process.env['TEST_LOG'] ? createLogger('debug') : silentLogger,
    passwordCost: { N: 1024, r: 8, p: 1 },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onPasswordResetLink ? { onPasswordResetLink: options.onPasswordResetLink } : {}),
    announce: () => undefined,
  });
  return {
    app,
    async api(method, path, body, token = ADMIN_TOKEN) {
      const response = await fetch(`${app.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
        // A live stream never ends: answer with its status and headers and hang up.
        await response.body?.cancel();
        return { status: response.status, body: undefined, headers: response.headers };
      }
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (metrics)
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async close() {
      await app.close();
      await dropDatabase?.();
    },
  };
}
