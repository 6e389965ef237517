import { and, count, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { DbConnection } from '../index';
import { statementPerConnection } from '../prepared';
import { executions } from '../schema';

/** Ended runs whose log lines and steps retention still has to drop: the oldest end first. */
export function listRunsToPrune(db: DbConnection, finishedBefore: number, limit: number): number[] {
  return db
    .select({ id: executions.id })
    .from(executions)
    .where(
      and(
        isNull(executions.outputPrunedAt),
        isNotNull(executions.finishedAt),
        lt(executions.finishedAt, finishedBefore),
      ),
    )
    .orderBy(executions.finishedAt)
    .limit(limit)
    .all()
    .map((row) => row.id);
}

const deleteLogs = statementPerConnection((sqlite) =>
  sqlite.prepare('delete from execution_logs where execution_id = ? limit ?'),
);
const deleteSteps = statementPerConnection((sqlite) =>
  sqlite.prepare('delete from execution_steps where execution_id = ? limit ?'),
);

/** Drops up to `limit` of a run's log lines, then (once none are left) of its steps: one short transaction. */
export function deleteRunOutputBatch(db: DbConnection, executionId: number, limit: number): number {
  const logs = deleteLogs(db).run(executionId, limit).changes;
  return logs > 0 ? logs : deleteSteps(db).run(executionId, limit).changes;
}

export function markOutputPruned(db: DbConnection, executionId: number, at: number): void {
  db.update(executions).set({ outputPrunedAt: at }).where(sql`${executions.id} = ${executionId}`).run();
}

/** Rows of output (log lines and steps: each takes one sequence number) of runs matching `where`. */
function outputOf(db: DbConnection, where: ReturnType<typeof and>) {
  return (
    db
      .select({ runs: count(), rows: sql<number>`coalesce(sum(${executions.lastSeq}), 0)` })
      .from(executions)
      .where(where)
      .get() ?? { runs: 0, rows: 0 }
  );
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
export function getOutputFigures(db: DbConnection, finishedBefore: number | null): OutputFigures {
  const kept = outputOf(db, isNull(executions.outputPrunedAt));
  const prunable =
    finishedBefore === null
      ? { runs: 0, rows: 0 }
      : outputOf(
          db,
          and(
            isNull(executions.outputPrunedAt),
            isNotNull(executions.finishedAt),
            lt(executions.finishedAt, finishedBefore),
          ),
        );
  const pruned = outputOf(db, isNotNull(executions.outputPrunedAt));
  return {
    keptRuns: kept.runs,
    keptRows: kept.rows,
    prunableRuns: prunable.runs,
    prunableRows: prunable.rows,
    prunedRuns: pruned.runs,
  };
}
