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
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(
      `Database migration failed for ${handle.path}: ${reason}\n` +
        'The database was left as it was. Fix the cause (or restore a backup) and start again.',
    );
  }
}
