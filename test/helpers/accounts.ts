import { expect } from 'vitest';
import type { TestServer } from '../support/test-server.js';
import { ADMIN_TOKEN } from '../support/test-server.js';
import type { Role } from '../../src/platform/principal.js';

export const PASSWORD = 'correct horse battery';

let counter = 0;

/** A fresh address per call, so accounts of different tests never collide. */
export function uniqueEmail(label: string): string {
  counter += 1;
  return `${label}-${counter}-${process.pid}@example.test`;
}

export async function login(server: TestServer, email: string, password = PASSWORD): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await server.api('POST', '/api/v1/auth/login', { email, password }, 'none');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Creates an operator user (as `creator`) and signs them in; returns the access token. */
export async function signedInUser(
  server: TestServer,
  options: { role: Role; siteIds?: string[]; creator?: string; email?: string },
): Promise<{ token: string; id: string; email: string }> {
  const email = options.email ?? uniqueEmail(options.role);
  const body: Record<string, unknown> = { email, password: PASSWORD, role: options.role };
  if (options.siteIds) body['siteIds'] = options.siteIds;
  const res = await server.api('POST', '/api/v1/users', body, options.creator ?? ADMIN_TOKEN);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { token: (await login(server, email)).accessToken, id: res.body.id, email };
}

/** Creates a driver account (as `creator`) and signs them in. */
export async function signedInDriver(
  server: TestServer,
  options: { driverId?: string; creator?: string } = {},
): Promise<{ token: string; id: string; driverId: string }> {
  const email = uniqueEmail('driver');
  const body: Record<string, unknown> = { email, password: PASSWORD };
  if (options.driverId) body['driverId'] = options.driverId;
  const res = await server.api('POST', '/api/v1/drivers', body, options.creator ?? ADMIN_TOKEN);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { token: (await login(server, email)).accessToken, id: res.body.id, driverId: res.body.driverId };
}

/** A superuser creates a tenant with an owner; returns the owner's access token. */
export async function tenantWithOwner(server: TestServer, id: string): Promise<{ token: string; email: string }> {
  const email = uniqueEmail(`owner-${id}`);
  const res = await server.api('POST', '/api/v1/tenants', { id, name: `Operator ${id}`, owner: { email, password: PASSWORD } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { token: (await login(server, email)).accessToken, email };
}
