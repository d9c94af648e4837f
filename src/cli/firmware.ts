import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { apiCaller } from './api-client.js';
import { parseCommandArgs, serverOf } from './args.js';
import { StartupError } from '../platform/errors.js';

const HELP = `Usage (against a running server: --url http://HOST:PORT --token TOKEN, or AMPLINE_URL / AMPLINE_TOKEN):
  ampline firmware upload <file> [--name N] [--version V] [--signature B64 --signing-cert cert.pem]
  ampline firmware list
  ampline firmware update <stationId> <imageId>          UpdateFirmware / SignedUpdateFirmware now
  ampline firmware status <stationId>                    current update and status history
  ampline firmware campaign create <imageId> (--stations A,B,C | --site SITE) [--canary N] [--batch N] [--threshold PCT]
  ampline firmware campaign show|pause|resume|cancel <campaignId>
  ampline firmware logs request <stationId> [--type DiagnosticsLog|SecurityLog]
  ampline firmware logs list <stationId>`;

export interface FirmwareIo {
  out: (text: string) => void;
}

const defaultIo: FirmwareIo = { out: (text) => process.stdout.write(text) };

/** `ampline firmware …`: images, updates, campaigns and log requests through the REST API. */
export async function runFirmwareCommand(argv: string[], io: FirmwareIo = defaultIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('firmware', argv, {
    name: { type: 'string' },
    version: { type: 'string' },
    signature: { type: 'string' },
    'signing-cert': { type: 'string' },
    stations: { type: 'string' },
    site: { type: 'string' },
    canary: { type: 'string' },
    batch: { type: 'string' },
    threshold: { type: 'string' },
    type: { type: 'string' },
  });
  const [sub, ...args] = positionals;
  if (values.help || !sub) {
    io.out(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  const { url, token } = serverOf(values);
  if (!url) throw new StartupError('firmware commands talk to a running server: --url http://HOST:PORT (or AMPLINE_URL)');
  const call = apiCaller(url, token);
  const print = (value: unknown) => io.out(`${JSON.stringify(value, null, 2)}\n`);
  const need = (value: string | undefined, what: string): string => {
    if (!value) throw new StartupError(`firmware ${sub} needs ${what} (see ampline firmware --help)`);
    return value;
  };
  const station = (id: string) => `/api/v1/stations/${encodeURIComponent(id)}`;

  switch (sub) {
    case 'upload': {
      const file = need(args[0], 'a file');
      const data = await readFile(file).catch((err: Error) => {
        throw new StartupError(`cannot read ${file}: ${err.message}`);
      });
      const query = new URLSearchParams({ fileName: basename(file), name: values.name ?? basename(file) });
      if (values.version) query.set('version', values.version);
      if (values.signature) query.set('signature', values.signature);
      if (values['signing-cert']) query.set('signingCertificate', await readFile(values['signing-cert'], 'utf8'));
      print(await upload(url, token, `/api/v1/firmware?${query.toString()}`, data));
      return 0;
    }
    case 'list':
      print(await call('GET', '/api/v1/firmware'));
      return 0;
    case 'update':
      print(await call('POST', `${station(need(args[0], 'a station id'))}/firmware/update`, { json: { imageId: need(args[1], 'an image id') } }));
      return 0;
    case 'status':
      print(await call('GET', `${station(need(args[0], 'a station id'))}/firmware`));
      return 0;
    case 'campaign':
      print(await campaign(call, args, values));
      return 0;
    case 'logs': {
      const [action, stationId] = args;
      if (action === 'request') {
        print(await call('POST', `${station(need(stationId, 'a station id'))}/logs`, { json: { logType: values.type ?? 'DiagnosticsLog' } }));
      } else if (action === 'list') {
        print(await call('GET', `${station(need(stationId, 'a station id'))}/logs`));
      } else {
        throw new StartupError('firmware logs takes request or list (see ampline firmware --help)');
      }
      return 0;
    }
    default:
      throw new StartupError(`unknown firmware command "${sub}" (see ampline firmware --help)`);
  }
}

async function campaign(call: ReturnType<typeof apiCaller>, args: string[], values: Record<string, string | boolean | undefined>): Promise<unknown> {
  const [action, id] = args;
  if (!id) throw new StartupError('firmware campaign needs an action and an id (see ampline firmware --help)');
  const path = `/api/v1/firmware-campaigns`;
  switch (action) {
    case 'create': {
      const integer = (flag: string): number | undefined => {
        const raw = values[flag];
        if (raw === undefined) return undefined;
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 0) throw new StartupError(`--${flag} must be a whole number, got '${String(raw)}'`);
        return n;
      };
      const stations = typeof values['stations'] === 'string' ? values['stations'].split(',').filter(Boolean) : undefined;
      const body = {
        imageId: id,
        ...(stations ? { stationIds: stations } : {}),
        ...(typeof values['site'] === 'string' ? { siteId: values['site'] } : {}),
        ...(integer('canary') !== undefined ? { canarySize: integer('canary') } : {}),
        ...(integer('batch') !== undefined ? { batchSize: integer('batch') } : {}),
        ...(integer('threshold') !== undefined ? { failureThresholdPercent: integer('threshold') } : {}),
      };
      return call('POST', path, { json: body });
    }
    case 'show':
      return call('GET', `${path}/${encodeURIComponent(id)}`);
    case 'pause':
    case 'resume':
    case 'cancel':
      return call('POST', `${path}/${encodeURIComponent(id)}/${action}`);
    default:
      throw new StartupError('firmware campaign takes create, show, pause, resume or cancel');
  }
}

/** A binary upload: the JSON/CSV API caller does not carry raw bytes. */
async function upload(baseUrl: string, token: string | undefined, path: string, data: Buffer): Promise<unknown> {
  if (!token) throw new StartupError('--url needs an API token: --token TOKEN or AMPLINE_TOKEN');
  const response = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: data,
  }).catch((err: Error) => {
    throw new StartupError(`cannot reach ${baseUrl}: ${err.message}`);
  });
  const payload = (await response.json().catch(() => ({}))) as { detail?: string };
  if (!response.ok) throw new StartupError(`POST /api/v1/firmware failed (${response.status}): ${payload.detail ?? response.statusText}`);
  return payload;
}
