import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { BudgetStatusDto } from '../src/lib/contracts/costs';
import { microsToUsd, usdToMicros } from '../src/lib/contracts/executions';
import type { DbHandle } from '../src/lib/db';
import { runOnSqlite, transactionOnSqlite } from '../src/lib/db/plan';
import {
  budgetStatus,
  dailySeries,
  getBudgetStatuses,
  getDailySpend,
  getMonthToDate,
  getSpendByAgent,
  getSpendByModel,
  getTopExecutions,
  monthToDate,
} from '../src/lib/db/queries/costReports';
import { rebuildCostSummaries } from '../src/lib/db/queries/costSummaryRebuild';
import { monthKey } from '../src/lib/db/queries/costs';
import { updateAppSettings } from '../src/lib/db/queries/settings';
import { sqliteStore } from '../src/lib/db/store';
import { seededRandom } from '../tests/helpers/seededRandom';
import { createTestDb } from '../tests/helpers/testDb';
import { type BenchResult, timeIt, timeItAsync } from './measure';
import { sized } from './smoke';

const EXECUTIONS = sized(1_000_000, 5_000);
const AGENTS = 20;
const MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'] as const;
const DAY_MS = 86_400_000;
/** A fixed "now" and seed: every run of the bench sees the same year of data. */
const NOW = Date.UTC(2026, 10, 20, 12);
const SEED = 0xc057;
const GLOBAL_BUDGET_USD = 5_000;
const SUMMARY_RUNS = 200;
const NAIVE_RUNS = 12;

/**
 * A year of runs ending at NOW, ids in time order as in production: mostly one model, one in six
 * also on Haiku (sub-agents). Agents 2 and 9 are soft-deleted; every fourth has a monthly budget.
 */
function generate(handle: DbHandle): void {
  const random = seededRandom(SEED);
  const { sqlite } = handle;
  const insertAgent = sqlite.prepare(
    `insert into agent_configurations (id, name, model, default_prompt, monthly_budget_micros, created_at, updated_at, deleted_at)
     values (?, ?, ?, 'p', ?, 0, 0, ?)`,
  );
  const insertExecution = sqlite.prepare(
    `insert into executions (id, agent_id, trigger, status, prompt, model, created_at, input_tokens, output_tokens,
       cache_creation_tokens, cache_read_tokens, cost_micros, reported_cost_micros)
     values (?, ?, 'manual', ?, 'p', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertCost = sqlite.prepare(
    `insert into cost_tracking (execution_id, agent_id, model, input_tokens, output_tokens, cache_creation_5m_tokens,
       cache_creation_1h_tokens, cache_read_tokens, cost_micros, reported_cost_micros, unpriced, response_count,
       created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 0, 1, ?, ?)`,
  );
  const start = NOW - 365 * DAY_MS;
  sqlite.transaction(() => {
    for (let id = 1; id <= AGENTS; id++) {
      const budget = id % 4 === 0 ? usdToMicros(150 + id * 10) : null;
      insertAgent.run(id, `agent-${id}`, MODELS[id % 3], budget, id === 2 || id === 9 ? NOW : null);
    }
    for (let id = 1; id <= EXECUTIONS; id++) {
      const agentId = 1 + Math.floor(random() * AGENTS);
      const createdAt = Math.floor(start + ((id - 1 + random()) / EXECUTIONS) * 365 * DAY_MS);
      const main = MODELS[random() < 0.6 ? 0 : random() < 0.75 ? 1 : 2] ?? MODELS[0];
      const models = main !== MODELS[1] && random() < 1 / 6 ? [main, MODELS[1]] : [main];
      let totalCost = 0;
      const rows = models.map((model) => {
        const input = 500 + Math.floor(random() * 20_000);
        const output = 50 + Math.floor(random() * 3_000);
        const cacheWrite = Math.floor(random() * 5_000);
        const cacheRead = Math.floor(random() * 50_000);
        const cost = Math.floor(random() * random() * 2_000_000);
        totalCost += cost;
        return { model, input, output, cacheWrite, cacheRead, cost };
      });
      const sum = (pick: (row: (typeof rows)[number]) => number) =>
        rows.reduce((total, row) => total + pick(row), 0);
      insertExecution.run(
        id,
        agentId,
        random() < 0.9 ? 'completed' : 'failed',
        main,
        createdAt,
        sum((r) => r.input),
        sum((r) => r.output),
        sum((r) => r.cacheWrite),
        sum((r) => r.cacheRead),
        totalCost,
        totalCost,
      );
      const finishedAt = createdAt + 60_000;
      for (const row of rows) {
        insertCost.run(
          id,
          agentId,
          row.model,
          row.input,
          row.output,
          row.cacheWrite,
          row.cacheRead,
          row.cost,
          row.cost,
          finishedAt,
          finishedAt,
        );
      }
    }
  })();
  runOnSqlite(updateAppSettings(sqliteStore(handle.db), { monthlyBudgetUsd: GLOBAL_BUDGET_USD }));
}

/** The same answers, summed from cost_tracking ⨝ executions as a dashboard without summaries would. */
function naiveQueries(handle: DbHandle) {
  const { sqlite } = handle;
  const joined = 'from cost_tracking c join executions e on e.id = c.execution_id';
  const spendBetween = sqlite
    .prepare(`select coalesce(sum(c.cost_micros), 0) ${joined} where e.created_at >= ? and e.created_at < ?`)
    .pluck();
  const firstSpend = sqlite
    .prepare(
      'select min(e.created_at) from executions e where exists (select 1 from cost_tracking c where c.execution_id = e.id)',
    )
    .pluck();
  const byAgent = sqlite.prepare(
    `select e.agent_id as agentId, a.name as agentName, a.deleted_at is not null as deleted,
       count(*) as modelRunCount, sum(c.cost_micros) as costMicros
     ${joined} join agent_configurations a on a.id = e.agent_id
     where e.created_at >= ? and e.created_at < ?
     group by e.agent_id order by costMicros desc, a.name, e.agent_id`,
  );
  const byModel = sqlite.prepare(
    `select c.model, count(*) as executionCount, sum(c.input_tokens) as inputTokens, sum(c.output_tokens) as outputTokens,
       sum(c.cache_creation_5m_tokens + c.cache_creation_1h_tokens) as cacheCreationTokens,
       sum(c.cache_read_tokens) as cacheReadTokens, sum(c.cost_micros) as costMicros
     ${joined} where e.created_at >= ? and e.created_at < ? group by c.model order by costMicros desc, c.model`,
  );
  const byDay = sqlite.prepare(
    `select strftime('%Y-%m-%d', e.created_at / 1000, 'unixepoch') as day, sum(c.cost_micros) as costMicros
     ${joined} where e.created_at >= ? and e.created_at < ? group by day`,
  );
  const agentBudgets = sqlite.prepare(
    `select a.id as agentId, a.name, a.monthly_budget_micros as budgetMicros, coalesce(spent.micros, 0) as spentMicros
     from agent_configurations a
     left join (select e.agent_id, sum(c.cost_micros) as micros ${joined}
                where e.created_at >= ? and e.created_at < ? group by e.agent_id) spent on spent.agent_id = a.id
     where a.monthly_budget_micros is not null and a.deleted_at is null order by a.name`,
  );
  const topOfMonth = sqlite.prepare(
    `select c.execution_id as id, sum(c.cost_micros) as costMicros ${joined}
     where e.created_at >= ? and e.created_at < ?
     group by c.execution_id having costMicros > 0 order by costMicros desc, id desc limit 10`,
  );

  const date = new Date(NOW);
  const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const monthEnd = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  const today = Math.floor(NOW / DAY_MS) * DAY_MS;
  const usd = <T extends { costMicros: number }>({ costMicros, ...row }: T) => ({
    ...row,
    costUsd: microsToUsd(costMicros),
  });
  type Row = { costMicros: number } & Record<string, unknown>;

  return {
    monthToDate: () => {
      const first = Math.floor((firstSpend.get() as number) / DAY_MS) * DAY_MS;
      const windowStart = Math.max(today - 7 * DAY_MS, first);
      const window = {
        days: (today - windowStart) / DAY_MS,
        costMicros: spendBetween.get(windowStart, today) as number,
      };
      return monthToDate(monthKey(NOW), spendBetween.get(monthStart, monthEnd) as number, window, NOW);
    },
    byAgent: () =>
      (byAgent.all(monthStart, monthEnd) as Row[]).map(({ deleted, ...row }) => ({
        ...usd(row),
        deleted: deleted === 1,
      })),
    byModel: () => (byModel.all(monthStart, monthEnd) as Row[]).map(usd),
    daily: () => {
      const rows = byDay.all(today - 89 * DAY_MS, today + DAY_MS) as { day: string; costMicros: number }[];
      return dailySeries(NOW, 90, new Map(rows.map((row) => [row.day, row.costMicros])));
    },
    budgets: (): BudgetStatusDto[] => [
      budgetStatus(
        { scope: 'global', agentId: null, name: 'All agents' },
        spendBetween.get(monthStart, monthEnd) as number,
        usdToMicros(GLOBAL_BUDGET_USD),
      ),
      ...(
        agentBudgets.all(monthStart, monthEnd) as {
          agentId: number;
          name: string;
          budgetMicros: number;
          spentMicros: number;
        }[]
      ).map(({ agentId, name, budgetMicros, spentMicros }) =>
        budgetStatus({ scope: 'agent', agentId, name }, spentMicros, budgetMicros),
      ),
    ],
    topExecutionIds: () => (topOfMonth.all(monthStart, monthEnd) as { id: number }[]).map((row) => row.id),
  };
}

/**
 * The costs page's queries on a year of runs (1,000,000 executions, 20 agents, 3 models): through
 * the summaries against summing the raw rows, each pair checked to give the same answer first.
 * Target: summaries p95 under 20 ms and at least 100× faster than the raw sums. The reports are
 * awaited, as the pages do (on SQLite a plan runs synchronously inside the promise).
 */
export async function benchCostQueries(): Promise<BenchResult[]> {
  const handle = createTestDb();
  try {
    let started = Date.now();
    generate(handle);
    console.log(
      `cost queries: generated ${EXECUTIONS.toLocaleString('en-US')} executions in ${Date.now() - started} ms`,
    );
    started = Date.now();
    const rebuilt = transactionOnSqlite(handle.db, (tx) => rebuildCostSummaries(tx, NOW));
    const { monthly_cost_summaries: monthly, daily_cost_summaries: daily } = rebuilt.tables;
    console.log(
      `cost queries: rebuildCostSummaries in ${Date.now() - started} ms (${monthly.rowsAfter} monthly, ${daily.rowsAfter} daily rows)`,
    );

    const store = sqliteStore(handle.db);
    const month = monthKey(NOW);
    const naive = naiveQueries(handle);
    const summaries = 'summaries';
    const pairs = [
      ['month to date + forecast', () => getMonthToDate(store, NOW), naive.monthToDate, summaries],
      ['spend by agent', () => getSpendByAgent(store, month), naive.byAgent, summaries],
      ['spend by model', () => getSpendByModel(store, month), naive.byModel, summaries],
      ['90-day daily spend', () => getDailySpend(store, NOW), naive.daily, summaries],
      ['budget status', () => getBudgetStatuses(store, NOW), naive.budgets, summaries],
      // The run's own total on its row, read through the month-and-cost index.
      [
        'top 10 executions',
        async () => (await getTopExecutions(store, NOW)).map((row) => row.id),
        naive.topExecutionIds,
        'month-cost index',
      ],
    ] as const;

    const results: BenchResult[] = [];
    for (const [name, fast, slow, fastLabel] of pairs) {
      assert.deepStrictEqual(await fast(), slow(), `${name}: the two paths disagree`);
      const baseline = timeIt(`${name}, raw rows`, NAIVE_RUNS, slow);
      results.push(baseline, {
        ...(await timeItAsync(`${name}, ${fastLabel}`, SUMMARY_RUNS, fast)),
        baseline,
      });
    }
    return results;
  } finally {
    handle.sqlite.close();
    fs.rmSync(path.dirname(handle.path), { recursive: true, force: true });
  }
}
