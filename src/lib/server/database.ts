import type { AppEnv } from '../config/env';
import type { Logger } from '../core/logger';
import { closeDb, type DbHandle, installDb, openDatabase } from '../db';
import { ensureIncrementalAutoVacuum } from '../db/autoVacuum';
import { type Checkpointer, startCheckpointer } from '../db/checkpointer';
import { applyMigrations } from '../db/migrate';
import { execute } from '../db/plan';
import { openPostgres } from '../db/postgres';
import { readAppSettings } from '../db/queries/settings';
import { installPostgresStore, type Store, sqliteStore } from '../db/store';
import { acquireInstanceLock } from './instanceLock';

/** The store the server runs on, opened and migrated (the SQLite file locked to this server). */
export interface ServerDatabase {
  readonly store: Store;
  /** The SQLite file, when that is the store (its own maintenance: checkpoints, backups, the storage probe). */
  readonly sqlite: DbHandle | undefined;
  /** Closes it (after the backend stopped writing) and lets the lock go. */
  close(): Promise<void>;
}

/**
 * Opens the server's store: Postgres when DATABASE_URL is set, otherwise the SQLite file in the
 * data directory (created on first start). Either is migrated before anything listens; the SQLite
 * file is held by this server alone (see instanceLock.ts), Postgres is shared by every process. Settings stored in a form this version cannot use are
 * named, with the default used instead.
 */
export async function openServerDatabase(env: AppEnv, logger: Logger): Promise<ServerDatabase> {
  const database = env.databaseUrl
    ? await openPostgresDatabase(env.databaseUrl, logger)
    : openSqliteDatabase(env, logger);
  for (const { field, stored, used, problem } of (
    await execute(database.store, readAppSettings(database.store))
  ).fallbacks) {
    logger.warn(
      { field, stored, used },
      `setting ${field} is stored as ${stored}, which cannot be used (${problem}): its default ${used} is used until it is saved again (Settings page)`,
    );
  }
  return database;
}

async function openPostgresDatabase(url: string, logger: Logger): Promise<ServerDatabase> {
  const opened = await openPostgres(url, {
    onIdleClientError: (err) =>
      logger.warn({ err }, 'a Postgres connection was lost; the next query connects again'),
  });
  // Not locked to this process: web nodes and worker hosts share it (docs/scaling.md).
  installPostgresStore(opened.store);
  logger.info({ postgres: opened.where }, 'storing in Postgres (DATABASE_URL)');
  return {
    store: opened.store,
    sqlite: undefined,
    async close() {
      installPostgresStore(undefined);
      await opened.close();
    },
  };
}

function openSqliteDatabase(env: AppEnv, logger: Logger): ServerDatabase {
  const releaseLock = acquireInstanceLock(env.databasePath);
  process.once('exit', releaseLock);
  const handle = openDatabase(env.databasePath);
  installDb(handle);
  if (ensureIncrementalAutoVacuum(handle.db) === 'converted') {
    logger.info(
      'database converted to incremental vacuum (a one-time VACUUM), so pruned history frees space',
    );
  }
  applyMigrations(handle);
  const checkpointer: Checkpointer = startCheckpointer(handle, {
    onError: (message) => logger.warn({ message }, 'WAL checkpointer'),
  });
  return {
    store: sqliteStore(handle.db),
    sqlite: handle,
    async close() {
      await checkpointer.stop();
      closeDb();
      releaseLock();
    },
  };
}
