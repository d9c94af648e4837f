import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { BOOT_16, RawStation } from './support/raw-station.js';
import { ManualClock } from '../src/platform/clock.js';
import { PASSWORD, registerStation } from './helpers/stations.js';

type Item = Record<string, unknown> & { id: string };
type Value = string | number;

/** Walks every page of `path` under `sort`, `limit` rows at a time. */
async function walk(server: TestServer, path: string, sort: string, limit: number): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await server.api('GET', `${path}${sep}sort=${encodeURIComponent(sort)}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    // Only a list with nothing in it answers an empty page.
    if (pages > 0) expect(res.body.items.length).toBeGreaterThan(0);
    // A page that ends the list says so: never a cursor to an empty page.
    if (res.body.nextCursor !== null) expect(res.body.items).toHaveLength(limit);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  expect(cursor).toBeNull();
  return items;
}

function compare(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/**
 * Every row exactly once, in the sort's order with ties broken by id in the same direction;
 * `value` reads the sort value from an item as the list compares it (a NULL as its sentinel).
 */
async function expectSortedWalk(
  server: TestServer,
  path: string,
  sort: string,
  value: (item: Item) => Value,
  options: { limit?: number; id?: (item: Item) => Value; minTies?: number; hiddenTiebreak?: boolean } = {},
): Promise<void> {
  const idOf = options.id ?? ((item: Item) => item.id);
  const sep = path.includes('?') ? '&' : '?';
  const all: Item[] = (await server.api('GET', `${path}${sep}limit=500`)).body.items;
  const sign = sort.startsWith('-') ? -1 : 1;
  // A list whose tiebreak the view does not show (deliveries: queue order) is held to its own
  // one-page answer under the same sort, and to the order of the values.
  const expected = options.hiddenTiebreak
    ? (await server.api('GET', `${path}${sep}limit=500&sort=${encodeURIComponent(sort)}`)).body.items.map((i: Item) => i.id)
    : [...all].sort((a, b) => sign * (compare(value(a), value(b)) || compare(idOf(a), idOf(b)))).map((i) => i.id);
  const walkedItems = await walk(server, path, sort, options.limit ?? 3);
  const walked = walkedItems.map((i) => i.id);
  expect(new Set(walked).size, `${path} sort=${sort}: a row repeated`).toBe(walked.length);
  expect(walked, `${path} sort=${sort}`).toEqual(expected);
  expect([...walked].sort(), `${path} sort=${sort}: every row`).toEqual(all.map((i) => i.id).sort());
  walkedItems.slice(1).forEach((item, n) => expect(sign * compare(value(item), value(walkedItems[n]!)), `${path} sort=${sort} at ${n + 1}`).toBeGreaterThanOrEqual(0));
  // The seed must make the tiebreak matter: several rows share one sort value.
  const values = all.map((i) => String(value(i)));
  expect(values.length - new Set(values).size, `${path} sort=${sort}: ties in the seed`).toBeGreaterThanOrEqual(options.minTies ?? 2);
}

async function expectProblem(server: TestServer, path: string, field: string, detail?: RegExp): Promise<void> {
  const res = await server.api('GET', path);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status: 400, field });
  if (detail) expect(res.body.detail).toMatch(detail);
}

const at = (base: number, minutes: number) => new Date(base + minutes * 60_000).toISOString();

/** Issue #5 API "consistent list endpoints (cursor pagination, filters, sorting)", ADR 025. */
describe('list sorting with keyset pages', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const stations: RawStation[] = [];
  let deliveriesPath = '';

  beforeAll(async () => {
    server = await startTestServer({}, { clock });
    // Tokens in groups of three created at one instant: ties on createdAt and status.
    for (let n = 0; n < 11; n++) {
      if (n % 3 === 0) clock.advance(60_000);
      const status = n % 4 === 0 ? 'Blocked' : 'Accepted';
      const res = await server.api('POST', '/api/v1/tokens', { uid: `SORT-${String.fromCharCode(75 - n)}`, type: 'ISO14443', status });
      expect(res.status).toBe(201);
    }
    // Test sends to a closed port: deliveries left pending, several queued at one instant.
    const hook = await server.api('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/sort', eventTypes: ['FirmwareCampaignChanged'] });
    expect(hook.status).toBe(201);
    deliveriesPath = `/api/v1/webhooks/${hook.body.id}/deliveries`;
    for (let n = 0; n < 7; n++) {
      if (n % 3 === 0) clock.advance(1000);
      expect((await server.api('POST', `/api/v1/webhooks/${hook.body.id}/test`)).status).toBe(200);
    }
    // Two 1.6 stations with sessions starting and stopping at the same instants (ties on
    // startedAt, stoppedAt, energyWh and stationId) and one still running on each (no stoppedAt).
    const base = Date.UTC(2026, 4, 1, 8);
    for (const id of ['SORT-CS-A', 'SORT-CS-B']) {
      await registerStation(server, id);
      const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id, password: PASSWORD, protocols: ['ocpp1.6'] });
      stations.push(station);
      expect((await station.call('BootNotification', BOOT_16))[2]).toMatchObject({ status: 'Accepted' });
      for (let k = 0; k < 5; k++) {
        const start = await station.call('StartTransaction', { connectorId: 1, idTag: 'SORT-J', meterStart: 1000, timestamp: at(base, k * 60) });
        const transactionId = (start[2] as { transactionId: number }).transactionId;
        const stop = await station.call('StopTransaction', { transactionId, meterStop: 1000 + (k % 3) * 500, timestamp: at(base, k * 60 + 30) });
        expect(stop[0]).toBe(3);
      }
      const running = id === 'SORT-CS-A' ? 'SORT-I' : 'SORT-H';
      expect((await station.call('StartTransaction', { connectorId: 2, idTag: running, meterStart: 0, timestamp: at(base, 400) }))[0]).toBe(3);
    }
    // Stations never seen beside the two connected ones (lastSeen NULL).
    for (const id of ['SORT-CS-C', 'SORT-CS-D', 'SORT-CS-E']) await registerStation(server, id);
  }, 60_000);
  afterAll(async () => {
    for (const station of stations) await station.close();
    await server?.close();
  });

  const stoppedAt = (i: Item) => (i['stoppedAt'] as string | null) ?? '9999-12-31T00:00:00.000Z';
  const sessionPath = '/api/v1/sessions?idToken=SORT-J';

  it.each([
    ['startedAt', (i: Item) => i['startedAt'] as string],
    ['-startedAt', (i: Item) => i['startedAt'] as string],
    ['energyWh', (i: Item) => i['energyWh'] as number],
    ['-energyWh', (i: Item) => i['energyWh'] as number],
    ['stationId', (i: Item) => i['stationId'] as string],
    ['-stationId', (i: Item) => i['stationId'] as string],
  ])('#5 sessions: sort=%s walks every session once, ties broken by id in the same direction', async (sort, value) => {
    await expectSortedWalk(server, sessionPath, sort, value);
  });

  it.each(['stoppedAt', '-stoppedAt'])('#5 sessions: sort=%s places running sessions (no stop yet) after every stopped one, none lost or repeated', async (sort) => {
    const all: Item[] = (await server.api('GET', '/api/v1/sessions?limit=500')).body.items;
    expect(all.filter((i) => i['stoppedAt'] === null)).toHaveLength(2);
    await expectSortedWalk(server, '/api/v1/sessions', sort, stoppedAt, { limit: 4 });
    const walked = await walk(server, '/api/v1/sessions', sort, 4);
    const running = walked.map((i) => i['stoppedAt'] === null);
    expect(sort === 'stoppedAt' ? running.slice(-2) : running.slice(0, 2)).toEqual([true, true]);
  });

  it('#5 sessions: without sort the list is newest first, as before sorting existed', async () => {
    const items: Item[] = (await server.api('GET', `${sessionPath}&limit=500`)).body.items;
    const walked = await walk(server, sessionPath, '-startedAt', 3);
    expect(items.map((i) => i.id)).toEqual(walked.map((i) => i.id));
  });

  it.each([
    ['uid', (i: Item) => i['uid'] as string],
    ['-uid', (i: Item) => i['uid'] as string],
    ['status', (i: Item) => i['status'] as string],
    ['-status', (i: Item) => i['status'] as string],
    ['createdAt', (i: Item) => i['createdAt'] as string],
    ['-createdAt', (i: Item) => i['createdAt'] as string],
  ])('#5 tokens: sort=%s walks every token once in order', async (sort, value) => {
    await expectSortedWalk(server, '/api/v1/tokens', sort, value, { minTies: sort.endsWith('uid') ? 0 : 2 });
  });

  const auditId = (i: Item) => Number(i.id);
  it.each([
    ['at', (i: Item) => i['at'] as string],
    ['-at', (i: Item) => i['at'] as string],
    ['action', (i: Item) => i['action'] as string],
    ['-action', (i: Item) => i['action'] as string],
  ])('#5 audit: sort=%s walks every entry once; entries of one instant keep their write order', async (sort, value) => {
    await expectSortedWalk(server, '/api/v1/audit', sort, value, { id: auditId, limit: 4 });
  });

  it('#5 audit: without sort the log is newest first (by time, then write order), as before', async () => {
    const items: Item[] = (await server.api('GET', '/api/v1/audit?limit=500')).body.items;
    const ids = items.map(auditId);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it.each([
    ['id', (i: Item) => i.id],
    ['-id', (i: Item) => i.id],
    ['lastSeen', (i: Item) => (i['lastSeen'] as string | null) ?? '1970-01-01T00:00:00.000Z'],
    ['-lastSeen', (i: Item) => (i['lastSeen'] as string | null) ?? '1970-01-01T00:00:00.000Z'],
    ['createdAt', (i: Item) => i['createdAt'] as string],
  ])('#5 stations: sort=%s walks every station once (never-seen stations sort as seen at the epoch)', async (sort, value) => {
    await expectSortedWalk(server, '/api/v1/stations', sort, value, { limit: 2, minTies: sort.endsWith('lastSeen') ? 2 : 0 });
  });

  it.each([
    ['createdAt', (i: Item) => i['createdAt'] as string],
    ['-createdAt', (i: Item) => i['createdAt'] as string],
    ['status', (i: Item) => i['status'] as string],
    ['-attempts', (i: Item) => i['attempts'] as number],
  ])('#5 webhook deliveries: sort=%s walks every delivery once, in the order of one whole page', async (sort, value) => {
    await expectSortedWalk(server, deliveriesPath, sort, value, { hiddenTiebreak: true });
  });

  it('#5 stations: a bare station id as after (the cursor before sorting existed) still continues the default order', async () => {
    const res = await server.api('GET', '/api/v1/stations?after=SORT-CS-B&limit=2');
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: Item) => i.id)).toEqual(['SORT-CS-C', 'SORT-CS-D']);
  });

  it('#5 an unknown sort field is 400 problem+json naming sort and listing what the list takes', async () => {
    await expectProblem(server, '/api/v1/sessions?sort=meterStopWh', 'sort', /startedAt, -startedAt.*energyWh/);
    await expectProblem(server, '/api/v1/tokens?sort=-secret', 'sort', /uid, -uid/);
    await expectProblem(server, '/api/v1/audit?sort=ip', 'sort', /at, -at/);
    await expectProblem(server, '/api/v1/stations?sort=--id', 'sort', /lastSeen/);
  });

  it('#5 a cursor made under one sort is 400 naming cursor under another; a forged one is 400 too, never 500', async () => {
    const page = await server.api('GET', '/api/v1/sessions?sort=energyWh&limit=2');
    const cursor = encodeURIComponent(page.body.nextCursor);
    expect((await server.api('GET', `/api/v1/sessions?sort=energyWh&limit=2&cursor=${cursor}`)).status).toBe(200);
    await expectProblem(server, `/api/v1/sessions?sort=-energyWh&cursor=${cursor}`, 'cursor', /sort=energyWh/);
    await expectProblem(server, `/api/v1/sessions?cursor=${cursor}`, 'cursor');
    await expectProblem(server, `/api/v1/sessions?sort=startedAt&after=${cursor}`, 'after');
    const tokens = await server.api('GET', '/api/v1/tokens?sort=uid&limit=2');
    await expectProblem(server, `/api/v1/tokens?sort=status&cursor=${encodeURIComponent(tokens.body.nextCursor)}`, 'cursor');
    const forged = (v: unknown, id: unknown, s: string) => Buffer.from(JSON.stringify({ s, v, id })).toString('base64url');
    await expectProblem(server, `/api/v1/sessions?sort=energyWh&cursor=${forged('lots', 'x', 'energyWh')}`, 'cursor');
    await expectProblem(server, `/api/v1/audit?cursor=${forged('2026-01-01T00:00:00Z', 'drop table', '-at')}`, 'cursor');
    await expectProblem(server, `/api/v1/tokens?sort=createdAt&cursor=${forged('2026-01-01T00:00:00Z', 'not-a-uuid', 'createdAt')}`, 'cursor');
  });
});
