import { randomBytes } from 'node:crypto';
import type { AmplineApp } from '../app/app.js';
import { DEFAULT_TENANT_ID } from '../modules/accounts/index.js';
import { isDomainError } from '../platform/errors.js';
import { startDemoNetwork } from '../sim/demo.js';
import { DEFAULT_ID_TAGS } from '../sim/fleet.js';

const DEMO_STATIONS = [
  { id: 'DEMO-OSLO-16-1', ocppVersion: '1.6' as const },
  { id: 'DEMO-OSLO-16-2', ocppVersion: '1.6' as const },
  { id: 'DEMO-BERGEN-201-1', ocppVersion: '2.0.1' as const },
  { id: 'DEMO-BERGEN-201-2', ocppVersion: '2.0.1' as const },
];

/**
 * `ampline serve --demo`: a demo site with four stations of both versions, each with its own
 * password (security profile 1, like a real deployment), charging now and then.
 */
export async function startDemo(app: AmplineApp): Promise<{ stop(): Promise<void> }> {
  let siteId: string | undefined;
  const existingSites = await app.sites.list(DEFAULT_TENANT_ID, { limit: 500 });
  siteId = existingSites.find((s) => s.name === 'Demo site')?.id;
  if (!siteId) {
    const site = await app.sites.create(DEFAULT_TENANT_ID, {
      name: 'Demo site',
      address: { street: 'Karl Johans gate 1', city: 'Oslo', postalCode: '0154', country: 'NOR' },
      coordinates: { latitude: 59.9127, longitude: 10.7461 },
      timeZone: 'Europe/Oslo',
    });
    siteId = site.id;
  }
  const stations = [];
  for (const station of DEMO_STATIONS) {
    // A fresh password each start, set on the registered station: nothing secret is stored in clear.
    const password = randomBytes(12).toString('base64url');
    try {
      await app.stations.register(DEFAULT_TENANT_ID, { id: station.id, password, ocppVersion: station.ocppVersion, siteId });
    } catch (err) {
      if (!isDomainError(err, 'AlreadyExists')) throw err;
      await app.stations.update(DEFAULT_TENANT_ID, station.id, { password, securityProfile: 1 });
    }
    stations.push({ ...station, password });
  }
  // The cards the simulated drivers tap; shared by several stations at once, so concurrent use is allowed.
  for (const uid of DEFAULT_ID_TAGS) {
    try {
      await app.authorization.create(DEFAULT_TENANT_ID, { uid, type: 'ISO14443', allowConcurrent: true, groupId: 'DEMO-FLEET' });
    } catch (err) {
      if (!isDomainError(err, 'AlreadyExists')) throw err;
    }
  }
  const network = await startDemoNetwork({ url: app.ocppUrl, stations, sessionEverySeconds: 30, idTags: DEFAULT_ID_TAGS });
  process.stdout.write(`Demo network: ${stations.map((s) => `${s.id} (OCPP ${s.ocppVersion})`).join(', ')}\n`);
  return network;
}
