import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { unavailable } from '../core/errors';
import { globalSlot } from '../core/singleton';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema>;

/**
 * The connection itself, not a transaction object: statements prepared on its client (see
 * statementPerConnection) join whatever transaction is open on it.
 */
export type DbConnection = Db & { $client: Database.Database };

export interface DbHandle {
  readonly path: string;
  readonly sqlite: Database.Database;
  readonly db: DbConnection;
}

export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

/** Why a database file could not be opened, naming it, and what to do. */
function openFailure(filePath: string, error: unknown): DatabaseOpenError {
  const code = (error as { code?: unknown }).code;
  const reason = error instanceof Error ? error.message : String(error);
  const user = `the server's user (uid ${process.getuid?.() ?? '?'})`;
  const fix =
    code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT'
      ? 'It is not a SQLite database, or it is damaged: restore a backup (docs/operations.md), or move it away to start with an empty one.'
      : `Check that ${path.dirname(filePath)} exists and is writable by ${user}, and that ${path.basename(filePath)} is a file, or set DATABASE_PATH (or CLAUDEOPS_DATA_DIR) elsewhere.`;
  return new DatabaseOpenError(
    `Cannot open the database ${filePath}: ${reason}${typeof code === 'string' ? ` (${code})` : ''}. ${fix}`,
    { cause: error },
  );
}

/** Opens (creating if needed) a SQLite file with the pragmas every connection needs; a failure names the file. */
export function openDatabase(filePath: string): DbHandle {
  let sqlite: Database.Database | undefined;
  try {
    if (filePath !== ':memory:') fs.mkdirSync(path.dirname(filePath), { recursive: true });
    sqlite = new Database(filePath);
    applyPragmas(sqlite);
  } catch (error) {
    sqlite?.close();
    throw openFailure(filePath, error);
  }
  return { path: filePath, sqlite, db: drizzle(sqlite, { schema }) };
}

function applyPragmas(sqlite: Database.Database): void {
  // Before anything writes the first page: a new file starts in incremental-vacuum mode, so pruned
  // metrics history can be handed back to the file system (an older file is converted once, see autoVacuum.ts).
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  sqlite.pragma('journal_mode = WAL');
  // WAL + NORMAL survives a killed process; only an OS crash can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
}

/**
 * A second connection that can only read: SQLite refuses every write on it (`readonly`), and
 * `query_only` says so again. For code that must not be able to change anything (the health
 * reporter's tools).
 */
export function openReadOnlyDatabase(filePath: string): DbHandle {
  const sqlite = new Database(filePath, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('query_only = ON');
  return { path: filePath, sqlite, db: drizzle(sqlite, { schema }) };
}

const installed = globalSlot<DbHandle>('db');

/**
 * Makes a migrated connection the process's database. server.ts opens and migrates it before
 * anything listens; Next's compiled routes, a separate module graph, find it here.
 */
export function installDb(handle: DbHandle): void {
  installed.set(handle);
}

/**
 * The process's database. Never opened here: a route running without server.ts (or before its
 * migrations ran) answers 503 instead of creating or reading an unmigrated file.
 */
export function getDbHandle(): DbHandle {
  const handle = installed.get();
  if (!handle) throw unavailable('The database is not open; start ClaudeOps with npm start');
  return handle;
}

export function getDb(): DbConnection {
  return getDbHandle().db;
}

export function closeDb(): void {
  const handle = installed.get();
  if (!handle) return;
  installed.set(undefined);
  handle.sqlite.close();
}
