import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runTokenCommand } from '../src/cli/token.js';
import { StartupError } from '../src/platform/errors.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';

/** `ampline token ...` in both modes: against a running server (--url) and on the database directly (--data). */
describe('ampline token', () => {
  let server: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'ampline-token-cli-'));

  async function run(args: string[]): Promise<{ code: number; stdout: string }> {
    let stdout = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += chunk.toString();
      return true;
    });
    try {
      return { code: await runTokenCommand(args), stdout };
    } finally {
      spy.mockRestore();
    }
  }

  function csvFile(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('against a running server (--url --token)', () => {
    const remote = () => ['--url', server.app.baseUrl, '--token', ADMIN_TOKEN];

    it('token add defaults to ISO14443 and Accepted; the options become the token fields', async () => {
      const added = await run(['add', '04A1B2C3', ...remote()]);
      expect(added.code).toBe(0);
      expect(added.stdout).toMatch(/^added 04A1B2C3 \(ISO14443, Accepted\) id [0-9a-f-]{36}\n$/);
      const full = await run(['add', 'APP-42', '--type', 'Central', '--status', 'Blocked', '--group', 'FLEET-7', '--expires', '2030-01-01T00:00:00Z', '--driver', 'd-42', ...remote()]);
      expect(full.code).toBe(0);
      const [token] = (await server.api('GET', '/api/v1/tokens?uid=APP-42')).body.items;
      expect(token).toMatchObject({ type: 'Central', status: 'Blocked', groupId: 'FLEET-7', expiresAt: '2030-01-01T00:00:00.000Z', driverId: 'd-42' });
    });

    it('token list prints one line per token, filtered', async () => {
      const listed = await run(['list', '--group', 'FLEET-7', ...remote()]);
      expect(listed.code).toBe(0);
      expect(listed.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^APP-42\tCentral\tBlocked\tFLEET-7\t2030-01-01T00:00:00.000Z\td-42\t/)]);
    });

    it('token import sends the file as text/csv; a bad line fails the whole file, naming the line', async () => {
      const ok = await run(['import', csvFile('ok.csv', 'uid,type,groupId\nCLI-1,ISO14443,G\nCLI-2,KeyCode,G\n'), ...remote()]);
      expect(ok).toEqual({ code: 0, stdout: 'imported 2 tokens\n' });
      await expect(run(['import', csvFile('bad.csv', 'uid,type\nCLI-3,ISO14443\nCLI-4,Wand\n'), ...remote()])).rejects.toThrow(/failed \(400\): line 3: type/);
      expect((await server.api('GET', '/api/v1/tokens?uid=CLI-3')).body.items).toEqual([]);
    });

    it('a duplicate, a bad --type, a missing file and a missing uid are one-line errors', async () => {
      await expect(run(['add', '04A1B2C3', ...remote()])).rejects.toThrow(/failed \(409\): token 04A1B2C3 of type ISO14443 already exists/);
      await expect(run(['add', 'X', '--type', 'Barcode', ...remote()])).rejects.toThrow(/^--type must be one of/);
      await expect(run(['import', join(dir, 'missing.csv'), ...remote()])).rejects.toThrow(/cannot read .*missing\.csv: ENOENT/);
      await expect(run(['add', ...remote()])).rejects.toBeInstanceOf(StartupError);
      await expect(run(['add', 'X', '--url', server.app.baseUrl, '--token', 'wrong'])).rejects.toThrow(/failed \(401\)/);
    });
  });

  describe('on the database directly (--data)', () => {
    it('token add, import and list on an embedded database', async () => {
      // Never point a test at the shared server's database: this mode uses DATABASE_URL when set.
      const saved = process.env['DATABASE_URL'];
      delete process.env['DATABASE_URL'];
      try {
        const data = join(dir, 'data');
        expect((await run(['add', 'DIRECT-1', '--group', 'D', '--data', data])).code).toBe(0);
        expect(await run(['import', csvFile('direct.csv', 'uid,type,groupId\nDIRECT-2,eMAID,D\n'), '--data', data])).toEqual({ code: 0, stdout: 'imported 1 token\n' });
        const listed = await run(['list', '--group', 'd', '--data', data]);
        expect(listed.stdout.trim().split('\n').map((line) => line.split('\t').slice(0, 4).join(' ')).sort()).toEqual(['DIRECT-1 ISO14443 Accepted D', 'DIRECT-2 eMAID Accepted D']);
      } finally {
        if (saved !== undefined) process.env['DATABASE_URL'] = saved;
      }
    }, 120_000);
  });
});
