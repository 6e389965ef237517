import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { env } from '../env';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema>;

export interface DbHandle {
  readonly path: string;
  readonly sqlite: Database.Database;
  readonly db: Db;
}

/** Opens (creating if needed) a SQLite file with the pragmas every connection needs. */
export function openDatabase(filePath: string): DbHandle {
  if (filePath !== ':memory:') fs.mkdirSync(path.dirname(filePath), { recursive: true });
  const sqlite = new Database(filePath);
  sqlite.pragma('journal_mode = WAL');
  // WAL + NORMAL survives a killed process; only an OS crash can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return { path: filePath, sqlite, db: drizzle(sqlite, { schema }) };
}

const globalForDb = globalThis as typeof globalThis & { __claudeopsDb?: DbHandle };

/**
 * The one connection of this process. server.ts opens it before Next loads; Next's compiled
 * routes are a separate module graph and find it on globalThis. Opened lazily so `next build`
 * never creates a database.
 */
export function getDbHandle(): DbHandle {
  globalForDb.__claudeopsDb ??= openDatabase(env().databasePath);
  return globalForDb.__claudeopsDb;
}

export function getDb(): Db {
  return getDbHandle().db;
}

export function closeDb(): void {
  const handle = globalForDb.__claudeopsDb;
  if (!handle) return;
  globalForDb.__claudeopsDb = undefined;
  handle.sqlite.close();
}
