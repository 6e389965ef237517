import { type AnyColumn, and, eq, sql } from 'drizzle-orm';
import type { ModelCostRecord } from '../../contracts/costs';
import type { DenialDto, ExecutionStatus, RunWarning } from '../../contracts/executions';
import type { Db, DbConnection } from '../index';
import { onSqlite, type Plan, preparedRowsOf } from '../plan';
import { preparedPerStore, statementPerConnection } from '../prepared';
import { executionAttempts, executions, type HandedBack } from '../schema';
import type { Store } from '../store';
import type { ExecutionProgress, NewExecutionAttempt, TokenTotals } from './executions';

/** UTC calendar month, the unit budgets and summaries use: '2026-11'. */
export function monthKey(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 7);
}

/** UTC day of the daily summaries: '2026-11-25'. */
export function dayKey(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

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

// Run on every usage event of every running run: prepared once per connection, as drizzle would
// compose (and SQLite prepare) four statements per model on every event.
const costStatements = statementPerConnection((sqlite) => ({
  upsertCost: sqlite.prepare(
    `insert into cost_tracking (execution_id, agent_id, model, input_tokens, output_tokens,
       cache_creation_5m_tokens, cache_creation_1h_tokens, cache_read_tokens, cost_micros, reported_cost_micros,
       cost_source, usage_source, unpriced, cost_mismatch, response_count, created_at, updated_at)
     values (@executionId, @agentId, @model, @inputTokens, @outputTokens, @cacheCreation5mTokens,
       @cacheCreation1hTokens, @cacheReadTokens, @costMicros, @reportedCostMicros, @costSource, @usageSource,
       @unpriced, @costMismatch, @responseCount, @now, @now)
     on conflict (execution_id, model) do update set input_tokens = excluded.input_tokens,
       output_tokens = excluded.output_tokens, cache_creation_5m_tokens = excluded.cache_creation_5m_tokens,
       cache_creation_1h_tokens = excluded.cache_creation_1h_tokens, cache_read_tokens = excluded.cache_read_tokens,
       cost_micros = excluded.cost_micros, reported_cost_micros = excluded.reported_cost_micros,
       cost_source = excluded.cost_source, usage_source = excluded.usage_source, unpriced = excluded.unpriced,
       cost_mismatch = excluded.cost_mismatch, response_count = excluded.response_count,
       updated_at = excluded.updated_at`,
  ),
  addToMonth: sqlite.prepare(
    `insert into monthly_cost_summaries (month, agent_id, model, execution_count, input_tokens, output_tokens,
       cache_creation_tokens, cache_read_tokens, cost_micros, updated_at)
     values (@month, @agentId, @model, @counted, @inputTokens, @outputTokens, @cacheCreationTokens,
       @cacheReadTokens, @costMicros, @now)
     on conflict (month, agent_id, model) do update set execution_count = execution_count + excluded.execution_count,
       input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
       cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,
       cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
       cost_micros = cost_micros + excluded.cost_micros, updated_at = excluded.updated_at`,
  ),
  addToDay: sqlite.prepare(
    `insert into daily_cost_summaries (day, agent_id, model, execution_count, cost_micros, updated_at)
     values (@day, @agentId, @model, @counted, @costMicros, @now)
     on conflict (day, agent_id, model) do update set execution_count = execution_count + excluded.execution_count,
       cost_micros = cost_micros + excluded.cost_micros, updated_at = excluded.updated_at`,
  ),
  executionCost: sqlite.prepare(
    'update executions set cost_micros = ?, reported_cost_micros = ? where id = ?',
  ),
}));

/**
 * Writes an execution's per-model figures (absolute, so a retried write is harmless) and moves
 * the monthly and daily summaries by the difference from `previous`, which the caller keeps from
 * its last write rather than reading it back. Spend belongs to the month and day the execution
 * was created, so the same rule rebuilds the summaries. Runs in the caller's transaction.
 */
function writeModelCosts(
  db: DbConnection,
  execution: CostedExecution,
  rows: readonly ModelCostRecord[],
  previous: PreviousCosts,
  now: number,
): void {
  const { upsertCost, addToMonth, addToDay, executionCost } = costStatements(db);
  const month = monthKey(execution.createdAt);
  const day = dayKey(execution.createdAt);
  const { agentId } = execution;
  for (const row of rows) {
    const before = previous.get(row.model);
    upsertCost.run({
      ...row,
      executionId: execution.id,
      agentId,
      unpriced: row.unpriced ? 1 : 0,
      costMismatch: row.costMismatch ? 1 : 0,
      now,
    });
    const counted = before ? 0 : 1;
    const delta = costDelta(row, before);
    addToMonth.run({ month, agentId, model: row.model, counted, ...delta, now });
    addToDay.run({ day, agentId, model: row.model, counted, costMicros: delta.costMicros, now });
  }
  const sum = (pick: (row: ModelCostRecord) => number) => rows.reduce((total, row) => total + pick(row), 0);
  executionCost.run(
    sum((r) => r.costMicros),
    sum((r) => r.reportedCostMicros),
    execution.id,
  );
}

export interface CostedExecution {
  id: number;
  agentId: number;
  createdAt: number;
}

/** Live spend of a running execution: cost rows, the execution's cost and the summaries, in one transaction. */
export function recordExecutionCosts(
  db: DbConnection,
  execution: CostedExecution,
  rows: readonly ModelCostRecord[],
  previous: PreviousCosts = new Map(),
): void {
  db.$client.transaction(() => writeModelCosts(db, execution, rows, previous, Date.now()))();
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
export function recordExecutionOutcome(
  db: DbConnection,
  write: OutcomeWrite,
  alsoInTransaction?: () => void,
): void {
  const { execution, outcome, rows, previous, lastAttempt } = write;
  db.transaction((tx) => {
    if (lastAttempt) tx.insert(executionAttempts).values(lastAttempt).run();
    const { totals, ...rest } = outcome;
    tx.update(executions)
      .set({ ...rest, ...totals, nextAttemptAt: null })
      .where(eq(executions.id, execution.id))
      .run();
    writeModelCosts(db, execution, rows, previous, outcome.finishedAt);
    alsoInTransaction?.();
  });
}

export interface HandBackWrite {
  execution: CostedExecution;
  handedBack: HandedBack;
  /** The figures over all its processes so far (the run is not over: they grow on the next start). */
  progress: ExecutionProgress;
  rows: readonly ModelCostRecord[];
  previous: PreviousCosts;
  /** The attempt stopped by the hand-back; null for a run that had no process. */
  attempt: NewExecutionAttempt | null;
}

/**
 * Leaves a run queued for the next start (see engine/handBack.ts): the stopped attempt, what it
 * spent (so budgets count it) and the start point, in one transaction.
 */
export function recordHandBack(db: DbConnection, write: HandBackWrite): void {
  const { execution, handedBack, progress, rows, previous, attempt } = write;
  db.transaction((tx) => {
    if (attempt) tx.insert(executionAttempts).values(attempt).run();
    tx.update(executions)
      .set({
        status: 'queued',
        handedBack,
        nextAttemptAt: null,
        ...progress,
        ...(attempt && { errorCode: attempt.errorCode, errorMessage: attempt.errorMessage }),
      })
      .where(eq(executions.id, execution.id))
      .run();
    writeModelCosts(db, execution, rows, previous, handedBack.at);
  });
}

/**
 * SUM that reads 0, not null, over no rows, as a number: Postgres sums a bigint as numeric, which
 * node-postgres hands over as a string (exact: money stays under 2^53 micro-dollars).
 */
export const sumOf = (column: AnyColumn) => sql<number>`coalesce(sum(${column}), 0)`.mapWith(Number);

const monthSpend = preparedPerStore(({ db, t }: Store) =>
  db
    .select({ total: sumOf(t.monthlyCostSummaries.costMicros) })
    .from(t.monthlyCostSummaries)
    .where(eq(t.monthlyCostSummaries.month, sql.placeholder('month')))
    .prepare(),
);

const agentMonthSpend = preparedPerStore(({ db, t }: Store) =>
  db
    .select({ total: sumOf(t.monthlyCostSummaries.costMicros) })
    .from(t.monthlyCostSummaries)
    .where(
      and(
        eq(t.monthlyCostSummaries.month, sql.placeholder('month')),
        eq(t.monthlyCostSummaries.agentId, sql.placeholder('agentId')),
      ),
    )
    .prepare(),
);

/** Spend of a UTC month in micro-dollars, for one agent or all, read from the summaries rather than raw rows. */
export function* monthSpendMicrosOf(store: Store, month: string, agentId?: number): Plan<number> {
  const [row] =
    agentId === undefined
      ? yield* preparedRowsOf(monthSpend(store), { month })
      : yield* preparedRowsOf(agentMonthSpend(store), { month, agentId });
  return row?.total ?? 0;
}

/** `monthSpendMicrosOf` for the synchronous callers on SQLite (the engine's budget checks). */
export function getMonthSpendMicros(db: Db, month: string, agentId?: number): number {
  return onSqlite(db, (store) => monthSpendMicrosOf(store, month, agentId));
}
