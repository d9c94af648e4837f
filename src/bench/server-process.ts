// The server under test as a child process: start it on a fresh data directory, wait for
// /healthz, read the resident memory of its process tree from /proc, stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

export interface ServerProcessOptions {
  /** JavaScript entry to run with node, e.g. bin/ampline.js. */
  entry: string;
  args: string[];
  port: number;
  /** Extra environment variables for the server (on top of this process's). */
  env?: Record<string, string>;
  /** Node options before the entry, e.g. ['--cpu-prof', '--cpu-prof-dir', DIR]. */
  nodeArgs?: string[];
  /** How long to wait for /healthz. Default 60 s. */
  startTimeoutMs?: number;
}

const TAIL_LINES = 40;

export class ServerProcess {
  private readonly output: string[] = [];
  private exitStatus: string | null = null;
  private readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly command: string,
  ) {
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.output.push(line);
        if (this.output.length > TAIL_LINES) this.output.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = signal ?? String(code);
        resolve();
      });
    });
  }

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const argv = [...(options.nodeArgs ?? []), options.entry, ...options.args];
    const child = spawn(process.execPath, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ? { ...process.env, ...options.env } : process.env,
    });
    const server = new ServerProcess(child, options.port, `node ${argv.join(' ')}`);
    child.once('error', () => undefined); // reported through exit
    await server.waitHealthy(options.startTimeoutMs ?? 60_000);
    return server;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Last lines the server printed, for error reports. */
  tail(): string[] {
    return [...this.output];
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const url = `http://127.0.0.1:${this.port}/healthz`;
    while (Date.now() < deadline) {
      if (this.exitStatus !== null) {
        throw new Error(`server exited (${this.exitStatus}) before it was healthy:\n${this.tail().join('\n')}`);
      }
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.stop();
    throw new Error(`server not healthy at ${url} within ${timeoutMs} ms:\n${this.tail().join('\n')}`);
  }

  async stop(): Promise<void> {
    if (this.exitStatus !== null) return;
    this.child.kill('SIGTERM');
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(kill);
  }
}

export interface ProcessMemory {
  /** Resident set of the process and all its descendants, in kB. */
  rssKb: number;
  /** Sum of each process's peak resident set (VmHWM), in kB. */
  peakRssKb: number;
  processes: number;
}

/** Resident memory of a process tree (Linux /proc). */
export async function processTreeMemory(rootPid: number): Promise<ProcessMemory> {
  const children = new Map<number, number[]>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid ...; comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(ppid)) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const total: ProcessMemory = { rssKb: 0, peakRssKb: 0, processes: 0 };
  const queue = [rootPid];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    const one = await processMemory(pid);
    if (!one) continue;
    total.processes += 1;
    total.rssKb += one.rssKb;
    total.peakRssKb += one.peakRssKb;
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Resident memory of one process, or null when it is gone. */
export async function processMemory(pid: number): Promise<ProcessMemory | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  if (!status) return null;
  return {
    rssKb: Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0),
    peakRssKb: Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0),
    processes: 1,
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** User + system CPU time of one process in seconds (Linux /proc; USER_HZ 100), or null when it is gone. */
export async function processCpuSeconds(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (!stat) return null;
  // Fields after "(comm) ": state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / 100 : null;
}

/** CPU seconds of each thread of a process, by thread id (Linux /proc/PID/task); empty when it is gone. */
export async function threadCpuSeconds(pid: number): Promise<Map<number, number>> {
  const byThread = new Map<number, number>();
  const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  for (const tid of tids) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    byThread.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / 100);
  }
  return byThread;
}

/**
 * How a process's CPU between two readings splits over its threads, in % of one core: the main
 * thread (thread id = pid), the busiest other thread (the embedded database's, under load) and
 * all the rest (V8's GC and compiler helpers, libuv's pool).
 */
export function threadSplit(pid: number, before: Map<number, number>, after: Map<number, number>, seconds: number): ThreadSplit {
  const used = [...after].map(([tid, cpu]) => ({ tid, cpu: cpu - (before.get(tid) ?? 0) }));
  const main = used.find((t) => t.tid === pid)?.cpu ?? 0;
  const others = used.filter((t) => t.tid !== pid).sort((a, b) => b.cpu - a.cpu);
  const busiest = others[0]?.cpu ?? 0;
  const rest = others.slice(1).reduce((sum, t) => sum + t.cpu, 0);
  const pct = (cpu: number): number => Math.round((cpu * 1000) / seconds) / 10;
  return { mainPercent: pct(main), busiestOtherPercent: pct(busiest), restPercent: pct(rest) };
}

export interface ThreadSplit {
  mainPercent: number;
  busiestOtherPercent: number;
  restPercent: number;
}

/** Busy and total CPU time of the whole machine in seconds (/proc/stat, all CPUs). */
export async function machineCpuSeconds(): Promise<{ busy: number; total: number } | null> {
  const text = await readFile('/proc/stat', 'utf8').catch(() => '');
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

/** CPU seconds of every process whose command name is `comm` (e.g. all PostgreSQL backends). */
export async function commandCpuSeconds(comm: string): Promise<number> {
  let total = 0;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    if (open < 0 || stat.slice(open + 1, close) !== comm) continue;
    const fields = stat.slice(close + 2).split(' ');
    total += (Number(fields[11]) + Number(fields[12])) / 100;
  }
  return total;
}

/** One unlabelled sample from the server's Prometheus /metrics, or null when it is absent. */
export async function scrapeMetric(port: number, name: string): Promise<number | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
    const text = await res.text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.slice(name.length + 1)) : null;
  } catch {
    return null;
  }
}

/** CPU seconds of several processes together; null if one of them is gone. */
export async function sumCpu(pids: readonly number[]): Promise<number | null> {
  let total = 0;
  for (const pid of pids) {
    const s = await processCpuSeconds(pid);
    if (s === null) return null;
    total += s;
  }
  return total;
}
