import type Database from 'better-sqlite3';
import type { Db, DbConnection } from './index';
import type { Store } from './store';

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
 * A better-sqlite3 statement prepared once per connection, for the writes a scheduler tick makes
 * once per due schedule: there drizzle's per-call placeholder filling and result mapping cost more
 * than SQLite's own work (`npm run bench`: the tick's p50 from 6.4 to 4.6 ms with 100 due). It
 * joins whatever transaction is open on the connection.
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
    execute: () => {
      throw new Error('a SQLite statement cannot run on Postgres');
    },
  };
}
