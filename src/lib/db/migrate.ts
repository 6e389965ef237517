import path from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { DbHandle } from './index';

export const MIGRATIONS_FOLDER = path.join(import.meta.dirname, 'migrations');

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Applies the committed drizzle-kit migrations; a failure names the file and stops the start. */
export function applyMigrations(handle: DbHandle): void {
  try {
    migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (error) {
    // drizzle wraps the SQLite error in one that quotes the whole statement; the cause is what helps.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new MigrationError(
      `Database migration failed for ${handle.path}: ${reason}\n` +
        'No migration was applied (they run in one transaction). Fix the cause, or restore a backup, and start again.',
    );
  }
}
