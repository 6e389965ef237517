import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { microsToUsd, usdToMicros } from '../../src/lib/contracts/executions';
import {
  costExportPages,
  getBudgetStatuses,
  getCostOverview,
  getDailySpend,
  getMonthToDate,
  getRangeSpend,
  getSpendByAgent,
  getSpendByModel,
  getTopExecutions,
} from '../../src/lib/db/queries/costReports';
import type { Store } from '../../src/lib/db/store';
import { insertCostedRun, NOVEMBER_RUNS, type Spend } from '../helpers/costs';
import { postgresPlansOf } from '../helpers/queryPlans';
import { describeOnEachDialect, describeOnPostgres, emptyTables, insertAgent } from '../helpers/stores';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const at = (iso: string) => Date.parse(iso);

/** Every page of an export, in order. */
async function exportPages(store: Store, range: { from: string; to: string }, pageSize?: number) {
  const pages = [];
  for await (const page of costExportPages(store, range, pageSize)) pages.push(page);
  return pages;
}

describeOnEachDialect('cost reports', (store) => {
  // Each case starts from no agents, runs, summaries or settings: the figures are exact totals.
  beforeEach(() =>
    emptyTables(store(), (t) => [
      t.costTracking,
      t.monthlyCostSummaries,
      t.dailyCostSummaries,
      t.executions,
      t.schedules,
      t.agentConfigurations,
      t.appSettings,
    ]),
  );

  const agent = (name: string, monthlyBudgetUsd: number | null = null) =>
    insertAgent(store(), name, {
      monthlyBudgetMicros: monthlyBudgetUsd === null ? null : usdToMicros(monthlyBudgetUsd),
    });

  const run = (
    agentId: number,
    createdAt: number,
    spends: Spend[],
    status: 'completed' | 'failed' = 'completed',
  ) => insertCostedRun(store(), { agentId, createdAt, status }, spends);

  async function softDelete(agentId: number) {
    const { db, t } = store();
    await db
      .update(t.agentConfigurations)
      .set({ deletedAt: NOW })
      .where(eq(t.agentConfigurations.id, agentId));
  }

  async function setGlobalBudget(usd: number) {
    const { db, t } = store();
    await db.insert(t.appSettings).values({ key: 'app.monthlyBudgetUsd', value: usd, updatedAt: NOW });
  }

  /** Two agents' November around the month's edges; `helper` is deleted afterwards. */
  async function seedNovember() {
    const writer = await agent('writer', 2.75);
    const helper = await agent('helper', 5);
    const agents = { writer, helper };
    const runs = {} as Record<keyof typeof NOVEMBER_RUNS, number>;
    for (const [name, seed] of Object.entries(NOVEMBER_RUNS))
      runs[name as keyof typeof NOVEMBER_RUNS] = await run(agents[seed.agent], seed.createdAt, seed.spends);
    await softDelete(helper);
    return { writer, helper, ...runs };
  }

  describe('month to date and forecast', () => {
    it('sums the UTC month of each execution, and projects the last 7 full days over the days left', async () => {
      await seedNovember();
      expect(await getMonthToDate(store(), NOW)).toEqual({
        month: '2026-11',
        spentUsd: 2.85,
        // 13–19 Nov spent 0.85; 10.5 days left: 2.85 + 0.85 / 7 × 10.5.
        forecastUsd: 4.125,
        forecastDailyRateUsd: 850_000 / 7 / 1_000_000,
        forecastWindowDays: 7,
      });
    });

    it('has no forecast before a full day of history, then averages only the days since the first spend', async () => {
      const solo = await agent('solo');
      await run(solo, at('2026-11-20T01:00:00.000Z'), [{ model: 'claude-sonnet-4-5', costMicros: 300_000 }]);
      expect(await getMonthToDate(store(), NOW)).toMatchObject({
        spentUsd: 0.3,
        forecastUsd: null,
        forecastWindowDays: 0,
      });

      await run(solo, at('2026-11-17T10:00:00.000Z'), [{ model: 'claude-sonnet-4-5', costMicros: 600_000 }]);
      // 17–19 Nov: 0.6 over 3 days = 0.2 a day, 10.5 days left.
      expect(await getMonthToDate(store(), NOW)).toMatchObject({
        spentUsd: 0.9,
        forecastUsd: 3,
        forecastWindowDays: 3,
      });
    });
  });

  describe('spend by agent and by model', () => {
    it('counts the month only, a deleted agent included, biggest first', async () => {
      const { writer, helper } = await seedNovember();
      expect(await getSpendByAgent(store(), '2026-11')).toEqual([
        { agentId: writer, agentName: 'writer', deleted: false, modelRunCount: 3, costUsd: 2.75 },
        { agentId: helper, agentName: 'helper', deleted: true, modelRunCount: 1, costUsd: 0.1 },
      ]);
      expect(await getSpendByAgent(store(), '2026-10')).toEqual([
        { agentId: writer, agentName: 'writer', deleted: false, modelRunCount: 1, costUsd: 1 },
      ]);
    });

    it('adds up tokens per model, both cache write lifetimes together', async () => {
      await seedNovember();
      expect(await getSpendByModel(store(), '2026-11')).toEqual([
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
    it('covers the last 90 UTC days up to today, zero-filled, each run on its own UTC day', async () => {
      await seedNovember();
      const solo = await agent('solo');
      await run(solo, at('2026-08-22T23:59:59.999Z'), [
        { model: 'claude-sonnet-4-5', costMicros: 7_000_000 },
      ]);
      await run(solo, at('2026-08-23T00:00:00.000Z'), [{ model: 'claude-sonnet-4-5', costMicros: 40_000 }]);
      await run(solo, at('2026-11-20T11:59:00.000Z'), [{ model: 'claude-sonnet-4-5', costMicros: 5_000 }]);

      const daily = await getDailySpend(store(), NOW);
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
    it('reports the global budget and every live agent budget, warning from 80 %, exhausted at 100 %', async () => {
      const { writer } = await seedNovember();
      const idle = await agent('idle', 10);
      const eighty = await agent('eighty', 1);
      await run(eighty, at('2026-11-10T00:00:00.000Z'), [
        { model: 'claude-sonnet-4-5', costMicros: 800_000 },
      ]);
      await setGlobalBudget(4.5);

      expect(await getBudgetStatuses(store(), NOW)).toEqual([
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

    it('lists nothing without budgets', async () => {
      await run(await agent('free'), at('2026-11-10T00:00:00.000Z'), [
        { model: 'claude-sonnet-4-5', costMicros: 800_000 },
      ]);
      expect(await getBudgetStatuses(store(), NOW)).toEqual([]);
    });
  });

  describe('top executions', () => {
    it("lists the month's costliest runs first, ties newest first, with their models and unpriced flag", async () => {
      const { writer, first, twoModels, lastOfWindow } = await seedNovember();
      const tie = await run(writer, at('2026-11-16T00:00:00.000Z'), [
        { model: 'claude-sonnet-4-5', costMicros: 750_000 },
      ]);
      await run(writer, at('2026-11-17T00:00:00.000Z'), [], 'failed');

      const top = await getTopExecutions(store(), NOW);
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
      expect((await getTopExecutions(store(), NOW, 2)).map((row) => row.id)).toEqual([first, tie]);
    });
  });

  describe('cost export rows', () => {
    it('lists every execution of the inclusive day range, one row per model, runs without cost as zeros', async () => {
      const { writer, first, twoModels } = await seedNovember();
      const nothing = await run(writer, at('2026-11-15T23:59:59.999Z'), [], 'failed');
      const rows = (await exportPages(store(), { from: '2026-11-01', to: '2026-11-15' })).flat();
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

    it('pages by execution, never splitting a run across pages, runs created in the same millisecond included', async () => {
      const { writer, october, first, twoModels, lastOfWindow } = await seedNovember();
      const sameTime = at('2026-11-19T23:59:59.999Z');
      const tieA = await run(writer, sameTime, [{ model: 'claude-sonnet-4-5', costMicros: 1 }]);
      const tieB = await run(writer, sameTime, [{ model: 'claude-sonnet-4-5', costMicros: 2 }]);
      const pages = await exportPages(store(), { from: '2026-10-01', to: '2026-11-30' }, 2);
      expect(pages.map((page) => page.map((row) => row.executionId))).toEqual([
        [october, first],
        [twoModels, twoModels, lastOfWindow],
        [tieA, tieB],
      ]);
    });
  });

  describe('spend over a range', () => {
    it('sums each agent’s and schedule’s runs of the range’s UTC days, in micro-dollars, biggest first', async () => {
      const { db, t } = store();
      const writer = await agent('writer');
      const reader = await agent('reader');
      const [nightly] = await db
        .insert(t.schedules)
        .values({
          agentId: writer,
          name: 'Nightly',
          cronExpression: '0 3 * * *',
          timezone: 'UTC',
          createdAt: NOW,
          updatedAt: NOW,
        })
        .returning({ id: t.schedules.id });
      if (!nightly) throw new Error('no schedule inserted');
      const scheduled = async (createdAt: number, costMicros: number) => {
        const id = await run(writer, createdAt, [{ model: 'claude-sonnet-4-5', costMicros }]);
        await db
          .update(t.executions)
          .set({ trigger: 'schedule', scheduleId: nightly.id })
          .where(eq(t.executions.id, id));
      };
      await scheduled(at('2026-11-13T23:59:59.999Z'), 9_000_000); // the day before the range
      await scheduled(at('2026-11-14T00:00:00.000Z'), 1_250_000);
      await scheduled(at('2026-11-20T03:00:00.000Z'), 1_000_001);
      await run(writer, at('2026-11-18T10:00:00.000Z'), [
        { model: 'claude-sonnet-4-5', costMicros: 500_000 },
        { model: 'claude-haiku-4-5', costMicros: 1 },
      ]);
      await run(reader, at('2026-11-19T10:00:00.000Z'), [{ model: 'claude-haiku-4-5', costMicros: 30 }]);

      const spend = await getRangeSpend(store(), { first: '2026-11-14', last: '2026-11-20' });
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

  describe('money at the exact-integer edge', () => {
    it('sums single micro-dollars exactly, and a month near 2^53 µ$ to the last micro-dollar', async () => {
      const penny = await agent('penny', 0.000003);
      for (const hour of [1, 2, 3])
        await run(penny, at(`2026-11-18T0${hour}:00:00.000Z`), [
          { model: 'claude-haiku-4-5', costMicros: 1 },
        ]);
      const big = await agent('big');
      // Two runs whose sum is Number.MAX_SAFE_INTEGER µ$: exact only if no sum passes through a float.
      const half = Math.floor(Number.MAX_SAFE_INTEGER / 2);
      await run(big, at('2026-11-02T00:00:00.000Z'), [{ model: 'claude-opus-4-1', costMicros: half }]);
      await run(big, at('2026-11-03T00:00:00.000Z'), [{ model: 'claude-opus-4-1', costMicros: half + 1 }]);

      const overview = await getCostOverview(store(), NOW);
      expect(overview.byAgent.map((row) => [row.agentName, row.costUsd])).toEqual([
        ['big', microsToUsd(Number.MAX_SAFE_INTEGER)],
        ['penny', 0.000003],
      ]);
      expect(overview.byModel.map((row) => [row.model, row.costUsd])).toEqual([
        ['claude-opus-4-1', microsToUsd(Number.MAX_SAFE_INTEGER)],
        ['claude-haiku-4-5', 0.000003],
      ]);
      expect(overview.budgets).toEqual([
        {
          scope: 'agent',
          agentId: penny,
          name: 'penny',
          spentUsd: 0.000003,
          budgetUsd: 0.000003,
          fraction: 1,
          level: 'exhausted',
        },
      ]);
      expect(overview.daily.find((day) => day.day === '2026-11-18')).toEqual({
        day: '2026-11-18',
        costUsd: 0.000003,
      });
      const [range] = await exportPages(store(), { from: '2026-11-18', to: '2026-11-18' });
      expect(range?.map((row) => row.costUsd)).toEqual([0.000001, 0.000001, 0.000001]);
    });
  });
});

describeOnPostgres('top executions', (store) => {
  it("reads the month's end of executions_by_month_cost (SQLite: tests/unit/costReports.test.ts)", async () => {
    const agentId = await insertAgent(store());
    const { db, t } = store();
    // Enough runs over a year that reading them all costs more than the index.
    await db.insert(t.executions).values(
      Array.from({ length: 3_000 }, (_, i) => ({
        agentId,
        trigger: 'manual' as const,
        status: 'completed' as const,
        prompt: 'p',
        model: 'claude-sonnet-4-5',
        createdAt: NOW - i * 3 * 3_600_000,
        costMicros: (i % 97) * 1_000,
      })),
    );
    const plans = await postgresPlansOf(store(), () => getTopExecutions(store(), NOW));
    expect(plans.map((statement) => statement.plan).join('\n')).toContain('executions_by_month_cost');
  });
});
