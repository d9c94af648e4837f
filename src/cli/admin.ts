import { openDatabase } from '../platform/db/database.js';
import { migrateToLatest } from '../platform/db/migrate.js';
import { systemClock } from '../platform/clock.js';
import { cryptoIds } from '../platform/ids.js';
import { StartupError, isDomainError } from '../platform/errors.js';
import { migrations, moduleDb, type Database } from '../app/database.js';
import { AccountsService, type AccountsTables } from '../modules/accounts/index.js';
import { parseCommandArgs } from './args.js';

const HELP = `Usage:
  ampline admin create --email you@example.com [--password PW] [--data DIR]

Creates an owner of the default tenant (an installation superuser, ADR 021) directly in the
database (--data DIR, or DATABASE_URL). Without --password one is generated and printed once.
Sign in with POST /api/v1/auth/login {"email", "password"}.`;

/** First-run setup without touching SQL: the first owner account. */
export async function runAdminCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('admin', argv, { email: { type: 'string' }, password: { type: 'string' } });
  if (values.help || positionals[0] !== 'create') {
    process.stdout.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  if (!values.email) throw new StartupError('admin create needs --email');
  const database = await openDatabase<Database>({
    databaseUrl: process.env['DATABASE_URL'] || undefined,
    dataDir: values.data ?? process.env['AMPLINE_DATA'] ?? './data',
  });
  try {
    await migrateToLatest(database.db, migrations);
    const accounts = new AccountsService({ db: moduleDb<AccountsTables>(database.db), clock: systemClock, ids: cryptoIds });
    const { user, generatedPassword } = await accounts.createOwner(values.email, values.password);
    process.stdout.write(`created owner ${user.email} (id ${user.id}, tenant ${user.tenantId})\n`);
    if (generatedPassword) process.stdout.write(`password (shown once, change it after signing in): ${generatedPassword}\n`);
    process.stdout.write('sign in with POST /api/v1/auth/login {"email", "password"}\n');
    return 0;
  } catch (err) {
    if (isDomainError(err)) throw new StartupError(`${err.message}${err.details?.['field'] ? ` (--${String(err.details['field'])})` : ''}`);
    throw err;
  } finally {
    await database.close();
  }
}
