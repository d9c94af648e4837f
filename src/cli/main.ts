import { StartupError } from '../platform/errors.js';
import { runServe } from './serve.js';
import { runStationCommand } from './station.js';
import { runTokenCommand } from './token.js';
import { runSessionCommand } from './session.js';
import { runMigrate } from './migrate.js';
import { runFirmwareCommand } from './firmware.js';
import { runAdminCommand } from './admin.js';

const HELP = `Usage: ampline <command> [options]

Commands:
  serve [--port N] [--data DIR] [--demo] [--auto-register]   start the CSMS (OCPP + REST API)
  station add <id> [--password PW] [--ocpp 1.6|2.0.1|2.1]      register a station
  station list | station show <id>                            read stations
  station reset|unlock|availability|trigger|clear-cache <id>  remote commands; station commands <id>: their history
  station local-list[-sync] <id>                              a station's local authorization list
  station config|variables get|set|show <id> ...              1.6 configuration / 2.0.1 device model of a station
  token add <uid> [--type T] [--status S] [--group G]          add an id token (RFID card, app, eMAID, ...)
  token list | token import <file.csv>                        read or bulk-import id tokens
  session list | session show <id> | session export > f.csv   read charging sessions (--url, --token)
  sim --url ws://HOST:PORT/ocpp --stations N --ocpp 1.6|2.0.1  run simulated stations
  migrate                                                     apply database migrations and exit
  firmware upload|list|update|status|campaign|logs ...         firmware images, updates, campaigns, station logs (--url, --token)
  ca init [--dir DIR] [--key ecdsa|rsa] | ca issue <cn> ...   built-in certificate authority (TLS, station certificates)
  admin create --email E [--password PW]                      create the first owner (sign in at /api/v1/auth/login)

Run "ampline <command> --help" for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await runServe(rest);
      case 'station':
        return await runStationCommand(rest);
      case 'token':
        return await runTokenCommand(rest);
      case 'session':
        return await runSessionCommand(rest);
      case 'sim': {
        const { runSimCommand } = await import('../sim/cli.js');
        return await runSimCommand(rest);
      }
      case 'migrate':
        return await runMigrate(rest);
      case 'firmware':
        return await runFirmwareCommand(rest);
      case 'ca': {
        // Loaded on use: the X.509 stack is not needed by the other commands' start-up.
        const { runCaCommand } = await import('./ca.js');
        return await runCaCommand(rest);
      }
      case 'admin':
        return await runAdminCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${HELP}\n`);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`ampline: unknown command "${command}"\n\n${HELP}\n`);
        return 2;
    }
  } catch (err) {
    if (err instanceof StartupError) {
      process.stderr.write(`ampline: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
