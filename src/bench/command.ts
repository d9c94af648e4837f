// `bench <subcommand>` dispatch, shared by dist/bench/main.js and (if wired) `ampline bench`.
import { runConnectCommand } from './connect.js';

const USAGE = `usage: bench <benchmark> [options]
benchmarks:
  connect   connect/boot rate, server memory per station, reconnect storm (bench connect --help)`;

export async function runBenchCommand(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  switch (name) {
    case 'connect':
      return runConnectCommand(rest);
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
