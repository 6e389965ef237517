import { eq, Placeholder, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/lib/db';
import { runOnSqlite } from '../../src/lib/db/plan';
import { createAgent, softDeleteAgent } from '../../src/lib/db/queries/agents';
import {
  costExportPages,
  getBudgetStatuses,
  getDailySpend,
  getMonthToDate,
  getRangeSpend,
  getSpendByAgent,
  getSpendByModel,
  getTopExecutions,
  topExecutionsQuery,
} from '../../src/lib/db/queries/costReports';
import { rebuildCostSummaries } from '../../src/lib/db/queries/costSummaryRebuild';
import { updateAppSettings } from '../../src/lib/db/queries/settings';
import { dailyCostSummaries, executions, monthlyCostSummaries } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { createSchedule } from '../../src/lib/scheduling/schedules';
import { recordRun, type Spend } from '../helpers/costs';
import { createTestDb } from '../helpers/testDb';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const at = (iso: string) => Date.parse(iso);

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
  const october = run(writer, at('2026-10-31T23:59:59.999Z'), [
    { model: 'claude-sonnet-4-5', costMicros: 1_000_000 },
  ]);
  const first = run(writer, at('2026-11-01T00:00:00.000Z'), [
    { model: 'claude-sonnet-4-5', costMicros: 2_000_000, inputTokens: 1000, outputTokens: 100 },
  ]);
  const twoModels = run(writer, at('2026-11-15T08:00:00.000Z'), [
    { model: 'claude-sonnet-4-5', costMicros: 500_000, inputTokens: 300, cacheCreation5mTokens: 10 },
    {
      model: 'claude-haiku-4-5',
      costMicros: 250_000,
      cacheCreation1hTokens: 20,
      cacheReadTokens: 40,
      unpriced: true,
    },
  ]);
  const lastOfWindow = run(helper, at('2026-11-19T23:59:59.999Z'), [
    { model: 'claude-haiku-4-5', costMicros: 100_000 },
  ]);
  runOnSqlite(softDeleteAgent(sqliteStore(handle.db), helper));
  return { writer, helper, october, first, twoModels, lastOfWindow };
}

describe('month to date and forecast', () => {
  it('sums the UTC month of each execution, and projects the last 7 full days over the days left', () => {
    seedNovember();
    expect(getMonthToDate(handle.db, NOW)).toEqual({
      month: '2026-11',
      spentUsd: 2.85,
      // 13–19 Nov spent 0.85; 10.5 days left: 2.85 + 0.85 / 7 × 10.5.
      forecastUsd: 4.125,
      forecastDailyRateUsd: 850_000 / 7 / 1_000_000,
      forecastWindowDays: 7,
    });
  });

  it('has no forecast before a full day of history, then averages only the days since the first spend', () => {
    const solo = agent('solo');
    run(solo, at('2026-11-20T01:00:00.000Z'), [{ model: 'claude-sonnet-4-5', costMicros: 300_000 }]);
    expect(getMonthToDate(handle.db, NOW)).toMatchObject({
      spentUsd: 0.3,
      forecastUsd: null,
      forecastWindowDays: 0,
    });

    run(solo, at('2026-11-17T10:00:00.000Z'), [{ model: 'claude-sonnet-4-5', costMicros: 600_000 }]);
    // 17–19 Nov: 0.6 over 3 days = 0.2 a day, 10.5 days left.
    expect(getMonthToDate(handle.db, NOW)).toMatchObject({
      spentUsd: 0.9,
      forecastUsd: 3,
      forecastWindowDays: 3,
    });
  });
});

describe('spend by agent and by model', () => {
  it('counts the month only, a deleted agent included, biggest first', () => {
    const { writer, helper } = seedNovember();
    expect(getSpendByAgent(handle.db, '2026-11')).toEqual([
      { agentId: writer, agentName: 'writer', deleted: false, modelRunCount: 3, costUsd: 2.75 },
      { agentId: helper, agentName: 'helper', deleted: true, modelRunCount: 1, costUsd: 0.1 },
    ]);
    expect(getSpendByAgent(handle.db, '2026-10')).toEqual([
      { agentId: writer, agentName: 'writer', deleted: false, modelRunCount: 1, costUsd: 1 },
    ]);
  });

  it('adds up tokens per model, both cache write lifetimes together', () => {
    seedNovember();
    expect(getSpendByModel(handle.db, '2026-11')).toEqual([
      {
        model: 'claude-sonnet-4-5',
        executionCount: 2,
        inputTokens: 1300,
        outputTokens: 100,
        cacheCreationTokens: 10,
        cacheReadTokens: 0,
        costUsd: 2.5,
      },
      {
        model: 'claude-haiku-4-5',
        executionCount: 2,
        inputTokens: 0,
        outputTokens: 0,
        cacheCreationTokens: 20,
        cacheReadTokens: 40,
        costUsd: 0.35,
      },
    ]);
  });
});

describe('daily spend', () => {
  it('covers the last 90 UTC days up to today, zero-filled, each run on its own UTC day', () => {
    seedNovember();
    const solo = agent('solo');
    run(solo, at('2026-08-22T23:59:59.999Z'), [{ model: 'claude-sonnet-4-5', costMicros: 7_000_000 }]);
    run(solo, at('2026-08-23T00:00:00.000Z'), [{ model: 'claude-sonnet-4-5', costMicros: 40_000 }]);
    run(solo, at('2026-11-20T11:59:00.000Z'), [{ model: 'claude-sonnet-4-5', costMicros: 5_000 }]);

    const daily = getDailySpend(handle.db, NOW);
    expect(daily).toHaveLength(90);
    expect(daily[0]).toEqual({ day: '2026-08-23', costUsd: 0.04 });
    expect(daily.at(-1)).toEqual({ day: '2026-11-20', costUsd: 0.005 });
    expect(daily.filter((day) => day.costUsd > 0)).toEqual([
      { day: '2026-08-23', costUsd: 0.04 },
      { day: '2026-10-31', costUsd: 1 },
      { day: '2026-11-01', costUsd: 2 },
      { day: '2026-11-15', costUsd: 0.75 },
      { day: '2026-11-19', costUsd: 0.1 },
      { day: '2026-11-20', costUsd: 0.005 },
    ]);
  });
});

describe('budget status', () => {
  it('reports the global budget and every live agent budget, warning from 80 %, exhausted at 100 %', () => {
    const { writer } = seedNovember();
    const idle = agent('idle', 10);
    const eighty = agent('eighty', 1);
    run(eighty, at('2026-11-10T00:00:00.000Z'), [{ model: 'claude-sonnet-4-5', costMicros: 800_000 }]);
    runOnSqlite(updateAppSettings(sqliteStore(handle.db), { monthlyBudgetUsd: 4.5 }));

    expect(getBudgetStatuses(handle.db, NOW)).toEqual([
      // The deleted helper's 0.10 still counts here; its own budget is no longer listed.
      {
        scope: 'global',
        agentId: null,
        name: 'All agents',
        spentUsd: 3.65,
        budgetUsd: 4.5,
        fraction: 3_650_000 / 4_500_000,
        level: 'warning',
      },
      {
        scope: 'agent',
        agentId: eighty,
        name: 'eighty',
        spentUsd: 0.8,
        budgetUsd: 1,
        fraction: 0.8,
        level: 'warning',
      },
      { scope: 'agent', agentId: idle, name: 'idle', spentUsd: 0, budgetUsd: 10, fraction: 0, level: 'ok' },
      {
        scope: 'agent',
        agentId: writer,
        name: 'writer',
        spentUsd: 2.75,
        budgetUsd: 2.75,
        fraction: 1,
        level: 'exhausted',
      },
    ]);
  });

  it('lists nothing without budgets', () => {
    run(agent('free'), at('2026-11-10T00:00:00.000Z'), [{ model: 'claude-sonnet-4-5', costMicros: 800_000 }]);
    expect(getBudgetStatuses(handle.db, NOW)).toEqual([]);
  });
});

describe('top executions', () => {
  it("lists the month's costliest runs first, ties newest first, with their models and unpriced flag", () => {
    const { writer, first, twoModels, lastOfWindow } = seedNovember();
    const tie = run(writer, at('2026-11-16T00:00:00.000Z'), [
      { model: 'claude-sonnet-4-5', costMicros: 750_000 },
    ]);
    run(writer, at('2026-11-17T00:00:00.000Z'), [], 'failed');

    const top = getTopExecutions(handle.db, NOW);
    expect(top.map((row) => row.id)).toEqual([first, tie, twoModels, lastOfWindow]);
    expect(top[2]).toEqual({
      id: twoModels,
      agentId: writer,
      agentName: 'writer',
      status: 'completed',
      createdAt: at('2026-11-15T08:00:00.000Z'),
      models: ['claude-haiku-4-5', 'claude-sonnet-4-5'],
      costUsd: 0.75,
      unpriced: true,
    });
    expect(getTopExecutions(handle.db, NOW, 2).map((row) => row.id)).toEqual([first, tie]);
  });

  it("reads only the month's end of the month-and-cost index: no scan or sort of the month's runs", () => {
    seedNovember();
    const query = topExecutionsQuery(handle.db).toSQL();
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

describe('cost export rows', () => {
  it('lists every execution of the inclusive day range, one row per model, runs without cost as zeros', () => {
    const { writer, first, twoModels } = seedNovember();
    const nothing = run(writer, at('2026-11-15T23:59:59.999Z'), [], 'failed');
    const rows = [...costExportPages(handle.db, { from: '2026-11-01', to: '2026-11-15' })].flat();
    expect(rows.map((row) => [row.executionId, row.model])).toEqual([
      [first, 'claude-sonnet-4-5'],
      [twoModels, 'claude-haiku-4-5'],
      [twoModels, 'claude-sonnet-4-5'],
      [nothing, null],
    ]);
    expect(rows[1]).toEqual({
      executionId: twoModels,
      agentId: writer,
      agentName: 'writer',
      status: 'completed',
      createdAt: '2026-11-15T08:00:00.000Z',
      model: 'claude-haiku-4-5',
      inputTokens: 0,
      outputTokens: 0,
      cacheCreation5mTokens: 0,
      cacheCreation1hTokens: 20,
      cacheReadTokens: 40,
      costUsd: 0.25,
      reportedCostUsd: 0.25,
      unpriced: true,
    });
    expect(rows[3]).toMatchObject({ status: 'failed', costUsd: 0, inputTokens: 0, unpriced: false });
  });

  it('pages by execution, never splitting a run across pages, runs created in the same millisecond included', () => {
    const { writer, october, first, twoModels, lastOfWindow } = seedNovember();
    const sameTime = at('2026-11-19T23:59:59.999Z');
    const tieA = run(writer, sameTime, [{ model: 'claude-sonnet-4-5', costMicros: 1 }]);
    const tieB = run(writer, sameTime, [{ model: 'claude-sonnet-4-5', costMicros: 2 }]);
    const pages = [...costExportPages(handle.db, { from: '2026-10-01', to: '2026-11-30' }, 2)];
    expect(pages.map((page) => page.map((row) => row.executionId))).toEqual([
      [october, first],
      [twoModels, twoModels, lastOfWindow],
      [tieA, tieB],
    ]);
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

describe('spend over a range', () => {
  it('sums each agent’s and schedule’s runs of the range’s UTC days, in micro-dollars, biggest first', () => {
    const writer = agent('writer');
    const reader = agent('reader');
    const nightly = createSchedule(
      handle.db,
      { agentId: writer, name: 'Nightly', cronExpression: '0 3 * * *', timezone: 'UTC' },
      NOW,
    );
    const scheduled = (createdAt: number, costMicros: number) => {
      const id = run(writer, createdAt, [{ model: 'claude-sonnet-4-5', costMicros }]);
      handle.db
        .update(executions)
        .set({ trigger: 'schedule', scheduleId: nightly.id })
        .where(eq(executions.id, id))
        .run();
    };
    scheduled(at('2026-11-13T23:59:59.999Z'), 9_000_000); // the day before the range
    scheduled(at('2026-11-14T00:00:00.000Z'), 1_250_000);
    scheduled(at('2026-11-20T03:00:00.000Z'), 1_000_001);
    run(writer, at('2026-11-18T10:00:00.000Z'), [
      { model: 'claude-sonnet-4-5', costMicros: 500_000 },
      { model: 'claude-haiku-4-5', costMicros: 1 },
    ]);
    run(reader, at('2026-11-19T10:00:00.000Z'), [{ model: 'claude-haiku-4-5', costMicros: 30 }]);

    const spend = getRangeSpend(handle.db, { first: '2026-11-14', last: '2026-11-20' });
    expect(spend.byAgent).toEqual([
      { id: writer, name: 'writer', runs: 3, costUsd: 2.750002 },
      { id: reader, name: 'reader', runs: 1, costUsd: 0.00003 },
    ]);
    expect(spend.bySchedule).toEqual([{ id: nightly.id, name: 'Nightly', runs: 2, costUsd: 2.250001 }]);
    expect(spend.byWorkflow).toEqual([]);
    expect(spend.daily.map((day) => day.day)).toEqual(
      [14, 15, 16, 17, 18, 19, 20].map((d) => `2026-11-${d}`),
    );
    expect(spend.total).toBe(2.750032);
  });
});
