import { openDatabase, type DatabaseHandle } from '../platform/db/database.js';
import { migrateToLatest } from '../platform/db/migrate.js';
import { migrations, type Database } from '../app/database.js';

/**
 * The database a CLI command opens when it is not given --url: PostgreSQL when DATABASE_URL is
 * set, else the PGlite directory of --data (or AMPLINE_DATA, or ./data), migrated to the latest
 * schema. A PGlite directory a running server holds is refused by its lock, with one line.
 */
export async function openDirectDatabase(dataDir: string | undefined): Promise<DatabaseHandle<Database>> {
  const database = await openDatabase<Database>({
    databaseUrl: process.env['DATABASE_URL'] || undefined,
    dataDir: dataDir ?? process.env['AMPLINE_DATA'] ?? './data',
  });
  try {
    await migrateToLatest(database.db, migrations);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}
