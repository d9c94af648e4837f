import { apiCaller, type ApiCall } from './api-client.js';
import { parseCommandArgs, serverOf } from './args.js';
import { StartupError } from '../platform/errors.js';

export const STATION_COMMANDS_HELP = `Remote commands (against a running server: --url and --token, or AMPLINE_URL / AMPLINE_TOKEN):
  ampline station reset <id> [--type Immediate|OnIdle|Hard|Soft] [--evse N]
  ampline station unlock <id> --evse N [--connector N]
  ampline station availability <id> operative|inoperative [--evse N] [--connector N]
  ampline station trigger <id> <Message> [--evse N] [--connector N] [--extended]
  ampline station clear-cache <id>
  ampline station data-transfer <id> --vendor V [--message M] [--data TEXT]
  ampline station commands <id> [--limit N]            the station's command history
  ampline station local-list <id> [--refresh]          list versions (--refresh asks the station)
  ampline station local-list-sync <id> [--full]        send the local list (differential by default)`;

const SUBCOMMANDS = new Set(['reset', 'unlock', 'availability', 'trigger', 'clear-cache', 'data-transfer', 'commands', 'local-list', 'local-list-sync']);

/**
 * `ampline station <remote command>`: each prints the server's JSON answer. Returns undefined for
 * a subcommand that is not a remote command, so `station` handles it.
 */
export async function runStationRemoteCommand(argv: string[], write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number | undefined> {
  const [sub] = argv;
  if (!sub || !SUBCOMMANDS.has(sub)) return undefined;
  const { values, positionals } = parseCommandArgs('station', argv.slice(1), {
    type: { type: 'string' },
    evse: { type: 'string' },
    connector: { type: 'string' },
    extended: { type: 'boolean' },
    vendor: { type: 'string' },
    message: { type: 'string' },
    data: { type: 'string' },
    limit: { type: 'string' },
    refresh: { type: 'boolean' },
    full: { type: 'boolean' },
  });
  if (values.help) {
    write(`${STATION_COMMANDS_HELP}\n`);
    return 0;
  }
  const [id, arg] = positionals;
  if (!id) throw new StartupError(`station ${sub} needs a station id`);
  const server = serverOf(values);
  if (!server.url) throw new StartupError(`station ${sub} talks to a running server: give --url (or AMPLINE_URL)`);
  const call = apiCaller(server.url, server.token);
  const path = `/api/v1/stations/${encodeURIComponent(id)}`;
  const evseId = int('--evse', values.evse);
  const connectorId = int('--connector', values.connector);
  const answer = await run(call, path, sub, { ...values, evseId, connectorId, arg });
  write(`${JSON.stringify(answer, null, 2)}\n`);
  return 0;
}

type Options = {
  type?: string | undefined;
  extended?: boolean | undefined;
  vendor?: string | undefined;
  message?: string | undefined;
  data?: string | undefined;
  limit?: string | undefined;
  refresh?: boolean | undefined;
  full?: boolean | undefined;
  evseId: number | undefined;
  connectorId: number | undefined;
  arg: string | undefined;
};

function run(call: ApiCall, path: string, sub: string, o: Options): Promise<unknown> {
  const post = (to: string, json: Record<string, unknown> = {}) => call('POST', `${path}/${to}`, { json: defined(json) });
  switch (sub) {
    case 'reset':
      return post('reset', { type: o.type ?? 'OnIdle', evseId: o.evseId });
    case 'unlock':
      if (o.evseId === undefined) throw new StartupError('station unlock needs --evse N');
      return post('unlock', { evseId: o.evseId, connectorId: o.connectorId });
    case 'availability': {
      const status = o.arg?.toLowerCase();
      if (status !== 'operative' && status !== 'inoperative') throw new StartupError('station availability needs operative or inoperative');
      return post('availability', { operationalStatus: status === 'operative' ? 'Operative' : 'Inoperative', evseId: o.evseId, connectorId: o.connectorId });
    }
    case 'trigger':
      if (!o.arg) throw new StartupError('station trigger needs the message to trigger, e.g. StatusNotification');
      return post('trigger', { requestedMessage: o.arg, evseId: o.evseId, connectorId: o.connectorId, extended: o.extended });
    case 'clear-cache':
      return post('clear-cache');
    case 'data-transfer':
      if (!o.vendor) throw new StartupError('station data-transfer needs --vendor V');
      return post('data-transfer', { vendorId: o.vendor, messageId: o.message, data: o.data });
    case 'commands':
      return call('GET', `${path}/commands${o.limit ? `?limit=${encodeURIComponent(o.limit)}` : ''}`);
    case 'local-list':
      return call('GET', `${path}/local-list${o.refresh ? '?refresh=true' : ''}`);
    default:
      return post('local-list/sync', { mode: o.full ? 'full' : 'differential' });
  }
}

function int(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new StartupError(`${flag} must be a whole number`);
  return n;
}

function defined(json: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(json).filter(([, v]) => v !== undefined));
}
