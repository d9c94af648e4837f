import { mkdirSync, writeFileSync } from 'node:fs';
import { dumpPGliteTemplate } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { migrations } from '../../src/app/database.js';

export const TEMPLATE_PATH = '.tmp/pglite-template.tar';

/** initdb takes seconds; do it once per test run and let every embedded test server load the result. */
export default async function setup(): Promise<void> {
  if (process.env['DATABASE_URL']) return;
  const dump = await dumpPGliteTemplate(async ({ db }) => {
    await migrateToLatest(db, migrations);
  });
  mkdirSync('.tmp', { recursive: true });
  writeFileSync(TEMPLATE_PATH, dump);
}
