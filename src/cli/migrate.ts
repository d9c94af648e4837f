import { parseArgs } from 'node:util';
import { openDatabase } from '../platform/db/database.js';
import { migrateToLatest } from '../platform/db/migrate.js';
import { StartupError } from '../platform/errors.js';
import { migrations, type Database } from '../app/database.js';

export async function runMigrate(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { data: { type: 'string' } }, strict: true }));
  } catch (err) {
    throw new StartupError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const database = await openDatabase<Database>({
    databaseUrl: process.env['DATABASE_URL'] || undefined,
    dataDir: values.data ?? process.env['AMPLINE_DATA'] ?? './data',
  });
  try {
    const applied = await migrateToLatest(database.db, migrations);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    return 0;
  } finally {
    await database.close();
  }
}
