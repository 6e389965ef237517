import type Database from 'better-sqlite3';
import { DrizzleQueryError, type SQL, sql } from 'drizzle-orm';
import type { DbExecutor } from './executor';
import type { DbConnection } from './index';
import { type PreparedQuery, type PreparedWrite, preparedPerConnection } from './prepared';
import { type Store, sqliteStore } from './store';

/**
 * A dialect-neutral query or transaction body, written once as a generator: it yields each
 * statement and is handed back its result (`const rows = yield* rowsOf(query)`). Plans compose
 * with `yield*`, so a transaction is made of the same functions the rest of the code calls.
 *
 * Why generators: better-sqlite3 is synchronous and its transactions cannot await (a promise
 * between two statements would let other code's statements into the open transaction). Run on
 * SQLite, a plan's statements execute as they are yielded, with nothing in between, exactly as the
 * synchronous code did; run on Postgres, each is awaited on the transaction's own client. Code
 * that is still synchronous calls a plan on SQLite with `runOnSqlite`.
 */
export type Plan<T> = Generator<Statement, T, unknown>;

// Drizzle queries built on a Store's database (typed as SQLite's; see store.ts).
/** A select, or a write with `returning()`. */
interface RowsQuery<Row> extends PromiseLike<unknown> {
  all(): Row[];
}
/** An insert, update or delete. */
interface WriteQuery extends PromiseLike<unknown> {
  run(): { changes: number };
}

type Statement =
  | { kind: 'rows'; query: RowsQuery<unknown> }
  | { kind: 'preparedRows'; query: PreparedQuery<unknown>; values: Record<string, unknown> }
  /** A write: how many rows it changed. */
  | { kind: 'changes'; query: WriteQuery }
  | { kind: 'preparedChanges'; query: PreparedWrite; values: Record<string, unknown> }
  /** Raw SQL, run as a write on the store it names. */
  | { kind: 'sql'; store: Store; query: SQL };

/** The rows a select (or a write's `returning()`) gives. */
export function* rowsOf<Row>(query: RowsQuery<Row>): Plan<Row[]> {
  return (yield { kind: 'rows', query }) as Row[];
}

/** The first row a select gives, or undefined. */
export function* firstOf<Row>(query: RowsQuery<Row>): Plan<Row | undefined> {
  const rows = yield* rowsOf(query);
  return rows[0];
}

/**
 * The rows a prepared query gives for its placeholders' values: for the reads that run on every
 * page load or usage event, where composing the SQL again would cost more than running it.
 */
export function* preparedRowsOf<Row>(
  query: PreparedQuery<Row>,
  values: Record<string, unknown>,
): Plan<Row[]> {
  return (yield { kind: 'preparedRows', query, values }) as Row[];
}

/** Runs a prepared insert, update or delete for its placeholders' values: how many rows it changed. */
export function* preparedChangesOf(query: PreparedWrite, values: Record<string, unknown>): Plan<number> {
  return (yield { kind: 'preparedChanges', query, values }) as number;
}

/** Runs an insert, update or delete without `returning()`: how many rows it changed. */
export function* changesOf(query: WriteQuery): Plan<number> {
  return (yield { kind: 'changes', query }) as number;
}

/** Runs raw SQL on `store` as a write (a lock, a savepoint): how many rows it changed. */
export function* sqlChangesOf(store: Store, query: SQL): Plan<number> {
  return (yield { kind: 'sql', store, query }) as number;
}

/** Postgres' database, which the Store's SQLite-typed one is at run time there (see store.ts). */
interface PostgresExecutor {
  execute(query: SQL): Promise<unknown>;
}

function executeOnSqlite(statement: Statement): unknown {
  switch (statement.kind) {
    case 'rows':
      return statement.query.all();
    case 'preparedRows':
      return statement.query.all(statement.values);
    case 'changes':
      return statement.query.run().changes;
    case 'preparedChanges':
      return statement.query.run(statement.values).changes;
    case 'sql':
      return statement.store.db.run(statement.query).changes;
  }
}

/** node-postgres' answer to a write without `returning()`. */
interface PostgresWriteResult {
  rowCount: number | null;
}

async function executeOnPostgres(statement: Statement): Promise<unknown> {
  let result: unknown;
  try {
    result = await pendingOnPostgres(statement);
  } catch (error) {
    // drizzle wraps the server's error in one quoting the statement and its parameters; the
    // server's own (its message, its SQLSTATE `code`) is what callers handle, as on SQLite.
    throw error instanceof DrizzleQueryError && error.cause ? error.cause : error;
  }
  const changes = statement.kind !== 'rows' && statement.kind !== 'preparedRows';
  return changes ? ((result as PostgresWriteResult).rowCount ?? 0) : result;
}

function pendingOnPostgres(statement: Statement): unknown {
  if (statement.kind === 'sql')
    return (statement.store.db as unknown as PostgresExecutor).execute(statement.query);
  return 'values' in statement ? statement.query.execute(statement.values) : statement.query;
}

/**
 * Drives a plan: each statement it yields is executed and its result handed back; a failing
 * statement is thrown into the plan (its own try/finally runs) and out of here.
 */
function drive<T>(plan: Plan<T>, execute: (statement: Statement) => unknown): T {
  let step = plan.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = execute(step.value);
    } catch (error) {
      step = plan.throw(error);
      continue;
    }
    step = plan.next(result);
  }
  return step.value;
}

async function driveAsync<T>(plan: Plan<T>, execute: (statement: Statement) => Promise<unknown>): Promise<T> {
  let step = plan.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = await execute(step.value);
    } catch (error) {
      step = plan.throw(error);
      continue;
    }
    step = plan.next(result);
  }
  return step.value;
}

/**
 * A plan on SQLite, synchronously, inside whatever transaction is open on the connection: for code
 * that is not async yet (the engine's transactions). The plan must have been made on a SQLite store.
 */
export function runOnSqlite<T>(plan: Plan<T>): T {
  return drive(plan, executeOnSqlite);
}

/** `make`'s plan on a SQLite connection or transaction, synchronously: `runOnSqlite` for a caller holding a `db`. */
export function onSqlite<T>(db: DbExecutor, make: (store: Store) => Plan<T>): T {
  return runOnSqlite(make(sqliteStore(db)));
}

/** A plan on its store, statement by statement, outside any transaction (one statement, or reads). */
export function execute<T>(store: Store, plan: Plan<T>): Promise<T> {
  if (store.dialect === 'postgres') return driveAsync(plan, executeOnPostgres);
  try {
    return Promise.resolve(runOnSqlite(plan));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * `body` in one transaction: every statement commits together, or none does when it throws. On
 * SQLite it runs synchronously inside an immediate transaction (taking the write lock first, so
 * it cannot fail half-way for a busy file); on Postgres on one client of the pool, in a transaction
 * at the default isolation (read committed). A plan that catches a failed statement must not
 * go on writing in the transaction: Postgres refuses every statement after a failure until it ends.
 */
export function transaction<T>(store: Store, body: (tx: Store) => Plan<T>): Promise<T> {
  if (store.dialect === 'postgres') {
    return store.db.transaction(
      // The postgres database's transaction is async; it is typed as SQLite's here (see store.ts).
      (async (txDb: Store['db']) =>
        driveAsync(body({ ...store, db: txDb }), executeOnPostgres)) as unknown as (txDb: Store['db']) => T,
    ) as unknown as Promise<T>;
  }
  try {
    return Promise.resolve(sqliteTransaction(store, body));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The body gets the store itself: statements on the connection join the transaction open on it,
 * and what the store prepared once (prepared.ts) stays prepared.
 */
function sqliteTransaction<T>(store: Store, body: (tx: Store) => Plan<T>): T {
  const run = () => runOnSqlite(body(store));
  const client = (store.db as Partial<DbConnection>).$client;
  // A drizzle transaction object (a caller's `db.transaction`) has no client: drizzle nests it.
  return client
    ? (transactionOf(client).immediate(run) as T)
    : store.db.transaction(run, { behavior: 'immediate' });
}

/**
 * better-sqlite3's own transaction, made once per connection, running what it is handed (nested:
 * a savepoint). Drizzle's builds a database object with a query builder per table on every call,
 * which the plan never uses: ~50 µs of a usage event's ~80 µs write (docs/scaling.md).
 */
const transactionOf = preparedPerConnection((client: Database.Database) =>
  client.transaction(<T>(run: () => T): T => run()),
);

/** `body` in one SQLite transaction, synchronously: `transaction` for code that is not async yet. */
export function transactionOnSqlite<T>(db: DbExecutor, body: (tx: Store) => Plan<T>): T {
  return sqliteTransaction(sqliteStore(db), body);
}

let savepoints = 0;

/**
 * `body` inside the open transaction, undone alone when it throws (a savepoint): the transaction
 * goes on without its writes, and the error goes on to the caller. On Postgres this is also what
 * lets a transaction go on after a failed statement, which otherwise spoils the rest of it.
 */
export function* savepoint<T>(tx: Store, body: () => Plan<T>): Plan<T> {
  const name = `claudeops_${++savepoints}`;
  yield* sqlChangesOf(tx, sql.raw(`savepoint ${name}`));
  let result: T;
  try {
    result = yield* body();
  } catch (error) {
    yield* sqlChangesOf(tx, sql.raw(`rollback to savepoint ${name}`));
    yield* sqlChangesOf(tx, sql.raw(`release savepoint ${name}`));
    throw error;
  }
  yield* sqlChangesOf(tx, sql.raw(`release savepoint ${name}`));
  return result;
}
