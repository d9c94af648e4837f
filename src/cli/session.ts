import { apiCaller } from './api-client.js';
import { parseCommandArgs, serverOf } from './args.js';
import { openDirectDatabase } from './direct-database.js';
import { InMemoryBus } from '../platform/bus.js';
import { systemClock } from '../platform/clock.js';
import { cryptoIds } from '../platform/ids.js';
import { StartupError, isDomainError } from '../platform/errors.js';
import { moduleDb } from '../app/database.js';
import { DEFAULT_TENANT_ID } from '../modules/accounts/index.js';
import {
  SESSION_STATUSES,
  createTransactionsService,
  sessionsCsv,
  type SessionDetail,
  type SessionStatus,
  type SessionView,
  type TransactionsTables,
} from '../modules/transactions/index.js';

const HELP = `Usage:
  ampline session list [--station ID] [--status STATUS] [--id-token UID] [--limit N]   newest first (default 50)
  ampline session show <id>                                                          one session with its meter timeline (JSON)
  ampline session export [--station ID] [--status STATUS] [--id-token UID] > sessions.csv

Statuses: ${SESSION_STATUSES.join(', ')}.
Against a running server: --url http://HOST:PORT --token TOKEN (or AMPLINE_URL / AMPLINE_TOKEN).
Without --url the command opens the database directly (--data DIR, or DATABASE_URL).`;

/** Largest page the list API serves. */
const PAGE = 500;

export interface SessionIo {
  out: (text: string) => void;
}

interface SessionFilter {
  stationId?: string | undefined;
  status?: SessionStatus | undefined;
  idToken?: string | undefined;
}

type SessionPage = { items: SessionView[]; nextCursor: string | null };

/** Where the sessions are read: the REST API of a running server, or the database directly. */
interface SessionClient {
  page(filter: SessionFilter, limit: number, after: string | undefined): Promise<SessionPage>;
  show(id: string): Promise<SessionDetail>;
  exportCsv(filter: SessionFilter): Promise<string>;
  close(): Promise<void>;
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
  const filter: SessionFilter = { stationId: values.station, status: status as SessionStatus | undefined, idToken: values['id-token'] };
  const client = url ? apiClient(url, token) : await directClient(values.data);
  try {
    switch (sub) {
      case 'list': {
        const sessions: SessionView[] = [];
        let cursor: string | null = null;
        do {
          const page: SessionPage = await client.page(filter, Math.min(PAGE, limit - sessions.length), cursor ?? undefined);
          sessions.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor && sessions.length < limit);
        io.out(formatSessionList(sessions));
        return 0;
      }
      case 'show':
        io.out(`${JSON.stringify(await client.show(id ?? ''), null, 2)}\n`);
        return 0;
      case 'export':
        io.out(await client.exportCsv(filter));
        return 0;
    }
  } catch (err) {
    if (isDomainError(err)) throw new StartupError(err.message);
    throw err;
  } finally {
    await client.close();
  }
}

function filterQuery(filter: SessionFilter): URLSearchParams {
  const query = new URLSearchParams();
  if (filter.stationId !== undefined) query.set('stationId', filter.stationId);
  if (filter.status !== undefined) query.set('status', filter.status);
  if (filter.idToken !== undefined) query.set('idToken', filter.idToken);
  return query;
}

function apiClient(url: string, token: string | undefined): SessionClient {
  const call = apiCaller(url, token);
  return {
    page: (filter, limit, after) => {
      const query = filterQuery(filter);
      query.set('limit', String(limit));
      if (after) query.set('after', after);
      return call('GET', `/api/v1/sessions?${query.toString()}`);
    },
    show: (id) => call<SessionDetail>('GET', `/api/v1/sessions/${encodeURIComponent(id)}`),
    exportCsv: (filter) => {
      const query = filterQuery(filter);
      return fetchCsv(url, token ?? '', `/api/v1/sessions.csv${query.size > 0 ? `?${query.toString()}` : ''}`);
    },
    close: async () => undefined,
  };
}

/** Reads the database itself, through the same service the API uses (it never writes a session). */
async function directClient(dataDir: string | undefined): Promise<SessionClient> {
  const database = await openDirectDatabase(dataDir);
  const readOnly = () => Promise.reject(new Error('ampline session only reads sessions'));
  const sessions = createTransactionsService({
    db: moduleDb<TransactionsTables>(database.db),
    bus: new InMemoryBus((err) => process.stderr.write(`ampline: ${(err as Error).message}\n`)),
    clock: systemClock,
    ids: cryptoIds,
    authorizer: { authorize: readOnly },
  });
  const page = (filter: SessionFilter, limit: number, after: string | undefined) => sessions.list(DEFAULT_TENANT_ID, { ...filter, limit, after });
  return {
    page,
    show: (id) => sessions.get(DEFAULT_TENANT_ID, id),
    exportCsv: (filter) => sessionsCsv((after) => page(filter, PAGE, after)),
    close: () => database.close(),
  };
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
