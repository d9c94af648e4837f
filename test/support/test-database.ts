import { existsSync, readFileSync } from 'node:fs';
import { openDatabase, type DatabaseHandle } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { migrations, type Database } from '../../src/app/database.js';
import { createFreshDatabase } from './fresh-database.js';

/**
 * A migrated database without a server, for tests of what a module stores: a fresh PostgreSQL
 * database when DATABASE_URL is set, else an in-memory PGlite from the suite's template.
 */
export async function openTestDatabase(): Promise<{ handle: DatabaseHandle<Database>; close(): Promise<void> }> {
  const adminUrl = process.env['DATABASE_URL'];
  const fresh = adminUrl ? await createFreshDatabase(adminUrl) : undefined;
  const templatePath = '.tmp/pglite-template.tar';
  const template = !fresh && existsSync(templatePath) ? new Blob([readFileSync(templatePath)]) : undefined;
  const handle = await openDatabase<Database>({
    databaseUrl: fresh?.url,
    dataDir: '/nonexistent-test-data-dir',
    memory: !fresh,
    template,
  });
  await migrateToLatest(handle.db, migrations);
  return {
    handle,
    async close() {
      await handle.close();
      await fresh?.drop();
    },
  };
}
