import { eq, Placeholder, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/lib/db';
import { runOnSqlite } from '../../src/lib/db/plan';
import { createAgent, softDeleteAgent } from '../../src/lib/db/queries/agents';
import { topExecutionsQuery } from '../../src/lib/db/queries/costReports';
import { rebuildCostSummaries } from '../../src/lib/db/queries/costSummaryRebuild';
import { dailyCostSummaries, monthlyCostSummaries } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { NOVEMBER_RUNS, recordRun, type Spend } from '../helpers/costs';
import { createTestDb } from '../helpers/testDb';

let handle: DbHandle;

beforeEach(() => {
  handle = createTestDb();
});
afterEach(() => handle.sqlite.close());

function agent(name: string, monthlyBudgetUsd: number | null = null): number {
  return runOnSqlite(
    createAgent(sqliteStore(handle.db), {
      name,
      model: 'claude-sonnet-4-5',
      defaultPrompt: 'p',
      monthlyBudgetUsd,
    }),
  ).id;
}

/** An execution created at `createdAt` whose costs go through the real write path (summaries included). */
function run(
  agentId: number,
  createdAt: number,
  spends: Spend[],
  status: 'completed' | 'failed' = 'completed',
) {
  return recordRun(handle.db, { agentId, createdAt, status }, spends);
}

/** Two agents' November around the month's edges; `helper` is deleted afterwards. */
function seedNovember() {
  const writer = agent('writer', 2.75);
  const helper = agent('helper', 5);
  const agents = { writer, helper };
  const runs = {} as Record<keyof typeof NOVEMBER_RUNS, number>;
  for (const [name, seed] of Object.entries(NOVEMBER_RUNS))
    runs[name as keyof typeof NOVEMBER_RUNS] = run(agents[seed.agent], seed.createdAt, seed.spends);
  runOnSqlite(softDeleteAgent(sqliteStore(handle.db), helper));
  return { writer, helper, ...runs };
}

describe('top executions (SQLite; Postgres in tests/dialects/costReports.test.ts)', () => {
  it("reads only the month's end of the month-and-cost index: no scan or sort of the month's runs", () => {
    seedNovember();
    const query = topExecutionsQuery(sqliteStore(handle.db)).toSQL();
    const values: Record<string, unknown> = { month: '2026-11', limit: 10 };
    const plan = handle.sqlite
      .prepare(`explain query plan ${query.sql}`)
      .all(...query.params.map((param) => (param instanceof Placeholder ? values[param.name] : param)))
      .map((step) => (step as { detail: string }).detail)
      .join('\n');
    expect(plan).toContain(
      'SEARCH executions USING INDEX executions_by_month_cost (<expr>=? AND cost_micros>?)',
    );
    // Nothing is sorted: the runs come in index order, each run's models in cost_tracking's.
    expect(plan).not.toContain('TEMP B-TREE');
  });
});

describe('rebuildCostSummaries', () => {
  /** Both tables' rows without updated_at, in a stable order (a rebuild renumbers the rowids). */
  const snapshot = () => {
    const rows = (table: typeof monthlyCostSummaries | typeof dailyCostSummaries) =>
      handle.db
        .select()
        .from(table)
        .all()
        .map(({ updatedAt: _, ...row }) => JSON.stringify(row))
        .sort();
    return { monthly: rows(monthlyCostSummaries), daily: rows(dailyCostSummaries) };
  };

  it('reports no drift on correct summaries and leaves the figures as they were', () => {
    seedNovember();
    const before = snapshot();
    const report = rebuildCostSummaries(handle.db);
    expect(report.drift).toEqual([]);
    expect(report.tables).toEqual({
      monthly_cost_summaries: { rowsBefore: 4, rowsAfter: 4, added: 0, removed: 0, changed: 0 },
      daily_cost_summaries: { rowsBefore: 5, rowsAfter: 5, added: 0, removed: 0, changed: 0 },
    });
    expect(snapshot()).toEqual(before);
  });

  it('reports exactly the tampered rows with their before and after figures, and fixes them', () => {
    const { writer, helper } = seedNovember();
    const correct = snapshot();
    const m = monthlyCostSummaries;
    handle.db
      .update(m)
      .set({ costMicros: 2_500_123, inputTokens: 1 })
      .where(sql`${m.month} = '2026-11' and ${m.agentId} = ${writer} and ${m.model} = 'claude-sonnet-4-5'`)
      .run();
    handle.db
      .insert(m)
      .values({
        month: '2026-09',
        agentId: writer,
        model: 'ghost',
        executionCount: 3,
        costMicros: 9,
        updatedAt: 0,
      })
      .run();
    handle.db.delete(dailyCostSummaries).where(eq(dailyCostSummaries.day, '2026-11-19')).run();

    const report = rebuildCostSummaries(handle.db);
    expect(report.drift).toEqual([
      {
        table: 'monthly_cost_summaries',
        period: '2026-11',
        agentId: writer,
        model: 'claude-sonnet-4-5',
        change: 'changed',
        columns: ['inputTokens', 'costMicros'],
        before: { executionCount: 2, costMicros: 2_500_123 },
        after: { executionCount: 2, costMicros: 2_500_000 },
      },
      {
        table: 'monthly_cost_summaries',
        period: '2026-09',
        agentId: writer,
        model: 'ghost',
        change: 'removed',
        columns: [
          'executionCount',
          'inputTokens',
          'outputTokens',
          'cacheCreationTokens',
          'cacheReadTokens',
          'costMicros',
        ],
        before: { executionCount: 3, costMicros: 9 },
        after: null,
      },
      {
        table: 'daily_cost_summaries',
        period: '2026-11-19',
        agentId: helper,
        model: 'claude-haiku-4-5',
        change: 'added',
        columns: ['executionCount', 'costMicros'],
        before: null,
        after: { executionCount: 1, costMicros: 100_000 },
      },
    ]);
    expect(report.tables).toEqual({
      monthly_cost_summaries: { rowsBefore: 5, rowsAfter: 4, added: 0, removed: 1, changed: 1 },
      daily_cost_summaries: { rowsBefore: 4, rowsAfter: 5, added: 1, removed: 0, changed: 0 },
    });
    expect(snapshot()).toEqual(correct);
    expect(rebuildCostSummaries(handle.db).drift).toEqual([]);
  });
});
