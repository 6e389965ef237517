import { type AnyColumn, and, eq, sql } from 'drizzle-orm';
import type { ModelCostRecord } from '../../contracts/costs';
import type { DenialDto, ExecutionStatus, RunWarning } from '../../contracts/executions';
import type { Db } from '../index';
import { preparedPerConnection } from '../prepared';
import {
  costTracking,
  dailyCostSummaries,
  executionAttempts,
  executions,
  monthlyCostSummaries,
} from '../schema';
import type { NewExecutionAttempt, TokenTotals } from './executions';

/** UTC calendar month, the unit budgets and summaries use: '2026-11'. */
export function monthKey(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 7);
}

/** UTC day of the daily summaries: '2026-11-25'. */
export function dayKey(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** What a model's row held before this write; none for a model new to the execution. */
export type PreviousCosts = ReadonlyMap<string, ModelCostRecord>;

function costDelta(row: ModelCostRecord, before: ModelCostRecord | undefined) {
  return {
    inputTokens: row.inputTokens - (before?.inputTokens ?? 0),
    outputTokens: row.outputTokens - (before?.outputTokens ?? 0),
    cacheCreationTokens:
      row.cacheCreation5mTokens +
      row.cacheCreation1hTokens -
      (before ? before.cacheCreation5mTokens + before.cacheCreation1hTokens : 0),
    cacheReadTokens: row.cacheReadTokens - (before?.cacheReadTokens ?? 0),
    costMicros: row.costMicros - (before?.costMicros ?? 0),
  };
}

/**
 * Writes an execution's per-model figures (absolute, so a retried write is harmless) and moves
 * the monthly and daily summaries by the difference from `previous`, which the caller keeps from
 * its last write rather than reading it back. Spend belongs to the month and day the execution
 * was created, so the same rule rebuilds the summaries.
 */
function writeModelCosts(
  tx: Tx,
  execution: CostedExecution,
  rows: readonly ModelCostRecord[],
  previous: PreviousCosts,
  now: number,
): void {
  const month = monthKey(execution.createdAt);
  const day = dayKey(execution.createdAt);
  for (const row of rows) {
    const before = previous.get(row.model);
    tx.insert(costTracking)
      .values({
        executionId: execution.id,
        agentId: execution.agentId,
        ...row,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: [costTracking.executionId, costTracking.model],
        set: { ...row, updatedAt: now },
      })
      .run();
    const counted = before ? 0 : 1;
    const delta = costDelta(row, before);
    const m = monthlyCostSummaries;
    tx.insert(m)
      .values({
        month,
        agentId: execution.agentId,
        model: row.model,
        executionCount: counted,
        ...delta,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: [m.month, m.agentId, m.model],
        set: {
          executionCount: sql`${m.executionCount} + ${counted}`,
          inputTokens: sql`${m.inputTokens} + ${delta.inputTokens}`,
          outputTokens: sql`${m.outputTokens} + ${delta.outputTokens}`,
          cacheCreationTokens: sql`${m.cacheCreationTokens} + ${delta.cacheCreationTokens}`,
          cacheReadTokens: sql`${m.cacheReadTokens} + ${delta.cacheReadTokens}`,
          costMicros: sql`${m.costMicros} + ${delta.costMicros}`,
          updatedAt: now,
        },
      })
      .run();
    const d = dailyCostSummaries;
    tx.insert(d)
      .values({
        day,
        agentId: execution.agentId,
        model: row.model,
        executionCount: counted,
        costMicros: delta.costMicros,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: [d.day, d.agentId, d.model],
        set: {
          executionCount: sql`${d.executionCount} + ${counted}`,
          costMicros: sql`${d.costMicros} + ${delta.costMicros}`,
          updatedAt: now,
        },
      })
      .run();
  }
  const sum = (pick: (row: ModelCostRecord) => number) => rows.reduce((total, row) => total + pick(row), 0);
  tx.update(executions)
    .set({ costMicros: sum((r) => r.costMicros), reportedCostMicros: sum((r) => r.reportedCostMicros) })
    .where(eq(executions.id, execution.id))
    .run();
}

export interface CostedExecution {
  id: number;
  agentId: number;
  createdAt: number;
}

/** Live spend of a running execution: cost rows, the execution's cost and the summaries, in one transaction. */
export function recordExecutionCosts(
  db: Db,
  execution: CostedExecution,
  rows: readonly ModelCostRecord[],
  previous: PreviousCosts = new Map(),
): void {
  db.transaction((tx) => writeModelCosts(tx, execution, rows, previous, Date.now()));
}

export interface ExecutionOutcome {
  status: ExecutionStatus;
  finishedAt: number;
  /** Null for a run that never started. */
  durationMs: number | null;
  numTurns: number;
  totals: TokenTotals;
  resultText: string | null;
  structuredOutput: unknown;
  apiRetryCount: number;
  errorCode: string | null;
  errorMessage: string | null;
  deniedToolCalls: number;
  denials: DenialDto[];
  warnings: RunWarning[];
}

export interface OutcomeWrite {
  execution: CostedExecution;
  outcome: ExecutionOutcome;
  /** The reconciled per-model figures, and what the live writes last stored for each model. */
  rows: readonly ModelCostRecord[];
  previous: PreviousCosts;
  lastAttempt: NewExecutionAttempt | null;
}

/**
 * Ends an execution: its final row, its last attempt, its cost rows and the summaries move
 * together in one transaction, so the dashboard's figures never disagree with the raw rows.
 * `alsoInTransaction` writes what must commit with the ending (e.g. a notification's outbox row).
 */
export function recordExecutionOutcome(db: Db, write: OutcomeWrite, alsoInTransaction?: () => void): void {
  const { execution, outcome, rows, previous, lastAttempt } = write;
  db.transaction((tx) => {
    if (lastAttempt) tx.insert(executionAttempts).values(lastAttempt).run();
    const { totals, ...rest } = outcome;
    tx.update(executions)
      .set({ ...rest, ...totals, nextAttemptAt: null })
      .where(eq(executions.id, execution.id))
      .run();
    writeModelCosts(tx, execution, rows, previous, outcome.finishedAt);
    alsoInTransaction?.();
  });
}

/** SUM that reads 0, not null, over no rows. */
export const sumOf = (column: AnyColumn) => sql<number>`coalesce(sum(${column}), 0)`;

const monthSpend = preparedPerConnection((db) =>
  db
    .select({ total: sumOf(monthlyCostSummaries.costMicros) })
    .from(monthlyCostSummaries)
    .where(eq(monthlyCostSummaries.month, sql.placeholder('month')))
    .prepare(),
);

const agentMonthSpend = preparedPerConnection((db) =>
  db
    .select({ total: sumOf(monthlyCostSummaries.costMicros) })
    .from(monthlyCostSummaries)
    .where(
      and(
        eq(monthlyCostSummaries.month, sql.placeholder('month')),
        eq(monthlyCostSummaries.agentId, sql.placeholder('agentId')),
      ),
    )
    .prepare(),
);

/** Spend of a UTC month in micro-dollars, for one agent or all, read from the summaries rather than raw rows. */
export function getMonthSpendMicros(db: Db, month: string, agentId?: number): number {
  const row =
    agentId === undefined ? monthSpend(db).get({ month }) : agentMonthSpend(db).get({ month, agentId });
  return row?.total ?? 0;
}
