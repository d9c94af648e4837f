import { readFileSync } from 'node:fs';
import { openDirectDatabase } from './direct-database.js';
import { systemClock } from '../platform/clock.js';
import { cryptoIds } from '../platform/ids.js';
import { apiCaller } from './api-client.js';
import { parseCommandArgs, serverOf } from './args.js';
import { StartupError, isDomainError } from '../platform/errors.js';
import { moduleDb } from '../app/database.js';
import { DEFAULT_TENANT_ID } from '../modules/accounts/index.js';
import {
  ID_TOKEN_STATUSES,
  ID_TOKEN_TYPES,
  createAuthorizationService,
  type AuthorizationTables,
  type CreateTokenInput,
  type IdTokenStatus,
  type IdTokenType,
  type TokenView,
} from '../modules/authorization/index.js';

const HELP = `Usage:
  ampline token add <uid> [--type ISO14443] [--status Accepted|Blocked|Expired|Invalid] [--group GROUP_ID]
                          [--expires 2027-12-31T23:59:59Z] [--driver DRIVER_ID] [--master-pass] [--allow-concurrent]
  ampline token list [--uid UID] [--status STATUS] [--group GROUP_ID] [--driver DRIVER_ID]
  ampline token import <file.csv>      header: uid,type,status,groupId,expiresAt,driverId (all or nothing)

Types: ${ID_TOKEN_TYPES.join(', ')}.
Against a running server: --url http://HOST:PORT --token TOKEN (or AMPLINE_URL / AMPLINE_TOKEN).
Without --url the command opens the database directly (--data DIR, or DATABASE_URL).`;

interface TokenFilterArgs {
  uid?: string | undefined;
  status?: IdTokenStatus | undefined;
  groupId?: string | undefined;
  driverId?: string | undefined;
}

interface TokenClient {
  add(input: CreateTokenInput): Promise<TokenView>;
  list(filter: TokenFilterArgs): Promise<TokenView[]>;
  importCsv(text: string): Promise<{ imported: number }>;
  close(): Promise<void>;
}

/** Pages of the list API, and of the direct listing. */
const PAGE = 500;

export async function runTokenCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('token', argv, {
      type: { type: 'string' },
      status: { type: 'string' },
      group: { type: 'string' },
      expires: { type: 'string' },
      driver: { type: 'string' },
      uid: { type: 'string' },
      'master-pass': { type: 'boolean' },
      'allow-concurrent': { type: 'boolean' },
  });
  const { values, positionals } = parsed;
  const [sub, arg] = positionals;
  if (values.help || !sub) {
    process.stdout.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  const status = values.status;
  if (status !== undefined && !(ID_TOKEN_STATUSES as readonly string[]).includes(status)) {
    throw new StartupError(`--status must be one of ${ID_TOKEN_STATUSES.join(', ')}`);
  }
  const type = values.type ?? 'ISO14443';
  if (!(ID_TOKEN_TYPES as readonly string[]).includes(type)) throw new StartupError(`--type must be one of ${ID_TOKEN_TYPES.join(', ')}`);
  // Read the file before opening anything, so a wrong path costs nothing.
  let csv: string | undefined;
  if (sub === 'import') {
    if (!arg) throw new StartupError('token import needs a CSV file');
    try {
      csv = readFileSync(arg, 'utf8');
    } catch (err) {
      throw new StartupError(`cannot read ${arg}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (sub !== 'add' && sub !== 'list' && sub !== 'import') throw new StartupError(`unknown token command "${sub}" (see ampline token --help)`);
  if (sub === 'add' && !arg) throw new StartupError('token add needs a uid');

  const server = serverOf(values);
  const client = server.url ? apiClient(server.url, server.token) : await directClient(values.data);
  try {
    switch (sub) {
      case 'add': {
        const input: CreateTokenInput = { uid: arg ?? '', type: type as IdTokenType };
        if (status !== undefined) input.status = status as IdTokenStatus;
        if (values.group !== undefined) input.groupId = values.group;
        if (values.expires !== undefined) input.expiresAt = values.expires;
        if (values.driver !== undefined) input.driverId = values.driver;
        if (values['master-pass']) input.masterPass = true;
        if (values['allow-concurrent']) input.allowConcurrent = true;
        const token = await client.add(input);
        process.stdout.write(`added ${token.uid} (${token.type}, ${token.status}) id ${token.id}\n`);
        return 0;
      }
      case 'list': {
        const tokens = await client.list({ uid: values.uid, status: status as IdTokenStatus | undefined, groupId: values.group, driverId: values.driver });
        for (const t of tokens) {
          process.stdout.write(`${t.uid}\t${t.type}\t${t.status}\t${t.groupId ?? '-'}\t${t.expiresAt ?? '-'}\t${t.driverId ?? '-'}\t${t.id}\n`);
        }
        return 0;
      }
      case 'import': {
        const { imported } = await client.importCsv(csv ?? '');
        process.stdout.write(`imported ${imported} token${imported === 1 ? '' : 's'}\n`);
        return 0;
      }
    }
  } catch (err) {
    if (isDomainError(err)) throw new StartupError(err.message);
    throw err;
  } finally {
    await client.close();
  }
}

async function directClient(dataDir: string | undefined): Promise<TokenClient> {
  const database = await openDirectDatabase(dataDir);
  const authorization = createAuthorizationService({ db: moduleDb<AuthorizationTables>(database.db), clock: systemClock, ids: cryptoIds });
  return {
    add: (input) => authorization.create(DEFAULT_TENANT_ID, input),
    list: async (filter) => {
      const all: TokenView[] = [];
      let page: TokenView[];
      do {
        page = await authorization.list(DEFAULT_TENANT_ID, { ...filter, limit: PAGE, after: all[all.length - 1]?.id });
        all.push(...page);
      } while (page.length === PAGE);
      return all;
    },
    importCsv: (text) => authorization.importCsv(DEFAULT_TENANT_ID, text),
    close: () => database.close(),
  };
}

function apiClient(baseUrl: string, token: string | undefined): TokenClient {
  const call = apiCaller(baseUrl, token);
  return {
    add: (input) => call('POST', '/api/v1/tokens', { json: input }),
    list: async (filter) => {
      const all: TokenView[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ limit: String(PAGE) });
        for (const [key, value] of Object.entries(filter)) if (value !== undefined) query.set(key, value);
        if (cursor) query.set('after', cursor);
        const page: { items: TokenView[]; nextCursor: string | null } = await call('GET', `/api/v1/tokens?${query.toString()}`);
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    },
    importCsv: (text) => call('POST', '/api/v1/tokens/import', { csv: text }),
    close: async () => undefined,
  };
}
