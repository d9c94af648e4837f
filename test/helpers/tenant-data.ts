import { expect } from 'vitest';
import type { TestServer } from '../support/test-server.js';
import { bootStation, registerStation } from './stations.js';
import { PASSWORD, login, tenantWithOwner, uniqueEmail } from './accounts.js';
import { uploadImage } from './firmware.js';

/** Ids of one tenant's data: one of everything the API can address. */
export interface TenantData {
  tenantId: string;
  ownerToken: string;
  siteId: string;
  stationId: string;
  tokenId: string;
  tokenUid: string;
  sessionId: string;
  userId: string;
  driverId: string;
  driverAccountId: string;
  driverToken: string;
  apiKeyId: string;
  webhookId: string;
  templateId: string;
  firmwareId: string;
  campaignId: string;
}

/**
 * A tenant with a site, a station on it that booted over a real 1.6 socket and charged once
 * with a driver's token, an operator user, the driver's account and an API key.
 */
export async function seedTenant(server: TestServer, tenantId: string): Promise<TenantData> {
  const { token: ownerToken } = await tenantWithOwner(server, tenantId);
  const as = (method: string, path: string, body?: unknown) => server.api(method, path, body, ownerToken);
  const expectCreated = (res: { status: number; body: any }) => {
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const site = expectCreated(await as('POST', '/api/v1/sites', { name: `${tenantId} depot`, timeZone: 'Europe/Oslo' }));
  const stationId = `${tenantId}-CP1`;
  await registerStation({ ...server, api: (m, p, b) => server.api(m, p, b, ownerToken) }, stationId, { siteId: site.id });
  const driverEmail = uniqueEmail(`driver-${tenantId}`);
  const driver = expectCreated(await as('POST', '/api/v1/drivers', { email: driverEmail, password: PASSWORD }));
  const tokenUid = `${tenantId.toUpperCase()}TAG1`;
  const token = expectCreated(await as('POST', '/api/v1/tokens', { uid: tokenUid, type: 'ISO14443', driverId: driver.driverId }));
  const user = expectCreated(await as('POST', '/api/v1/users', { email: uniqueEmail(`user-${tenantId}`), password: PASSWORD, role: 'viewer' }));
  const key = expectCreated(await as('POST', '/api/v1/api-keys', { name: `${tenantId} key`, role: 'viewer' }));
  const webhook = expectCreated(await as('POST', '/api/v1/webhooks', { url: `http://127.0.0.1:9/${tenantId}`, eventTypes: ['TransactionEnded'] }));
  const template = expectCreated(
    await as('POST', '/api/v1/configuration-templates', {
      name: `${tenantId} template`,
      ocppVersion: '1.6',
      settings: [{ key: 'HeartbeatInterval', value: '300' }],
    }),
  );
  const firmware = await uploadImage(server, Buffer.from(`${tenantId} firmware`), { name: `${tenantId}-fw`, version: '1.0.0' }, ownerToken);
  // The station is offline: the campaign waits for it to boot.
  const campaign = expectCreated(await as('POST', '/api/v1/firmware-campaigns', { imageId: firmware.id, stationIds: [stationId] }));

  const station = await bootStation(server, stationId, '1.6');
  const started = await station.call('StartTransaction', { connectorId: 1, idTag: tokenUid, meterStart: 0, timestamp: new Date().toISOString() });
  expect(started[2]).toMatchObject({ idTagInfo: { status: 'Accepted' } });
  await station.close();
  const sessions = await as('GET', '/api/v1/sessions');
  const sessionId = sessions.body.items[0]?.id as string;
  expect(sessionId).toBeDefined();

  return {
    tenantId,
    ownerToken,
    siteId: site.id,
    stationId,
    tokenId: token.id,
    tokenUid,
    sessionId,
    userId: user.id,
    driverId: driver.driverId,
    driverAccountId: driver.id,
    driverToken: (await login(server, driverEmail)).accessToken,
    apiKeyId: key.id,
    webhookId: webhook.id,
    templateId: template.id,
    firmwareId: firmware.id,
    campaignId: campaign.id,
  };
}

/** Fills a route's `:params` with this tenant's ids, by the resource the path names. */
export function fillParams(url: string, data: TenantData): string {
  const byResource: Record<string, string> = {
    stations: data.stationId,
    sites: data.siteId,
    tokens: data.tokenId,
    sessions: data.sessionId,
    users: data.userId,
    drivers: data.driverAccountId,
    'api-keys': data.apiKeyId,
    tenants: data.tenantId,
    webhooks: data.webhookId,
    'configuration-templates': data.templateId,
    firmware: data.firmwareId,
    'firmware-campaigns': data.campaignId,
  };
  const resource = /^\/api\/v1\/([^/]+)/.exec(url)?.[1] ?? '';
  return url.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(name === 'id' ? (byResource[resource] ?? 'unknown') : 'unknown'));
}

/** Every id of the tenant's data, to look for in another tenant's answers. */
export function idsOf(data: TenantData): string[] {
  return [data.siteId, data.stationId, data.tokenId, data.tokenUid, data.sessionId, data.userId, data.driverAccountId, data.apiKeyId, data.webhookId, data.templateId, data.firmwareId, data.campaignId];
}
