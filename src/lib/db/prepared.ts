import type Database from 'better-sqlite3';
import type { Db, DbConnection } from './index';
import type { Store } from './store';

/** A query prepared once per connection (`.prepare()`, see prepared.ts), run with its placeholders' values. */
export interface PreparedQuery<Row> {
  all(values?: Record<string, unknown>): Row[];
  execute(values?: Record<string, unknown>): unknown;
}
/** A write prepared once per connection. */
export interface PreparedWrite {
  run(values?: Record<string, unknown>): { changes: number };
  execute(values?: Record<string, unknown>): unknown;
}

/** `make(arg)` once per key object (the arg itself, or `keyOf(arg)`), on first use; kept only as long as the key lives. */
function oncePer<A, T>(
  make: (arg: A) => T,
  keyOf: (arg: A) => object = (arg) => arg as object,
): (arg: A) => T {
  const made = new WeakMap<object, T>();
  return (arg) => {
    const key = keyOf(arg);
    let value = made.get(key);
    if (value === undefined) {
      value = make(arg);
      made.set(key, value);
    }
    return value;
  };
}

/**
 * A query prepared once per connection, on first use. Drizzle composes a query's SQL on every call
 * (about 80 µs here, twenty times what SQLite then needs to answer from an index); a prepared one
 * skips that. For the reads that run on every page load and on every usage event of a run.
 */
export function preparedPerConnection<T, D extends object = Db>(prepare: (db: D) => T): (db: D) => T {
  return oncePer(prepare);
}

/**
 * A better-sqlite3 statement prepared once per connection, for SQLite-only code on a hot path (a
 * scheduled run's insert, the cost tracker): there drizzle's per-call placeholder filling and
 * result mapping cost more than SQLite's own work (`npm run bench`: the scheduler tick's p50 from
 * 6.4 to 4.6 ms with 100 due). It joins whatever transaction is open on the connection. A
 * dialect-neutral query keeps such a statement for SQLite with `rawOnSqlite`.
 */
export function statementPerConnection<S>(
  prepare: (sqlite: Database.Database) => S,
): (db: DbConnection) => S {
  const onClient = oncePer(prepare);
  return (db) => onClient(db.$client);
}

/**
 * `preparedPerConnection` for the dialect-neutral queries: prepared once per connection (or
 * Postgres transaction) of the store, since a store is a new object at every call (store.ts).
 */
export function preparedPerStore<T>(prepare: (store: Store) => T): (store: Store) => T {
  return oncePer(prepare, (store) => store.db);
}

/**
 * A statement as a plan runs it on SQLite (plan.ts): its rows, or the rows it changed. A
 * better-sqlite3 statement is one (named parameters, `@name`, bound from the values; rows as the
 * SQL names their columns).
 */
interface SqliteForm<Row> {
  all(values: Record<string, unknown>): Row[];
  run(values: Record<string, unknown>): { changes: number };
}

/**
 * An insert read as `[{ id }]` of the row it wrote, or `[]` when it wrote none (`on conflict do
 * nothing`): the id from the rowid, as a RETURNING row costs SQLite three times the insert itself
 * (9 µs against 3 µs, measured on the firing insert).
 */
export function sqliteInsertedId(statement: Database.Statement): SqliteForm<{ id: number }> {
  return {
    all: (values) => {
      const { changes, lastInsertRowid } = statement.run(values);
      return changes === 0 ? [] : [{ id: Number(lastInsertRowid) }];
    },
    run: (values) => statement.run(values),
  };
}

/** The SQLite form's `execute`, which only Postgres' driver calls (plan.ts). */
function sqliteOnly(): never {
  throw new Error('a better-sqlite3 statement cannot run on Postgres');
}

/**
 * A statement for the scheduler tick's per-schedule work, run with `preparedRowsOf` /
 * `preparedChangesOf` on either dialect: on SQLite better-sqlite3's own statement, prepared once
 * per connection, since drizzle's placeholder filling and row mapping cost more there than
 * SQLite's work (bench: scheduler, docs/scaling.md); on Postgres drizzle's prepared query, once
 * per connection or transaction. The SQLite store must be a connection (a plan transaction's
 * store is one), not a drizzle transaction object, which has no client.
 */
export function rawOnSqlite<Row>(
  sqlite: (client: Database.Database) => SqliteForm<Row>,
  postgres: (store: Store) => object,
): (store: Store) => PreparedQuery<Row> & PreparedWrite {
  const onClient = oncePer((client: Database.Database) => {
    const form = sqlite(client);
    return {
      all: (values?: Record<string, unknown>) => form.all(values ?? {}),
      run: (values?: Record<string, unknown>) => form.run(values ?? {}),
      execute: sqliteOnly,
    };
  });
  // Drizzle's prepared query: `execute(values)` is all Postgres' driver calls (plan.ts).
  const onPostgres = oncePer(postgres, (store) => store.db) as (
    store: Store,
  ) => PreparedQuery<Row> & PreparedWrite;
  return (store) => {
    if (store.dialect === 'postgres') return onPostgres(store);
    const client = (store.db as Partial<DbConnection>).$client;
    if (!client) throw new Error('a raw SQLite statement needs the connection, not a drizzle transaction');
    return onClient(client);
  };
}

/**
 * A better-sqlite3 statement (`statementPerConnection`) as a plan's prepared write, for the writes
 * too hot for drizzle's per-call work: the same plan yields it on SQLite and a drizzle prepared
 * statement in its place on Postgres. It binds named parameters (`@name`) from the values.
 */
export function sqliteWrite(statement: Database.Statement): {
  run(values: Record<string, unknown>): Database.RunResult;
  execute(): never;
} {
  return {
    run: (values) => statement.run(values),
    execute: sqliteOnly,
  };
}
