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

/** Opens (creating if needed) a SQLite file with the pragmas every connection needs. */
export function openDatabase(filePath: string): DbHandle {
  if (filePath !== ':memory:') fs.mkdirSync(path.dirname(filePath), { recursive: true });
  const sqlite = new Database(filePath);
  // Before anything writes the first page: a new file starts in incremental-vacuum mode, so pruned
  // metrics history can be handed back to the file system (an older file is converted once, see autoVacuum.ts).
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  sqlite.pragma('journal_mode = WAL');
  // WAL + NORMAL survives a killed process; only an OS crash can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return { path: filePath, sqlite, db: drizzle(sqlite, { schema }) };
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

export function getDb(): Db {
  return getDbHandle().db;
}

export function closeDb(): void {
  const handle = installed.get();
  if (!handle) return;
  installed.set(undefined);
  handle.sqlite.close();
}
