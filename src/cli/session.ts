import { apiCaller } from './api-client.js';
import { parseCommandArgs, serverOf } from './args.js';
import { StartupError } from '../platform/errors.js';
import { SESSION_STATUSES, type SessionDetail, type SessionView } from '../modules/transactions/index.js';

const HELP = `Usage:
  ampline session list [--station ID] [--status STATUS] [--id-token UID] [--limit N]   newest first (default 50)
  ampline session show <id>                                                          one session with its meter timeline (JSON)
  ampline session export [--station ID] [--status STATUS] [--id-token UID] > sessions.csv

Statuses: ${SESSION_STATUSES.join(', ')}.
Against a running server: --url http://HOST:PORT --token TOKEN (or AMPLINE_URL / AMPLINE_TOKEN).`;

/** Largest page the list API serves. */
const PAGE = 500;

export interface SessionIo {
  out: (text: string) => void;
}

const defaultIo: SessionIo = { out: (text) => process.stdout.write(text) };

export async function runSessionCommand(argv: string[], io: SessionIo = defaultIo): Promise<number> {
  const parsed = parseCommandArgs('session', argv, {
      station: { type: 'string' },
      status: { type: 'string' },
      'id-token': { type: 'string' },
      limit: { type: 'string' },
  });
  const { values, positionals } = parsed;
  const [sub, id] = positionals;
  if (values.help || !sub) {
    io.out(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  if (sub !== 'list' && sub !== 'show' && sub !== 'export') throw new StartupError(`unknown session command "${sub}" (see ampline session --help)`);
  if (sub === 'show' && !id) throw new StartupError('session show needs a session id');
  const status = values.status;
  if (status !== undefined && !(SESSION_STATUSES as readonly string[]).includes(status)) {
    throw new StartupError(`--status must be one of ${SESSION_STATUSES.join(', ')}`);
  }
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new StartupError(`--limit must be a positive integer, got '${values.limit}'`);
  const { url, token } = serverOf(values);
  if (!url) throw new StartupError('session commands talk to a running server: --url http://HOST:PORT (or AMPLINE_URL)');
  const call = apiCaller(url, token);
  const filter = new URLSearchParams();
  if (values.station !== undefined) filter.set('stationId', values.station);
  if (status !== undefined) filter.set('status', status);
  if (values['id-token'] !== undefined) filter.set('idToken', values['id-token']);

  switch (sub) {
    case 'list': {
      const sessions: SessionView[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams(filter);
        query.set('limit', String(Math.min(PAGE, limit - sessions.length)));
        if (cursor) query.set('after', cursor);
        const page: { items: SessionView[]; nextCursor: string | null } = await call('GET', `/api/v1/sessions?${query.toString()}`);
        sessions.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && sessions.length < limit);
      io.out(formatSessionList(sessions));
      return 0;
    }
    case 'show': {
      const detail = await call<SessionDetail>('GET', `/api/v1/sessions/${encodeURIComponent(id ?? '')}`);
      io.out(`${JSON.stringify(detail, null, 2)}\n`);
      return 0;
    }
    case 'export':
      io.out(await fetchCsv(url, token ?? '', `/api/v1/sessions.csv${filter.size > 0 ? `?${filter.toString()}` : ''}`));
      return 0;
  }
}

const COLUMNS = ['id', 'station', 'evse', 'idToken', 'status', 'startedAt', 'stoppedAt', 'energyWh'] as const;

/** One header line, then a tab-separated line per session. */
export function formatSessionList(sessions: readonly SessionView[]): string {
  const rows = sessions.map((s) => [
    s.id,
    s.stationId,
    s.evseId === null ? '-' : String(s.evseId),
    s.idToken ?? '-',
    s.stopReason ? `${s.status} (${s.stopReason})` : s.status,
    s.startedAt,
    s.stoppedAt ?? '-',
    String(s.energyWh),
  ]);
  return [COLUMNS.join('\t'), ...rows.map((r) => r.join('\t'))].map((line) => `${line}\n`).join('');
}

/** The CSV export as the server wrote it (apiCaller reads JSON, so this one reads text). */
async function fetchCsv(baseUrl: string, token: string, path: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(new URL(path, baseUrl), { headers: { authorization: `Bearer ${token}`, accept: 'text/csv' } });
  } catch (err) {
    throw new StartupError(`cannot reach ${baseUrl}: ${(err as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = (JSON.parse(text) as { detail?: string }).detail ?? detail;
    } catch {
      // not problem+json
    }
    throw new StartupError(`GET ${path} failed (${response.status}): ${detail}`);
  }
  return text;
}
