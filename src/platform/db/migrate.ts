import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * Migrations are TypeScript values registered in order by the composition root (each module
 * contributes its own), so they ship inside the build with no file-system lookup.
 */
export interface NamedMigration {
  name: string;
  migration: Migration;
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: readonly NamedMigration[]) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(this.migrations.map((m) => [m.name, m.migration]));
  }
}

export async function migrateToLatest<DB>(db: Kysely<DB>, migrations: readonly NamedMigration[]): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(migrations) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
