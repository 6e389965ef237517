import { asc, count, eq, type SQL, sql } from 'drizzle-orm';
import { changesOf, type Plan, rowsOf } from '../plan';
import { lockTablesAgainstWrites } from '../rowLocks';
import type { Store } from '../store';
import { sumOf } from './costs';

// Recomputes the cost summaries from the raw rows, for an operator who suspects they drifted
// (a bug, a hand edit, a restored backup). Normal writes keep them in step in costs.ts.

export type SummaryTable = 'monthly_cost_summaries' | 'daily_cost_summaries';

/** A summary row's key and its figures (every column but the key and updated_at). */
interface SummaryRow {
  /** Month ('2026-11') or day ('2026-11-25'). */
  period: string;
  agentId: number;
  model: string;
  figures: Readonly<Record<string, number>>;
}

interface DriftFigures {
  executionCount: number;
  costMicros: number;
}

export interface SummaryDrift {
  table: SummaryTable;
  period: string;
  agentId: number;
  model: string;
  change: 'added' | 'removed' | 'changed';
  /** The figures that differed: all of them for an added or removed row. */
  columns: string[];
  before: DriftFigures | null;
  after: DriftFigures | null;
}

export interface SummaryTableRebuild {
  rowsBefore: number;
  rowsAfter: number;
  added: number;
  removed: number;
  changed: number;
}

export interface CostSummaryRebuildReport {
  tables: Record<SummaryTable, SummaryTableRebuild>;
  /** Empty when the summaries were right. */
  drift: SummaryDrift[];
}

const rowKey = (row: SummaryRow) => JSON.stringify([row.period, row.agentId, row.model]);

const driftFigures = (row: SummaryRow | undefined): DriftFigures | null =>
  row ? { executionCount: row.figures.executionCount ?? 0, costMicros: row.figures.costMicros ?? 0 } : null;

function drift(
  table: SummaryTable,
  { period, agentId, model }: SummaryRow,
  before: SummaryRow | undefined,
  after: SummaryRow | undefined,
  columns: string[],
): SummaryDrift {
  const change = !before ? 'added' : !after ? 'removed' : 'changed';
  return {
    table,
    period,
    agentId,
    model,
    change,
    columns,
    before: driftFigures(before),
    after: driftFigures(after),
  };
}

/** What differs between a table's rows before and after, row by row. */
function diffSummaryRows(
  table: SummaryTable,
  before: readonly SummaryRow[],
  after: readonly SummaryRow[],
): SummaryDrift[] {
  const unmatched = new Map(before.map((row) => [rowKey(row), row]));
  const drifts: SummaryDrift[] = [];
  for (const row of after) {
    const prior = unmatched.get(rowKey(row));
    unmatched.delete(rowKey(row));
    const columns = Object.keys(row.figures).filter(
      (column) => row.figures[column] !== prior?.figures[column],
    );
    if (columns.length > 0) drifts.push(drift(table, row, prior, row, columns));
  }
  for (const prior of unmatched.values())
    drifts.push(drift(table, prior, prior, undefined, Object.keys(prior.figures)));
  return drifts;
}

function* readMonthly({ db, t }: Store): Plan<SummaryRow[]> {
  const m = t.monthlyCostSummaries;
  const rows = yield* rowsOf(db.select().from(m).orderBy(asc(m.month), asc(m.agentId), asc(m.model)));
  return rows.map(({ month, agentId, model, updatedAt: _, ...figures }) => ({
    period: month,
    agentId,
    model,
    figures,
  }));
}

function* readDaily({ db, t }: Store): Plan<SummaryRow[]> {
  const d = t.dailyCostSummaries;
  const rows = yield* rowsOf(db.select().from(d).orderBy(asc(d.day), asc(d.agentId), asc(d.model)));
  return rows.map(({ day, agentId, model, updatedAt: _, ...figures }) => ({
    period: day,
    agentId,
    model,
    figures,
  }));
}

/** The UTC day ('2026-11-25') of an epoch-ms column, as dayKey gives it. */
function executionDay(store: Store): SQL<string> {
  const createdAt = store.t.executions.createdAt;
  return store.dialect === 'postgres'
    ? sql<string>`to_char(timezone('UTC', to_timestamp(${createdAt} / 1000)), 'YYYY-MM-DD')`
    : sql<string>`strftime('%Y-%m-%d', ${createdAt} / 1000, 'unixepoch')`;
}

// The rule writeModelCosts follows: spend belongs to the UTC month and day of the execution's
// created_at (the keys monthKey and dayKey give), one counted row per cost row. Each table is
// filled by one insert … select, so the sums never leave the database.
function* recompute(store: Store, now: number): Plan<void> {
  const { db, t } = store;
  const c = t.costTracking;
  const e = t.executions;
  const ofRun = eq(e.id, c.executionId);
  // A bound value in a select list has no type on Postgres until cast (an insert reads it as text).
  const updatedAt = sql<number>`cast(${now} as bigint)`;
  yield* changesOf(db.delete(t.monthlyCostSummaries));
  yield* changesOf(db.delete(t.dailyCostSummaries));
  const month = t.executionMonth(e.createdAt);
  yield* changesOf(
    db.insert(t.monthlyCostSummaries).select(
      db
        .select({
          month: month.as('month'),
          agentId: e.agentId,
          model: c.model,
          executionCount: count().as('execution_count'),
          inputTokens: sumOf(c.inputTokens).as('input_tokens'),
          outputTokens: sumOf(c.outputTokens).as('output_tokens'),
          cacheCreationTokens: sql<number>`sum(${c.cacheCreation5mTokens} + ${c.cacheCreation1hTokens})`.as(
            'cache_creation_tokens',
          ),
          cacheReadTokens: sumOf(c.cacheReadTokens).as('cache_read_tokens'),
          costMicros: sumOf(c.costMicros).as('cost_micros'),
          updatedAt: updatedAt.as('updated_at'),
        })
        .from(c)
        .innerJoin(e, ofRun)
        .groupBy(month, e.agentId, c.model),
    ),
  );
  const day = executionDay(store);
  yield* changesOf(
    db.insert(t.dailyCostSummaries).select(
      db
        .select({
          day: day.as('day'),
          agentId: e.agentId,
          model: c.model,
          executionCount: count().as('execution_count'),
          costMicros: sumOf(c.costMicros).as('cost_micros'),
          updatedAt: updatedAt.as('updated_at'),
        })
        .from(c)
        .innerJoin(e, ofRun)
        .groupBy(day, e.agentId, c.model),
    ),
  );
}

function tableReport(before: readonly SummaryRow[], after: readonly SummaryRow[], drifts: SummaryDrift[]) {
  const count = (change: SummaryDrift['change']) => drifts.filter((d) => d.change === change).length;
  return {
    rowsBefore: before.length,
    rowsAfter: after.length,
    added: count('added'),
    removed: count('removed'),
    changed: count('changed'),
  };
}

/**
 * Replaces both summary tables with figures recomputed from cost_tracking ⨝ executions and reports
 * every row that was wrong: run it in a transaction (`transaction`, or `transactionOnSqlite`). The
 * summaries are locked against writes first (SQLite's immediate transaction, Postgres' table lock),
 * so a run recorded meanwhile waits and adds its spend to the rebuilt figures after the commit
 * rather than slipping in between the read and the replace.
 */
export function* rebuildCostSummaries(store: Store, now = Date.now()): Plan<CostSummaryRebuildReport> {
  const { t } = store;
  yield* lockTablesAgainstWrites(store, [t.monthlyCostSummaries, t.dailyCostSummaries]);
  const before = { monthly: yield* readMonthly(store), daily: yield* readDaily(store) };
  yield* recompute(store, now);
  const after = { monthly: yield* readMonthly(store), daily: yield* readDaily(store) };
  const monthly = diffSummaryRows('monthly_cost_summaries', before.monthly, after.monthly);
  const daily = diffSummaryRows('daily_cost_summaries', before.daily, after.daily);
  return {
    tables: {
      monthly_cost_summaries: tableReport(before.monthly, after.monthly, monthly),
      daily_cost_summaries: tableReport(before.daily, after.daily, daily),
    },
    drift: [...monthly, ...daily],
  };
}
