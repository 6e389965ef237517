import { asc, sql } from 'drizzle-orm';
import type { Db } from '../index';
import { dailyCostSummaries, monthlyCostSummaries } from '../schema';

// Recomputes the cost summaries from the raw rows, for an operator who suspects they drifted
// (a bug, a hand edit, a restored backup). Normal writes keep them in step in costs.ts.

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

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

function readMonthly(tx: Tx): SummaryRow[] {
  const t = monthlyCostSummaries;
  return tx
    .select()
    .from(t)
    .orderBy(asc(t.month), asc(t.agentId), asc(t.model))
    .all()
    .map(({ month, agentId, model, updatedAt: _, ...figures }) => ({
      period: month,
      agentId,
      model,
      figures,
    }));
}

function readDaily(tx: Tx): SummaryRow[] {
  const t = dailyCostSummaries;
  return tx
    .select()
    .from(t)
    .orderBy(asc(t.day), asc(t.agentId), asc(t.model))
    .all()
    .map(({ day, agentId, model, updatedAt: _, ...figures }) => ({ period: day, agentId, model, figures }));
}

// The rule writeModelCosts follows: spend belongs to the UTC month and day of the execution's
// created_at (strftime gives the keys monthKey and dayKey do), one counted row per cost row.
function recompute(tx: Tx, now: number): void {
  tx.run(sql`delete from monthly_cost_summaries`);
  tx.run(sql`delete from daily_cost_summaries`);
  tx.run(sql`
    insert into monthly_cost_summaries (month, agent_id, model, execution_count, input_tokens,
      output_tokens, cache_creation_tokens, cache_read_tokens, cost_micros, updated_at)
    select strftime('%Y-%m', e.created_at / 1000, 'unixepoch'), e.agent_id, c.model, count(*),
      sum(c.input_tokens), sum(c.output_tokens),
      sum(c.cache_creation_5m_tokens + c.cache_creation_1h_tokens), sum(c.cache_read_tokens),
      sum(c.cost_micros), ${now}
    from cost_tracking c join executions e on e.id = c.execution_id
    group by 1, 2, 3`);
  tx.run(sql`
    insert into daily_cost_summaries (day, agent_id, model, execution_count, cost_micros, updated_at)
    select strftime('%Y-%m-%d', e.created_at / 1000, 'unixepoch'), e.agent_id, c.model, count(*),
      sum(c.cost_micros), ${now}
    from cost_tracking c join executions e on e.id = c.execution_id
    group by 1, 2, 3`);
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
 * Replaces both summary tables with figures recomputed from cost_tracking ⨝ executions, in one
 * transaction, and reports every row that was wrong. IMMEDIATE takes the write lock up front, so
 * a run recorded meanwhile waits instead of slipping in between the read and the replace.
 */
export function rebuildCostSummaries(db: Db, now = Date.now()): CostSummaryRebuildReport {
  return db.transaction(
    (tx) => {
      const before = { monthly: readMonthly(tx), daily: readDaily(tx) };
      recompute(tx, now);
      const after = { monthly: readMonthly(tx), daily: readDaily(tx) };
      const monthly = diffSummaryRows('monthly_cost_summaries', before.monthly, after.monthly);
      const daily = diffSummaryRows('daily_cost_summaries', before.daily, after.daily);
      return {
        tables: {
          monthly_cost_summaries: tableReport(before.monthly, after.monthly, monthly),
          daily_cost_summaries: tableReport(before.daily, after.daily, daily),
        },
        drift: [...monthly, ...daily],
      };
    },
    { behavior: 'immediate' },
  );
}
