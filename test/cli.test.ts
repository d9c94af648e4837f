import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The `ampline` command as an operator runs it: `node bin/ampline.js` on the built dist/
 * (`npm test` builds first). Each start of a server uses its own temporary data directory.
 */
const BIN = resolve(import.meta.dirname, '../bin/ampline.js');
const RUNNING = /^Ampline is running: API (http:\/\/\S+)\/api\/v1,/m;
const TOKEN_LINE = /Admin API token \(shown once, store it now\): (\S+)/;

interface Finished {
  code: number | null;
  /** Killed by the guard in run(): the command hung instead of exiting. */
  hung: boolean;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();
const tmpDirs: string[] = [];

function tmpDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ampline-cli-'));
  tmpDirs.push(dir);
  return dir;
}

/** The parent's environment without anything that would point the child at another database or token. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DATABASE_URL' || key === 'REDIS_URL' || key.startsWith('AMPLINE_') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function spawnAmpline(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), cwd: tmpDataDir(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function finished(child: ChildProcess, state: { hung: boolean } = { hung: false }): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolveExit) => child.once('close', (code) => resolveExit({ code, hung: state.hung, stdout, stderr })));
}

/** A command that should exit by itself; one that hangs is killed so the test fails saying so. */
// Generous: a first start on a fresh directory runs initdb, slow while the rest of the suite loads both cores.
const RUN_GUARD_MS = 45_000;

/** Runs a command to completion. */
async function run(args: string[], env: Record<string, string> = {}): Promise<Finished> {
  const child = spawnAmpline(args, env);
  const state = { hung: false };
  const guard = setTimeout(() => {
    state.hung = true;
    child.kill('SIGKILL');
  }, RUN_GUARD_MS);
  try {
    return await finished(child, state);
  } finally {
    clearTimeout(guard);
  }
}

interface RunningServer {
  child: ChildProcess;
  baseUrl: string;
  /** Everything printed to stdout so far. */
  stdout(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<Finished>;
}

/** Starts `ampline serve` and resolves once it prints where it listens. */
function serve(dataDir: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const child = spawnAmpline(['serve', '--data', dataDir, '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn'], env);
  const exit = finished(child);
  let out = '';
  child.stdout?.on('data', (chunk: string) => (out += chunk));
  return new Promise((resolveStart, rejectStart) => {
    const onData = () => {
      const match = RUNNING.exec(out);
      if (!match?.[1]) return;
      child.stdout?.off('data', onData);
      resolveStart({
        child,
        baseUrl: match[1],
        stdout: () => out,
        stop: () => {
          child.kill('SIGTERM');
          return exit;
        },
      });
    };
    child.stdout?.on('data', onData);
    void exit.then((result) => rejectStart(new Error(`ampline serve exited ${result.code} before it was running: ${result.stderr}`)));
  });
}

function stderrLines(result: Finished): string[] {
  return result.stderr.trim().split('\n').filter((line) => line.length > 0);
}

/** One line, prefixed, and no stack trace. */
function expectOneLineError(result: Finished, pattern: RegExp): void {
  expect(result.hung, `did not exit within ${RUN_GUARD_MS} ms`).toBe(false);
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = stderrLines(result);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^ampline: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

afterAll(async () => {
  await Promise.all(
    [...children].map((child) => {
      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      return exited.finally(() => clearTimeout(force));
    }),
  );
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

describe('ampline CLI', () => {
  it('serve with an unknown flag exits non-zero with one line naming the flag', async () => {
    const result = await run(['serve', '--bogus']);
    expectOneLineError(result, /--bogus/);
    expect(result.stdout).toBe('');
  });

  it('serve with a data directory it cannot create exits non-zero with one clear line', async () => {
    const result = await run(['serve', '--data', '/proc/forbidden-dir', '--port', '0', '--host', '127.0.0.1']);
    expectOneLineError(result, /data directory \/proc\/forbidden-dir is not usable/);
  });

  it('serve with an unreachable DATABASE_URL exits non-zero with one line saying so', async () => {
    const result = await run(['serve', '--port', '0', '--host', '127.0.0.1'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' });
    expectOneLineError(result, /cannot reach the database at postgres:\/\/nobody@127\.0\.0\.1:1\/x/);
  });

  it('station add then station list shows the station (direct database access)', async () => {
    const dataDir = tmpDataDir();
    const added = await run(['station', 'add', 'CS-CLI-1', '--password', 'cli-password-0123456', '--ocpp', '2.0.1', '--data', dataDir]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('registered CS-CLI-1 (security profile 1)');
    const listed = await run(['station', 'list', '--data', dataDir]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.split('\n')).toContainEqual(expect.stringMatching(/^CS-CLI-1\toffline\t2\.0\.1\t/));
  });

  it('serve --port 0 prints its real port; AMPLINE_BOOTSTRAP_TOKEN becomes the admin token', async () => {
    const token = 'xyz-bootstrap-token-0123456789abcdef';
    const server = await serve(tmpDataDir(), { AMPLINE_BOOTSTRAP_TOKEN: token });
    expect(new URL(server.baseUrl).port).not.toBe('0');
    const ok = await fetch(`${server.baseUrl}/api/v1/stations`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ items: [], nextCursor: null });
    const wrong = await fetch(`${server.baseUrl}/api/v1/stations`, { headers: { authorization: 'Bearer not-it' } });
    expect(wrong.status).toBe(401);
    expect(server.stdout()).not.toMatch(TOKEN_LINE);
    const stopped = await server.stop();
    expect(stopped.code, stopped.stderr).toBe(0);
  });

  it('without AMPLINE_BOOTSTRAP_TOKEN the first start prints a generated token once; the second start does not', async () => {
    const dataDir = tmpDataDir();
    const first = await serve(dataDir);
    const token = TOKEN_LINE.exec(first.stdout())?.[1];
    expect(token).toBeDefined();
    expect(first.stdout()).toContain('no users yet. Create the first owner with "npx ampline admin create --email');
    const ok = await fetch(`${first.baseUrl}/api/v1/stations`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const firstExit = await first.stop();
    expect(firstExit.code, firstExit.stderr).toBe(0);
    expect(firstExit.stdout.match(new RegExp(TOKEN_LINE.source, 'g'))).toHaveLength(1);

    const second = await serve(dataDir);
    expect(second.stdout()).not.toMatch(TOKEN_LINE);
    const again = await fetch(`${second.baseUrl}/api/v1/stations`, { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(200);
    const secondExit = await second.stop();
    expect(secondExit.code, secondExit.stderr).toBe(0);
    expect(secondExit.stdout).not.toMatch(TOKEN_LINE);
  });
});

describe('ampline admin create (first owner, ADR 021)', () => {
  it('creates an owner who signs in on a running server; the start-up log says how to sign in', async () => {
    const dataDir = tmpDataDir();
    const created = await run(['admin', 'create', '--email', 'Owner@Example.test', '--password', 'first owner passphrase', '--data', dataDir]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^created owner Owner@Example\.test \(id \S+, tenant default\)$/m);
    const generated = await run(['admin', 'create', '--email', 'second@example.test', '--data', dataDir]);
    expect(generated.code, generated.stderr).toBe(0);
    const password = /password \(shown once, change it after signing in\): (\S+)/.exec(generated.stdout)?.[1];
    expect(password).toBeDefined();
    expectOneLineError(await run(['admin', 'create', '--email', 'owner@example.test', '--password', 'another passphrase', '--data', dataDir]), /exists/);

    const server = await serve(dataDir);
    expect(server.stdout()).toContain('sign in with POST /api/v1/auth/login');
    expect(server.stdout()).not.toContain('no users yet');
    for (const [email, pw] of [['owner@example.test', 'first owner passphrase'], ['second@example.test', password ?? '']]) {
      const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: pw }),
      });
      expect(login.status).toBe(200);
      const { accessToken } = (await login.json()) as { accessToken: string };
      const me = await fetch(`${server.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });
      expect(await me.json()).toMatchObject({ kind: 'user', role: 'owner', tenantId: 'default', superuser: true });
    }
    expect((await server.stop()).code).toBe(0);
  }, 150_000);
});
