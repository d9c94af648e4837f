import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer } from './support/test-server.js';
import { BOOT_201, RawStation } from './support/raw-station.js';
import { x509 } from '../src/modules/security/index.js';

/** `ampline ca ...` as an operator runs it, on the built dist/ (`npm test` builds first). */
const BIN = resolve(import.meta.dirname, '../bin/ampline.js');
const exec = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'ampline-ca-cli-'));

async function ampline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd: work, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('ampline ca', () => {
  it('ca init makes an RSA root (key 0600), refuses to overwrite it, and ca issue makes certificates a TLS server and a profile-3 station use', async () => {
    const caDir = join(work, 'ca');
    const init = await ampline('ca', 'init', '--dir', caDir, '--key', 'rsa', '--cn', 'Lab Root');
    expect(init.code, init.stderr).toBe(0);
    expect(statSync(join(caDir, 'ca-key.pem')).mode & 0o777).toBe(0o600);
    const root = new x509.X509Certificate(readFileSync(join(caDir, 'ca-cert.pem'), 'utf8'));
    expect(root.subject).toBe('CN=Lab Root');

    const again = await ampline('ca', 'init', '--dir', caDir);
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/^ampline: a CA already exists/);

    const out = join(work, 'issued');
    expect((await ampline('ca', 'issue', 'localhost', '--usage', 'server', '--host', 'localhost', '--host', '127.0.0.1', '--dir', caDir, '--out', out)).code).toBe(0);
    expect((await ampline('ca', 'issue', 'CLI-CS-1', '--usage', 'station', '--dir', caDir, '--out', out)).code).toBe(0);

    const server = await startTestServer({
      tls: { port: 0, certFiles: [join(out, 'localhost-cert.pem')], keyFiles: [join(out, 'localhost-key.pem')], caFile: join(caDir, 'ca-cert.pem') },
      caDir,
    });
    try {
      expect((await server.api('POST', '/api/v1/stations', { id: 'CLI-CS-1', securityProfile: 3, ocppVersion: '2.0.1' })).status).toBe(201);
      const station = await RawStation.connect({
        baseUrl: server.app.tls!.url.replace('127.0.0.1', 'localhost'),
        id: 'CLI-CS-1',
        tls: { ca: root.toString('pem'), cert: readFileSync(join(out, 'CLI-CS-1-cert.pem'), 'utf8'), key: readFileSync(join(out, 'CLI-CS-1-key.pem'), 'utf8') },
      });
      expect(((await station.call('BootNotification', BOOT_201))[2] as { status: string }).status).toBe('Accepted');
      await station.close();
    } finally {
      await server.close();
    }
    // Five CLI processes (an RSA root among them) and a server: generous for a loaded CI machine.
  }, 180_000);

  it('ca issue without a CA names the command to run', async () => {
    const result = await ampline('ca', 'issue', 'x', '--usage', 'server', '--dir', join(work, 'nothing-here'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/run "ampline ca init" first/);
  });
});
