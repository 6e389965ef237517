import { and, asc, count, eq, inArray, isNotNull, isNull, lt, type SQL, sql } from 'drizzle-orm';
import { changesOf, firstOf, type Plan, preparedChangesOf, rowsOf } from '../plan';
import { preparedPerStore } from '../prepared';
import type { Store, Tables } from '../store';
import { sumOf } from './costs';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres.

/** Ended runs whose output is still kept and ended before `finishedBefore`. */
const prunable = ({ executions }: Tables, finishedBefore: number) =>
  and(
    isNull(executions.outputPrunedAt),
    isNotNull(executions.finishedAt),
    lt(executions.finishedAt, finishedBefore),
  );

/** Ended runs whose log lines and steps retention still has to drop: the oldest end first (then by id). */
export function* listRunsToPrune({ db, t }: Store, finishedBefore: number, limit: number): Plan<number[]> {
  const rows = yield* rowsOf(
    db
      .select({ id: t.executions.id })
      .from(t.executions)
      .where(prunable(t, finishedBefore))
      .orderBy(asc(t.executions.finishedAt), asc(t.executions.id))
      .limit(limit),
  );
  return rows.map((row) => row.id);
}

type OutputTable = Tables['executionLogs'] | Tables['executionSteps'];

// SQLite's `delete … limit`, prepared once per connection: a batch runs ~1,000 times a 500,000-line
// run, and the plain range delete costs half what Postgres' form (below) costs there.
const sqliteBatches = preparedPerStore(({ db, t }: Store) => {
  const batchOf = (table: OutputTable) =>
    db
      .delete(table)
      .where(eq(table.executionId, sql.placeholder('executionId')))
      .orderBy(asc(table.seq))
      .limit(sql.placeholder('limit'))
      .prepare();
  return { logs: batchOf(t.executionLogs), steps: batchOf(t.executionSteps) };
});

/** Postgres has no `delete … limit`: the rows are named by their first `limit` sequence numbers. */
function postgresBatch({ db }: Store, table: OutputTable, executionId: number, limit: number) {
  const ofRun = eq(table.executionId, executionId);
  const first = db.select({ seq: table.seq }).from(table).where(ofRun).orderBy(asc(table.seq)).limit(limit);
  return changesOf(db.delete(table).where(and(ofRun, inArray(table.seq, first))));
}

/**
 * Drops up to `limit` of a run's log lines, oldest first, then (once none are left) of its steps:
 * each one statement, so a short transaction of its own.
 */
export function* deleteRunOutputBatch(store: Store, executionId: number, limit: number): Plan<number> {
  const { t } = store;
  if (store.dialect === 'postgres') {
    const logs = yield* postgresBatch(store, t.executionLogs, executionId, limit);
    return logs > 0 ? logs : yield* postgresBatch(store, t.executionSteps, executionId, limit);
  }
  const batches = sqliteBatches(store);
  const logs = yield* preparedChangesOf(batches.logs, { executionId, limit });
  return logs > 0 ? logs : yield* preparedChangesOf(batches.steps, { executionId, limit });
}

export function markOutputPruned({ db, t }: Store, executionId: number, at: number): Plan<number> {
  return changesOf(
    db.update(t.executions).set({ outputPrunedAt: at }).where(eq(t.executions.id, executionId)),
  );
}

/** Rows of output (log lines and steps: each takes one sequence number) of runs matching `where`. */
function* outputOf({ db, t }: Store, where: SQL | undefined): Plan<{ runs: number; rows: number }> {
  const row = yield* firstOf(
    db
      .select({ runs: count(), rows: sumOf(t.executions.lastSeq) })
      .from(t.executions)
      .where(where),
  );
  return row ?? { runs: 0, rows: 0 };
}

export interface OutputFigures {
  /** Runs whose full output is kept, and its rows (log lines and steps). */
  keptRuns: number;
  keptRows: number;
  /** Of those, the ones retention drops next (ended before the cutoff). */
  prunableRuns: number;
  prunableRows: number;
  /** Runs whose output retention has dropped already. */
  prunedRuns: number;
}

/** What retention keeps and frees, from the runs' sequence counters (no scan of the logs themselves). */
export function* getOutputFigures(store: Store, finishedBefore: number | null): Plan<OutputFigures> {
  const { executions } = store.t;
  const kept = yield* outputOf(store, isNull(executions.outputPrunedAt));
  const toPrune =
    finishedBefore === null
      ? { runs: 0, rows: 0 }
      : yield* outputOf(store, prunable(store.t, finishedBefore));
  const pruned = yield* outputOf(store, isNotNull(executions.outputPrunedAt));
  return {
    keptRuns: kept.runs,
    keptRows: kept.rows,
    prunableRuns: toPrune.runs,
    prunableRows: toPrune.rows,
    prunedRuns: pruned.runs,
  };
}

/** node-postgres' answer to a raw statement (drizzle's `execute` on a Postgres database). */
interface PostgresRows<Row> {
  rows: Row[];
}

/** Postgres: the database's size on disk (tables, indexes, TOAST), from `pg_database_size`. */
export async function getPostgresDatabaseBytes(store: Store): Promise<number> {
  // A statement without a table, which drizzle's query builder cannot make: on Postgres the store's
  // database is node-postgres' (store.ts), whose `execute` runs raw SQL.
  const postgres = store.db as unknown as { execute(query: SQL): Promise<PostgresRows<{ bytes: string }>> };
  const { rows } = await postgres.execute(sql`select pg_database_size(current_database()) as bytes`);
  return Number(rows[0]?.bytes ?? 0);
}
