import { apiCaller } from './api-client.js';
import { STATION_COMMANDS_HELP, runStationRemoteCommand } from './station-commands.js';
import { parseCommandArgs, serverOf } from './args.js';
import { openDirectDatabase } from './direct-database.js';
import { InMemoryBus } from '../platform/bus.js';
import { systemClock } from '../platform/clock.js';
import { StartupError, isDomainError } from '../platform/errors.js';
import { moduleDb } from '../app/database.js';
import { DEFAULT_TENANT_ID } from '../modules/accounts/index.js';
import { createStationsService, type RegisterStationInput, type StationView, type StationsTables } from '../modules/stations/index.js';
import { runStationConfigCommand } from './station-config.js';

const HELP = `Usage:
  ampline station add <id> [--password PW] [--ocpp 1.6|2.0.1|2.1] [--security-profile 0|1|2|3] [--site SITE_ID]
  ampline station list
  ampline station show <id>
  ampline station config get|set|show|drift <id> ...       1.6 configuration (see station config --help)
  ampline station variables get|set|show <id> ...          2.0.1 device model (see station variables --help)

Against a running server: --url http://HOST:PORT --token TOKEN (or AMPLINE_URL / AMPLINE_TOKEN).
Without --url the command opens the database directly (--data DIR, or DATABASE_URL).

${STATION_COMMANDS_HELP}`;

interface StationClient {
  add(input: RegisterStationInput): Promise<StationView>;
  list(): Promise<StationView[]>;
  show(id: string): Promise<StationView>;
  close(): Promise<void>;
}

export async function runStationCommand(argv: string[]): Promise<number> {
  const remote = await runStationRemoteCommand(argv);
  if (remote !== undefined) return remote;
  if (argv[0] === 'config' || argv[0] === 'variables') return runStationConfigCommand(argv);
  const parsed = parseCommandArgs('station', argv, {
      password: { type: 'string' },
      ocpp: { type: 'string' },
      'security-profile': { type: 'string' },
      site: { type: 'string' },
  });
  const { values, positionals } = parsed;
  const [sub, id] = positionals;
  if (values.help || !sub) {
    process.stdout.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  const server = serverOf(values);
  const client = server.url ? apiClient(server.url, server.token) : await directClient(values.data);
  try {
    switch (sub) {
      case 'add': {
        if (!id) throw new StartupError('station add needs a station id');
        const ocpp = values.ocpp;
        if (ocpp !== undefined && !['1.6', '2.0.1', '2.1'].includes(ocpp)) throw new StartupError('--ocpp must be 1.6, 2.0.1 or 2.1');
        const profileRaw = values['security-profile'];
        const securityProfile = profileRaw === undefined ? undefined : Number(profileRaw);
        if (securityProfile !== undefined && ![0, 1, 2, 3].includes(securityProfile)) throw new StartupError('--security-profile must be 0, 1, 2 or 3');
        const station = await client.add({
          id,
          password: values.password,
          ocppVersion: ocpp as RegisterStationInput['ocppVersion'],
          securityProfile: securityProfile as RegisterStationInput['securityProfile'],
          siteId: values.site,
        });
        process.stdout.write(`registered ${station.id} (security profile ${station.securityProfile})\n`);
        return 0;
      }
      case 'list': {
        for (const s of await client.list()) {
          process.stdout.write(`${s.id}\t${s.online ? 'online' : 'offline'}\t${s.ocppVersion ?? '-'}\t${s.vendor ?? '-'} ${s.model ?? ''}\n`);
        }
        return 0;
      }
      case 'show': {
        if (!id) throw new StartupError('station show needs a station id');
        process.stdout.write(`${JSON.stringify(await client.show(id), null, 2)}\n`);
        return 0;
      }
      default:
        throw new StartupError(`unknown station command "${sub}" (see ampline station --help)`);
    }
  } catch (err) {
    if (isDomainError(err)) throw new StartupError(err.message);
    throw err;
  } finally {
    await client.close();
  }
}

async function directClient(dataDir: string | undefined): Promise<StationClient> {
  const database = await openDirectDatabase(dataDir);
  const stations = createStationsService({
    db: moduleDb<StationsTables>(database.db),
    bus: new InMemoryBus(() => undefined),
    clock: systemClock,
    heartbeatIntervalS: 300,
    bootRetryIntervalS: 30,
    onWriteError: (err) => process.stderr.write(`ampline: ${(err as Error).message}\n`),
  });
  return {
    add: (input) => stations.register(DEFAULT_TENANT_ID, input),
    list: () => stations.list(DEFAULT_TENANT_ID, { limit: 500 }),
    show: (id) => stations.get(DEFAULT_TENANT_ID, id),
    close: () => database.close(),
  };
}

function apiClient(baseUrl: string, token: string | undefined): StationClient {
  const call = apiCaller(baseUrl, token);
  return {
    add: (input) => call('POST', '/api/v1/stations', { json: Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) }),
    list: async () => (await call<{ items: StationView[] }>('GET', '/api/v1/stations?limit=500')).items,
    show: (id) => call('GET', `/api/v1/stations/${encodeURIComponent(id)}`),
    close: async () => undefined,
  };
}
