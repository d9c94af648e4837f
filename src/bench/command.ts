// `bench <subcommand>` dispatch, shared by dist/bench/main.js and (if wired) `ampline bench`.
import { runConnectCommand } from './connect.js';
import { runDeflateCommand } from './deflate.js';

const USAGE = `usage: bench <benchmark> [options]
benchmarks:
  ceiling   the sessions load against a CSMS that stores nothing: this machine's ceiling (bench ceiling --help)
  connect   connect/boot rate, server memory per station, reconnect storm (bench connect --help)
  deflate   server memory per station with and without permessage-deflate (bench deflate --help)
  sessions  back-to-back charging sessions: persisted msgs/s, latency, stored exactly once (bench sessions --help)
  writes    CPU and wall ms per batch and per item of each kind of session write, in one process (bench writes --help)`;

export async function runBenchCommand(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  switch (name) {
    case 'ceiling': {
      const { runCeilingCommand } = await import('./ceiling.js');
      return runCeilingCommand(rest);
    }
    case 'connect':
      return runConnectCommand(rest);
    case 'deflate':
      return runDeflateCommand(rest);
    case 'sessions': {
      // Loaded on demand: it opens the database (platform code, pg), which the other benchmarks never need.
      const { runSessionsCommand } = await import('./sessions.js');
      return runSessionsCommand(rest);
    }
    case 'writes': {
      // Loaded on demand, like sessions: it opens the database.
      const { runWritesCommand } = await import('./writes.js');
      return runWritesCommand(rest);
    }
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(USAGE);
      return name === undefined ? 2 : 0;
    default:
      console.error(`bench: unknown benchmark '${name}'\n${USAGE}`);
      return 2;
  }
}
