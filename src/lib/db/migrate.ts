import fs from 'node:fs';
import path from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { DbHandle } from './index';

export const MIGRATIONS_FOLDER = path.join(import.meta.dirname, 'migrations');

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** The migration (its file's name) holding the statement a failed `migrate` quotes; null when unknown. */
function failingMigration(error: unknown): string | null {
  const statement =
    error instanceof Error ? /^Failed to run the query '([\s\S]*)'$/.exec(error.message)?.[1] : undefined;
  if (statement === undefined) return null;
  const journal = JSON.parse(
    fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'),
  ) as {
    entries: { tag: string }[];
  };
  const index = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).findIndex((migration) =>
    migration.sql.some((sql) => sql.trim() === statement.trim()),
  );
  const tag = journal.entries[index]?.tag;
  return tag ? `migrations/${tag}.sql` : null;
}

/**
 * Applies the committed drizzle-kit migrations; a failure names the file and stops the start.
 *
 * Foreign keys are off while they run: drizzle-kit rebuilds a table (copy, DROP, rename) between
 * `PRAGMA foreign_keys=OFF` and `ON`, but the migrator runs every file in one transaction, where
 * that pragma does nothing, so the DROP would cascade to the rows that point at the table (a
 * schedule's firings deleted, its runs unlinked). The pragma works only outside a transaction:
 * here. The keys are checked once the files are applied.
 */
export function applyMigrations(handle: DbHandle): void {
  handle.sqlite.pragma('foreign_keys = OFF');
  try {
    migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (error) {
    // drizzle wraps the SQLite error in one that quotes the whole statement; the cause is what helps.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const code = (cause as { code?: unknown }).code;
    const migration = failingMigration(error);
    throw new MigrationError(
      `Database migration failed for ${handle.path}${migration ? ` in ${migration}` : ''}: ${reason}${typeof code === 'string' ? ` (${code})` : ''}\n` +
        'No migration was applied (they run in one transaction). Fix the cause, or restore a backup (docs/operations.md), and start again.',
    );
  } finally {
    handle.sqlite.pragma('foreign_keys = ON');
  }
  const broken = handle.sqlite.pragma('foreign_key_check') as { table: string; parent: string }[];
  const [first] = broken;
  if (first) {
    throw new MigrationError(
      `Database migrations left ${broken.length} row(s) pointing at missing rows in ${handle.path} (first: ${first.table} → ${first.parent}). Restore a backup and report this.`,
    );
  }
}
