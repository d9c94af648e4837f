// Entry of a load-generator worker process (forked by pool.ts): holds one Fleet, obeys the
// parent's commands and pushes its counters a few times a second while they change.
import { Fleet, type FleetStats } from './fleet.js';
import { isToWorker, type FromWorker, type WorkerCommand } from './ipc.js';

let fleet: Fleet | null = null;

function send(message: FromWorker): void {
  // After the parent disconnects a send fails with EPIPE; the callback keeps that from
  // becoming an unhandled 'error' event.
  if (process.connected) process.send?.(message, undefined, {}, () => undefined);
}

async function run(command: WorkerCommand, current: Fleet): Promise<void> {
  switch (command.kind) {
    case 'connect':
      return current.connectAll();
    case 'disconnect':
      return current.disconnectAll();
    case 'close':
      return current.closeAll();
    case 'reset-stats':
      return current.resetStats();
    case 'start-sessions':
      return current.startSessions(command.plan);
    case 'stop-sessions':
      return current.endSessions();
    case 'large-frame':
      return current.sendLargeFrames(command.bytes);
    case 'stats':
      return;
  }
}

function pushWhenChanged(current: Fleet, intervalMs: number): void {
  let last = '';
  const timer = setInterval(() => {
    const stats: FleetStats = current.stats();
    const signature = current.changeSignature(stats);
    if (signature === last) return;
    last = signature;
    send({ type: 'stats', stats });
  }, intervalMs);
  timer.unref();
}

process.on('message', (message: unknown) => {
  if (!isToWorker(message)) return;
  if (message.type === 'init') {
    fleet = new Fleet(message.settings);
    fleet.add(message.stations);
    pushWhenChanged(fleet, message.statsIntervalMs);
    send({ type: 'initialized', stats: fleet.stats() });
    return;
  }
  const current = fleet;
  if (!current) return;
  const { id, command } = message;
  run(command, current).then(
    () => send({ type: 'reply', id, stats: current.stats() }),
    (error: unknown) => send({ type: 'reply', id, stats: current.stats(), error: String(error) }),
  );
});

// Ctrl-C reaches the whole process group: the parent decides when workers stop (it may first
// end sessions), so workers ignore the signals and follow the IPC channel instead.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);

// The parent went away: nothing left to report to.
process.on('disconnect', () => {
  void (fleet?.disconnectAll() ?? Promise.resolve()).finally(() => process.exit(0));
});
