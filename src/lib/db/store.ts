import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { globalSlot } from '../core/singleton';
import type { DbExecutor } from './executor';
import { getDb } from './index';
import * as sqliteTables from './schema';
import * as postgresTables from './schema-pg';

/** The stores ClaudeOps speaks: the embedded SQLite file (the default), or Postgres (docs/scaling.md). */
export type Dialect = 'sqlite' | 'postgres';

/** Every table, under its SQLite export name: what the dialect-neutral queries read `store.t` as. */
export type Tables = typeof sqliteTables;

/**
 * What a dialect-neutral query runs on: one drizzle database and its tables. Both are typed as the
 * SQLite ones; on Postgres they are schema-pg's tables, which carry the same names and row types
 * (tests/unit/schemaParity.test.ts holds the two together), and a node-postgres database.
 *
 * A query written on a Store uses only what both drivers do: it awaits a query builder (never
 * `.all()`, `.get()` or `.run()`, which exist on SQLite alone), and asks `store.dialect` where the
 * SQL itself differs. Its tests run on both dialects (tests/dialects), which is what catches a
 * SQLite-only call: the types cannot.
 */
export interface Store {
  readonly dialect: Dialect;
  readonly db: DbExecutor;
  readonly t: Tables;
}

/**
 * A SQLite connection, or a transaction on one, as a store. A new object each call: a transaction
 * is a new object each time, and caching its store in a WeakMap cost ~20 µs a transaction (the
 * insert and its collection), where the object costs nothing measurable (bench: notifications).
 */
export function sqliteStore(db: DbExecutor): Store {
  return { dialect: 'sqlite', db, t: sqliteTables };
}

export function postgresStore(db: NodePgDatabase<typeof postgresTables>): Store {
  // The one place the two dialects meet: same names, same row types, different builders underneath.
  return { dialect: 'postgres', db: db as unknown as DbExecutor, t: postgresTables as unknown as Tables };
}

const installedPostgres = globalSlot<Store>('postgresStore');

/** Makes Postgres the process's store (DATABASE_URL): server.ts opens and migrates it before anything listens. */
export function installPostgresStore(store: Store | undefined): void {
  installedPostgres.set(store);
}

/** The process's store: Postgres when server.ts opened it (DATABASE_URL), otherwise the SQLite file (see getDb). */
export function getStore(): Store {
  return installedPostgres.get() ?? sqliteStore(getDb());
}
