import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';
import { openTestDatabase } from './support/test-database.js';
import { PASSWORD } from './helpers/stations.js';

/** Issue #5 "Audit and events": every API mutation recorded (who, when, what, from where, result), append-only. */
describe('audit log', () => {
  let server: TestServer;
  const VIEWER = 'audit-viewer-token-0123456789abcdef';
  const OPERATOR = 'audit-operator-token-0123456789abcd';

  beforeAll(async () => {
    server = await startTestServer();
    await server.app.accounts.createToken('default', 'viewer bot', 'viewer', VIEWER);
    await server.app.accounts.createToken('default', 'ops desk', 'operator', OPERATOR);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function entries(query = ''): Promise<any[]> {
    const res = await server.api('GET', `/api/v1/audit${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items;
  }

  it('#5 audit: a mutation is recorded with actor, route pattern, params, redacted body, address, agent and status', async () => {
    const res = await fetch(`${server.app.baseUrl}/api/v1/stations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json', 'user-agent': 'audit-test/1.0' },
      body: JSON.stringify({ id: 'CS-AUDIT-1', password: PASSWORD, ocppVersion: '1.6' }),
    });
    expect(res.status).toBe(201);
    const [entry] = await entries('?action=POST%20/api/v1/stations&limit=1');
    expect(entry).toMatchObject({
      actor: { kind: 'api-token', name: 'ops desk' },
      method: 'POST',
      route: '/api/v1/stations',
      action: 'POST /api/v1/stations',
      params: {},
      body: { id: 'CS-AUDIT-1', password: '[redacted]', ocppVersion: '1.6' },
      ip: '127.0.0.1',
      userAgent: 'audit-test/1.0',
      statusCode: 201,
      problemType: null,
    });
    expect(JSON.stringify(entry)).not.toContain(PASSWORD);
    expect(Date.parse(entry.at)).not.toBeNaN();
  });

  it('#5 audit: a refused mutation is recorded with its status and problem type; reads are not recorded', async () => {
    const before = (await entries()).length;
    await server.api('GET', '/api/v1/stations');
    expect((await entries()).length).toBe(before);
    const bad = await server.api('PATCH', '/api/v1/stations/CS-AUDIT-1', { securityProfile: 9 });
    expect(bad.status).toBe(400);
    const [entry] = await entries('?limit=1');
    expect(entry).toMatchObject({ route: '/api/v1/stations/:id', params: { id: 'CS-AUDIT-1' }, statusCode: 400, problemType: 'https://ampline.dev/problems/InvalidInput' });
  });

  it('#5 audit: a command sent to a station is recorded (offline station: 409 StationOffline)', async () => {
    const res = await server.api('POST', '/api/v1/stations/CS-AUDIT-1/ocpp/Reset', { type: 'Soft' });
    expect(res.status).toBe(409);
    const [entry] = await entries('?action=/ocpp/&limit=1');
    expect(entry).toMatchObject({
      route: '/api/v1/stations/:id/ocpp/:action',
      params: { id: 'CS-AUDIT-1', action: 'Reset' },
      body: { type: 'Soft' },
      statusCode: 409,
      problemType: 'https://ampline.dev/problems/StationOffline',
    });
  });

  it('#5 audit: filters by actor and time, pages with a cursor, and names a bad cursor', async () => {
    const byOperator = await entries('?actor=ops%20desk');
    expect(byOperator.length).toBeGreaterThan(0);
    expect(byOperator.every((e) => e.actor.name === 'ops desk')).toBe(true);
    const all = await entries();
    expect(all.length).toBeGreaterThanOrEqual(3);
    const first = await server.api('GET', '/api/v1/audit?limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await server.api('GET', `/api/v1/audit?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].id).toBe(all[1].id);
    const future = await entries(`?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
    expect(future).toEqual([]);
    const past = await entries(`?to=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}`);
    expect(past).toEqual([]);
    const bad = await server.api('GET', '/api/v1/audit?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('cursor');
    const badDate = await server.api('GET', '/api/v1/audit?from=yesterday');
    expect(badDate.status).toBe(400);
    expect(badDate.body.field).toBe('from');
  });

  it('#5 audit: reading the log needs the admin role', async () => {
    expect((await server.api('GET', '/api/v1/audit', undefined, VIEWER)).status).toBe(403);
    expect((await server.api('GET', '/api/v1/audit', undefined, OPERATOR)).status).toBe(403);
    expect((await server.api('GET', '/api/v1/audit', undefined, ADMIN_TOKEN)).status).toBe(200);
  });
});

describe('audit log storage', () => {
  it('#5 audit: the table refuses UPDATE, DELETE and TRUNCATE (append-only in the database)', async () => {
    const { handle, close } = await openTestDatabase();
    try {
      const { db } = handle;
      await sql`insert into audit_log (tenant_id, at, actor_kind, actor_id, actor_name, action, method, route, params, status_code)
        values ('default', now(), 'api-token', 't1', 'x', 'POST /api/v1/x', 'POST', '/api/v1/x', '{}', 200)`.execute(db);
      await expect(sql`update audit_log set status_code = 500`.execute(db)).rejects.toThrow(/append-only/);
      await expect(sql`delete from audit_log`.execute(db)).rejects.toThrow(/append-only/);
      await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/);
      const rows = await sql<{ n: number }>`select count(*)::int as n from audit_log where status_code = 200`.execute(db);
      expect(rows.rows[0]?.n).toBe(1);
    } finally {
      await close();
    }
  });
});
