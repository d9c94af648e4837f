// Entry of `npm run bench -- <benchmark> [options]` (node dist/bench/main.js).
import { runBenchCommand } from './command.js';

runBenchCommand(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
