import type { RunResult } from 'better-sqlite3';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from './schema';

/**
 * The database or a transaction on it. Functions that producers call inside their own transaction
 * take this, so the write commits (or rolls back) with the state change that caused it.
 */
export type DbExecutor = BaseSQLiteDatabase<'sync', RunResult, typeof schema>;
