import { type AnyColumn, and, eq, inArray, sql } from 'drizzle-orm';
import type { ModelCostRecord } from '../../contracts/costs';
import type { DenialDto, ExecutionStatus, RunWarning } from '../../contracts/executions';
import type { DbConnection } from '../index';
import { changesOf, type Plan, preparedChangesOf, preparedRowsOf } from '../plan';
import { type PreparedWrite, preparedPerStore, sqliteWrite, statementPerConnection } from '../prepared';
import type { HandedBack } from '../schema';
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

/**
 * `column` plus the proposed row's value of it, for an upsert that adds (qualified by its table:
 * a bare name is ambiguous beside `excluded` on Postgres).
 */
const plusExcluded = (column: AnyColumn) => sql`${column} + excluded.${sql.identifier(column.name)}`;

/** The proposed row's value of `column`, for an upsert that overwrites. */
const excluded = (column: AnyColumn) => sql`excluded.${sql.identifier(column.name)}`;

/**
 * The writes of every usage event of every running run, prepared once per connection: per model
 * its cost row (an upsert), its month and its day (upserts that add the difference); then the
 * run's total. On SQLite they stay better-sqlite3's own statements (drizzle's prepared ones
 * measured no faster, docs/scaling.md); on Postgres they are drizzle's. Both bind the same values:
 * booleans as 1/0 (Postgres reads '1' into a boolean column as true).
 */
interface CostWrites {
  upsertCost: PreparedWrite;
  addToMonth: PreparedWrite;
  addToDay: PreparedWrite;
  executionCost: PreparedWrite;
}

const sqliteCostWrites = statementPerConnection(
  (sqlite): CostWrites => ({
    upsertCost: sqliteWrite(
      sqlite.prepare(
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
    ),
    addToMonth: sqliteWrite(
      sqlite.prepare(
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
    ),
    addToDay: sqliteWrite(
      sqlite.prepare(
        `insert into daily_cost_summaries (day, agent_id, model, execution_count, cost_micros, updated_at)
         values (@day, @agentId, @model, @counted, @costMicros, @now)
         on conflict (day, agent_id, model) do update set execution_count = execution_count + excluded.execution_count,
           cost_micros = cost_micros + excluded.cost_micros, updated_at = excluded.updated_at`,
      ),
    ),
    executionCost: sqliteWrite(
      sqlite.prepare(
        'update executions set cost_micros = @costMicros, reported_cost_micros = @reportedCostMicros where id = @id',
      ),
    ),
  }),
);

const p = sql.placeholder;

const postgresCostWrites = preparedPerStore(({ db, t }: Store): CostWrites => {
  const { costTracking: c, monthlyCostSummaries: m, dailyCostSummaries: d, executions: e } = t;
  return {
    upsertCost: db
      .insert(c)
      .values({
        executionId: p('executionId'),
        agentId: p('agentId'),
        model: p('model'),
        inputTokens: p('inputTokens'),
        outputTokens: p('outputTokens'),
        cacheCreation5mTokens: p('cacheCreation5mTokens'),
        cacheCreation1hTokens: p('cacheCreation1hTokens'),
        cacheReadTokens: p('cacheReadTokens'),
        costMicros: p('costMicros'),
        reportedCostMicros: p('reportedCostMicros'),
        costSource: p('costSource'),
        usageSource: p('usageSource'),
        unpriced: p('unpriced'),
        costMismatch: p('costMismatch'),
        responseCount: p('responseCount'),
        createdAt: p('now'),
        updatedAt: p('now'),
      })
      .onConflictDoUpdate({
        target: [c.executionId, c.model],
        set: Object.fromEntries(
          (
            [
              'inputTokens',
              'outputTokens',
              'cacheCreation5mTokens',
              'cacheCreation1hTokens',
              'cacheReadTokens',
              'costMicros',
              'reportedCostMicros',
              'costSource',
              'usageSource',
              'unpriced',
              'costMismatch',
              'responseCount',
              'updatedAt',
            ] as const
          ).map((field) => [field, excluded(c[field])]),
        ),
      })
      .prepare(),
    addToMonth: db
      .insert(m)
      .values({
        month: p('month'),
        agentId: p('agentId'),
        model: p('model'),
        executionCount: p('counted'),
        inputTokens: p('inputTokens'),
        outputTokens: p('outputTokens'),
        cacheCreationTokens: p('cacheCreationTokens'),
        cacheReadTokens: p('cacheReadTokens'),
        costMicros: p('costMicros'),
        updatedAt: p('now'),
      })
      .onConflictDoUpdate({
        target: [m.month, m.agentId, m.model],
        set: {
          executionCount: plusExcluded(m.executionCount),
          inputTokens: plusExcluded(m.inputTokens),
          outputTokens: plusExcluded(m.outputTokens),
          cacheCreationTokens: plusExcluded(m.cacheCreationTokens),
          cacheReadTokens: plusExcluded(m.cacheReadTokens),
          costMicros: plusExcluded(m.costMicros),
          updatedAt: excluded(m.updatedAt),
        },
      })
      .prepare(),
    addToDay: db
      .insert(d)
      .values({
        day: p('day'),
        agentId: p('agentId'),
        model: p('model'),
        executionCount: p('counted'),
        costMicros: p('costMicros'),
        updatedAt: p('now'),
      })
      .onConflictDoUpdate({
        target: [d.day, d.agentId, d.model],
        set: {
          executionCount: plusExcluded(d.executionCount),
          costMicros: plusExcluded(d.costMicros),
          updatedAt: excluded(d.updatedAt),
        },
      })
      .prepare(),
    executionCost: db
      .update(e)
      .set({ costMicros: sql`${p('costMicros')}`, reportedCostMicros: sql`${p('reportedCostMicros')}` })
      .where(eq(e.id, p('id')))
      .prepare(),
  };
});

/** The usage event's writes on `store`'s connection (or Postgres transaction). */
function costWrites(store: Store): CostWrites {
  return store.dialect === 'sqlite' ? sqliteCostWrites(store.db as DbConnection) : postgresCostWrites(store);
}

/**
 * Writes an execution's per-model figures (absolute, so a retried write is harmless) and moves
 * the monthly and daily summaries by the difference from `previous`, which the caller keeps from
 * its last write rather than reading it back. Spend belongs to the month and day the execution
 * was created, so the same rule rebuilds the summaries. Runs in the caller's transaction.
 */
function* writeModelCosts(
  store: Store,
  execution: CostedExecution,
  rows: readonly ModelCostRecord[],
  previous: PreviousCosts,
  now: number,
): Plan<void> {
  const { upsertCost, addToMonth, addToDay, executionCost } = costWrites(store);
  const month = monthKey(execution.createdAt);
  const day = dayKey(execution.createdAt);
  const { agentId } = execution;
  for (const row of rows) {
    const before = previous.get(row.model);
    yield* preparedChangesOf(upsertCost, {
      ...row,
      executionId: execution.id,
      agentId,
      unpriced: row.unpriced ? 1 : 0,
      costMismatch: row.costMismatch ? 1 : 0,
      now,
    });
    const counted = before ? 0 : 1;
    const delta = costDelta(row, before);
    yield* preparedChangesOf(addToMonth, { month, agentId, model: row.model, counted, ...delta, now });
    yield* preparedChangesOf(addToDay, {
      day,
      agentId,
      model: row.model,
      counted,
      costMicros: delta.costMicros,
      now,
    });
  }
  const sum = (pick: (row: ModelCostRecord) => number) => rows.reduce((total, row) => total + pick(row), 0);
  yield* preparedChangesOf(executionCost, {
    id: execution.id,
    costMicros: sum((r) => r.costMicros),
    reportedCostMicros: sum((r) => r.reportedCostMicros),
  });
}

export interface CostedExecution {
  id: number;
  agentId: number;
  createdAt: number;
}

/**
 * Live spend of a running execution: cost rows, the execution's cost and the summaries. The
 * caller runs it in one transaction (the engine's ledger).
 */
export function recordExecutionCosts(
  store: Store,
  execution: CostedExecution,
  rows: readonly ModelCostRecord[],
  previous: PreviousCosts = new Map(),
): Plan<void> {
  return writeModelCosts(store, execution, rows, previous, Date.now());
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
  /** The attempt that ended with its process; null for a run that had none (refused, cancelled while waiting). */
  lastAttempt: NewExecutionAttempt | null;
  /** The worker whose process the last attempt was. */
  workerId: string;
}

/**
 * Ends an execution: its final row, its last attempt, its cost rows and the summaries. The caller
 * runs it in one transaction, so the dashboard's figures never disagree with the raw rows, with
 * whatever must commit with the ending (e.g. a notification's outbox row). False, writing nothing,
 * when the attempt's run is no longer under way on its worker: a reaper settled or requeued it
 * while the worker was cut off or paused, and it may run elsewhere now (see localWorker.ts).
 */
export function* recordExecutionOutcome(store: Store, write: OutcomeWrite): Plan<boolean> {
  const { db, t } = store;
  const { execution, outcome, rows, previous, lastAttempt } = write;
  const e = t.executions;
  const { totals, ...rest } = outcome;
  const stillHeld = and(
    eq(e.id, execution.id),
    inArray(e.status, ['running', 'awaiting_approval']),
    eq(e.workerId, write.workerId),
  );
  const ended = yield* changesOf(
    db
      .update(e)
      .set({ ...rest, ...totals, nextAttemptAt: null })
      .where(lastAttempt ? stillHeld : eq(e.id, execution.id)),
  );
  if (ended === 0) return false;
  if (lastAttempt) yield* changesOf(db.insert(t.executionAttempts).values(lastAttempt));
  yield* writeModelCosts(store, execution, rows, previous, outcome.finishedAt);
  return true;
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
  /** The worker whose process the attempt was. */
  workerId: string;
}

/**
 * Leaves a run queued for the next start (see engine/handBack.ts): the stopped attempt, what it
 * spent (so budgets count it) and the start point. False, writing nothing, when the stopped
 * attempt's run is no longer `running` on its worker: a reaper settled it while the worker was cut
 * off from the database (see localWorker.ts, the fence). The caller runs it in one transaction.
 */
export function* recordHandBack(store: Store, write: HandBackWrite): Plan<boolean> {
  const { db, t } = store;
  const { execution, handedBack, progress, rows, previous, attempt } = write;
  const e = t.executions;
  const stillHeld = and(eq(e.id, execution.id), eq(e.status, 'running'), eq(e.workerId, write.workerId));
  const queued = yield* changesOf(
    db
      .update(e)
      .set({
        status: 'queued',
        handedBack,
        nextAttemptAt: null,
        ...progress,
        ...(attempt && { errorCode: attempt.errorCode, errorMessage: attempt.errorMessage }),
      })
      .where(attempt ? stillHeld : eq(e.id, execution.id)),
  );
  if (queued === 0) return false;
  if (attempt) yield* changesOf(db.insert(t.executionAttempts).values(attempt));
  yield* writeModelCosts(store, execution, rows, previous, handedBack.at);
  return true;
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
