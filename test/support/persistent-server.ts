import { startAmpline, type AmplineApp, type AppOptions } from '../../src/app/app.js';
import type { ServeConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/platform/logger.js';
import { ADMIN_TOKEN } from './test-server.js';

/** Where a server's data outlives it: a PGlite directory, or a PostgreSQL database (DATABASE_URL). */
export interface DataTarget {
  dataDir: string;
  databaseUrl: string | undefined;
}

/**
 * The real server on data that survives it (unlike `startTestServer`'s in-memory PGlite), for
 * tests that stop and start it again or read its data afterwards. A fresh PGlite directory runs
 * initdb, which takes seconds.
 */
export function startServerOn(target: DataTarget, options: Pick<AppOptions, 'bus'> = {}): Promise<AmplineApp> {
  const config: ServeConfig = {
    host: '127.0.0.1',
    port: 0,
    dataDir: target.dataDir,
    databaseUrl: target.databaseUrl,
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
  };
  return startAmpline(config, { logger: silentLogger, passwordCost: { N: 1024, r: 8, p: 1 }, announce: () => undefined, ...options });
}

/** fetch against a server's API with the admin token. */
export async function adminApi(app: AmplineApp, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
