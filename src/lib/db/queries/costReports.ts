import {
  and,
  asc,
  countDistinct,
  desc,
  eq,
  gt,
  gte,
  isNotNull,
  isNull,
  lt,
  lte,
  min,
  sql,
} from 'drizzle-orm';
import {
  type AgentSpendDto,
  type BudgetStatusDto,
  budgetLevel,
  type CostDays,
  type CostExportRow,
  type CostOverviewDto,
  type DailySpendDto,
  type ModelSpendDto,
  type MonthToDateDto,
  type RangeSpendDto,
  type TopExecutionDto,
  utcDayStart,
} from '../../contracts/costs';
import { microsToUsd, usdToMicros } from '../../contracts/executions';
import { execute, type Plan, preparedRowsOf, rowsOf } from '../plan';
import { preparedPerStore } from '../prepared';
import type { Store } from '../store';
import { dayKey, monthKey, monthSpendMicrosOf, sumOf } from './costs';
import { getAppSettings } from './settings';

// Dashboard cost figures. Every total comes from the monthly and daily summaries (a few hundred
// rows a month), never from summing cost_tracking: that table grows by a row per run per model.
// On both dialects (store.ts): each report is a plan of prepared reads, awaited by its caller;
// sums read as numbers (sumOf), the UTC month is the store's own `executionMonth` expression.

const DAY_MS = 86_400_000;
const DAILY_SPEND_DAYS = 90;
const TOP_EXECUTIONS_LIMIT = 10;
const FORECAST_WINDOW_DAYS = 7;

function monthBounds(now: number): { start: number; end: number } {
  const date = new Date(now);
  return {
    start: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1),
    end: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1),
  };
}

const startOfUtcDay = (epochMs: number) => Math.floor(epochMs / DAY_MS) * DAY_MS;

/** Spend of the full days a forecast averages, and how many days that is. */
export interface ForecastWindow {
  days: number;
  costMicros: number;
}

/**
 * Month-end forecast: month to date plus the average daily spend of the last 7 full UTC days,
 * projected over the time left in the month. A straight "MTD ÷ elapsed share of the month" swings
 * wildly in a month's first days (one run on the 1st projects to thirty); the recent daily rate
 * carries last month's pace over and follows a change of pace within a week. Null without any
 * full day of history: there is no rate to project yet.
 */
function forecastMonthSpendMicros(spentMicros: number, window: ForecastWindow, now: number): number | null {
  if (window.days === 0) return null;
  const daysLeft = (monthBounds(now).end - now) / DAY_MS;
  return Math.round(spentMicros + (window.costMicros / window.days) * daysLeft);
}

/** The last 7 full UTC days, shortened to the days since the first recorded spend on a new installation. */
const firstSpendDay = preparedPerStore(({ db, t: { dailyCostSummaries: d } }: Store) =>
  db
    .select({ day: min(d.day) })
    .from(d)
    .prepare(),
);

const spendOfDays = preparedPerStore(({ db, t: { dailyCostSummaries: d } }: Store) =>
  db
    .select({ cost: sumOf(d.costMicros) })
    .from(d)
    .where(and(gte(d.day, sql.placeholder('from')), lt(d.day, sql.placeholder('to'))))
    .prepare(),
);

function* forecastWindowOf(store: Store, now: number): Plan<ForecastWindow> {
  const today = startOfUtcDay(now);
  const [first] = yield* preparedRowsOf(firstSpendDay(store), {});
  if (!first?.day) return { days: 0, costMicros: 0 };
  const start = Math.max(today - FORECAST_WINDOW_DAYS * DAY_MS, utcDayStart(first.day));
  const days = Math.max(0, (today - start) / DAY_MS);
  const [row] = yield* preparedRowsOf(spendOfDays(store), { from: dayKey(start), to: dayKey(today) });
  return { days, costMicros: row?.cost ?? 0 };
}

/** The month-to-date figures from the month's spend and the forecast window. */
export function monthToDate(
  month: string,
  spentMicros: number,
  window: ForecastWindow,
  now: number,
): MonthToDateDto {
  const forecast = forecastMonthSpendMicros(spentMicros, window, now);
  return {
    month,
    spentUsd: microsToUsd(spentMicros),
    forecastUsd: forecast === null ? null : microsToUsd(forecast),
    forecastDailyRateUsd: window.days === 0 ? null : microsToUsd(window.costMicros / window.days),
    forecastWindowDays: window.days,
  };
}

function* monthToDateOf(store: Store, now: number): Plan<MonthToDateDto> {
  const month = monthKey(now);
  const spent = yield* monthSpendMicrosOf(store, month);
  return monthToDate(month, spent, yield* forecastWindowOf(store, now), now);
}

export function getMonthToDate(store: Store, now: number): Promise<MonthToDateDto> {
  return execute(store, monthToDateOf(store, now));
}

/** Spend per agent in a month, deleted agents included (their spend still counts), biggest first. */
const spendByAgent = preparedPerStore(
  ({ db, t: { monthlyCostSummaries: m, agentConfigurations: a } }: Store) => {
    const cost = sumOf(m.costMicros);
    return (
      db
        .select({
          agentId: m.agentId,
          agentName: a.name,
          deletedAt: a.deletedAt,
          modelRunCount: sumOf(m.executionCount),
          costMicros: cost,
        })
        .from(m)
        .innerJoin(a, eq(a.id, m.agentId))
        .where(eq(m.month, sql.placeholder('month')))
        // The agent's key too: Postgres reads its name and deletion only through its primary key.
        .groupBy(m.agentId, a.id)
        .orderBy(desc(cost), asc(a.name), asc(m.agentId))
        .prepare()
    );
  },
);

function* spendByAgentOf(store: Store, month: string): Plan<AgentSpendDto[]> {
  const rows = yield* preparedRowsOf(spendByAgent(store), { month });
  return rows.map(({ deletedAt, costMicros, ...row }) => ({
    ...row,
    deleted: deletedAt !== null,
    costUsd: microsToUsd(costMicros),
  }));
}

export function getSpendByAgent(store: Store, month: string): Promise<AgentSpendDto[]> {
  return execute(store, spendByAgentOf(store, month));
}

/** Spend and tokens per model in a month, biggest first. */
const spendByModel = preparedPerStore(({ db, t: { monthlyCostSummaries: m } }: Store) => {
  const cost = sumOf(m.costMicros);
  return db
    .select({
      model: m.model,
      executionCount: sumOf(m.executionCount),
      inputTokens: sumOf(m.inputTokens),
      outputTokens: sumOf(m.outputTokens),
      cacheCreationTokens: sumOf(m.cacheCreationTokens),
      cacheReadTokens: sumOf(m.cacheReadTokens),
      costMicros: cost,
    })
    .from(m)
    .where(eq(m.month, sql.placeholder('month')))
    .groupBy(m.model)
    .orderBy(desc(cost), asc(m.model))
    .prepare();
});

function* spendByModelOf(store: Store, month: string): Plan<ModelSpendDto[]> {
  const rows = yield* preparedRowsOf(spendByModel(store), { month });
  return rows.map(({ costMicros, ...row }) => ({ ...row, costUsd: microsToUsd(costMicros) }));
}

export function getSpendByModel(store: Store, month: string): Promise<ModelSpendDto[]> {
  return execute(store, spendByModelOf(store, month));
}

/** The `days` UTC days up to the one of `now`, oldest first; days missing from the map are 0. */
export function dailySeries(
  now: number,
  days: number,
  costMicrosByDay: ReadonlyMap<string, number>,
): DailySpendDto[] {
  const first = startOfUtcDay(now) - (days - 1) * DAY_MS;
  return Array.from({ length: days }, (_, i) => {
    const day = dayKey(first + i * DAY_MS);
    return { day, costUsd: microsToUsd(costMicrosByDay.get(day) ?? 0) };
  });
}

/** Spend per UTC day, oldest first, ending today; days without spend are 0. */
const spendPerDay = preparedPerStore(({ db, t: { dailyCostSummaries: d } }: Store) =>
  db
    .select({ day: d.day, costMicros: sumOf(d.costMicros) })
    .from(d)
    .where(and(gte(d.day, sql.placeholder('first')), lte(d.day, sql.placeholder('last'))))
    .groupBy(d.day)
    .prepare(),
);

function* dailySpendOf(store: Store, now: number, days: number): Plan<DailySpendDto[]> {
  const today = startOfUtcDay(now);
  const rows = yield* preparedRowsOf(spendPerDay(store), {
    first: dayKey(today - (days - 1) * DAY_MS),
    last: dayKey(today),
  });
  return dailySeries(now, days, new Map(rows.map((row) => [row.day, row.costMicros])));
}

export function getDailySpend(store: Store, now: number, days = DAILY_SPEND_DAYS): Promise<DailySpendDto[]> {
  return execute(store, dailySpendOf(store, now, days));
}

export function budgetStatus(
  owner: Pick<BudgetStatusDto, 'scope' | 'agentId' | 'name'>,
  spentMicros: number,
  budgetMicros: number,
): BudgetStatusDto {
  const fraction = spentMicros / budgetMicros;
  return {
    ...owner,
    spentUsd: microsToUsd(spentMicros),
    budgetUsd: microsToUsd(budgetMicros),
    fraction,
    level: budgetLevel(fraction),
  };
}

const agentBudgetSpend = preparedPerStore(
  ({ db, t: { monthlyCostSummaries: m, agentConfigurations: a } }: Store) =>
    db
      .select({
        agentId: a.id,
        name: a.name,
        budgetMicros: a.monthlyBudgetMicros,
        spentMicros: sumOf(m.costMicros),
      })
      .from(a)
      .leftJoin(m, and(eq(m.agentId, a.id), eq(m.month, sql.placeholder('month'))))
      .where(and(isNotNull(a.monthlyBudgetMicros), isNull(a.deletedAt)))
      .groupBy(a.id)
      .orderBy(asc(a.name))
      .prepare(),
);

/**
 * The month's budgets: the global one (settings) first, then every live agent with a monthly
 * budget by name. A deleted agent can no longer run, so its budget is moot; its spend still
 * counts towards the global budget.
 */
function* budgetStatusesOf(store: Store, now: number): Plan<BudgetStatusDto[]> {
  const month = monthKey(now);
  const globalUsd = (yield* getAppSettings(store)).monthlyBudgetUsd;
  const global =
    globalUsd === null
      ? []
      : [
          budgetStatus(
            { scope: 'global', agentId: null, name: 'All agents' },
            yield* monthSpendMicrosOf(store, month),
            usdToMicros(globalUsd),
          ),
        ];
  const rows = yield* preparedRowsOf(agentBudgetSpend(store), { month });
  const agents = rows.flatMap(({ agentId, name, budgetMicros, spentMicros }) =>
    budgetMicros === null ? [] : [budgetStatus({ scope: 'agent', agentId, name }, spentMicros, budgetMicros)],
  );
  return [...global, ...agents];
}

export function getBudgetStatuses(store: Store, now: number): Promise<BudgetStatusDto[]> {
  return execute(store, budgetStatusesOf(store, now));
}

/**
 * The month's costliest executions, with one row per model they used. The inner query reads the
 * month's end of `executions_by_month_cost` backwards, so it touches `limit` rows however many runs
 * the month has; exported so a test can check that plan.
 */
export function topExecutionsQuery({ db, t }: Store) {
  const { executions: e, agentConfigurations: a, costTracking } = t;
  const top = db
    .select({
      id: e.id,
      agentId: e.agentId,
      status: e.status,
      createdAt: e.createdAt,
      costMicros: e.costMicros,
    })
    .from(e)
    .where(and(eq(t.executionMonth(e.createdAt), sql.placeholder('month')), gt(e.costMicros, 0)))
    .orderBy(desc(e.costMicros), desc(e.id))
    .limit(sql.placeholder('limit'))
    .as('top');
  return (
    db
      .select({
        id: top.id,
        agentId: top.agentId,
        agentName: a.name,
        status: top.status,
        createdAt: top.createdAt,
        costMicros: top.costMicros,
        model: costTracking.model,
        unpriced: costTracking.unpriced,
      })
      .from(top)
      .innerJoin(a, eq(a.id, top.agentId))
      .leftJoin(costTracking, eq(costTracking.executionId, top.id))
      // Rows of one run come from cost_tracking's (execution_id, model) index; ordering by model in
      // SQL as well would add a sort step, so the models are put in order in code.
      .orderBy(desc(top.costMicros), desc(top.id))
  );
}

const topExecutions = preparedPerStore((store) => topExecutionsQuery(store).prepare());

function* topExecutionsOf(store: Store, now: number, limit: number): Plan<TopExecutionDto[]> {
  const byId = new Map<number, TopExecutionDto>();
  const rows = yield* preparedRowsOf(topExecutions(store), { month: monthKey(now), limit });
  for (const { costMicros, model, unpriced, ...row } of rows) {
    const execution = byId.get(row.id) ?? {
      ...row,
      models: [],
      unpriced: false,
      costUsd: microsToUsd(costMicros),
    };
    if (model !== null) execution.models.push(model);
    execution.unpriced ||= unpriced === true;
    byId.set(row.id, execution);
  }
  return [...byId.values()].map((execution) => ({ ...execution, models: execution.models.sort() }));
}

/** The month's most expensive executions, most expensive first (runs that cost nothing left out). */
export function getTopExecutions(
  store: Store,
  now: number,
  limit = TOP_EXECUTIONS_LIMIT,
): Promise<TopExecutionDto[]> {
  return execute(store, topExecutionsOf(store, now, limit));
}

/** Everything the costs page shows, for the UTC month of `now`: one plan, so SQLite reads it in one go as before. */
export function getCostOverview(store: Store, now: number): Promise<CostOverviewDto> {
  return execute(
    store,
    (function* (): Plan<CostOverviewDto> {
      const month = monthKey(now);
      return {
        generatedAt: now,
        monthToDate: yield* monthToDateOf(store, now),
        byAgent: yield* spendByAgentOf(store, month),
        byModel: yield* spendByModelOf(store, month),
        daily: yield* dailySpendOf(store, now, DAILY_SPEND_DAYS),
        budgets: yield* budgetStatusesOf(store, now),
        topExecutions: yield* topExecutionsOf(store, now, TOP_EXECUTIONS_LIMIT),
      };
    })(),
  );
}

/** Where the next export page starts: after this execution in (created_at, id) order. */
interface ExportCursor {
  createdAt: number;
  id: number;
}

const EXPORT_PAGE_EXECUTIONS = 2_000;

/** One page of executions created in [fromMs, toMs) after the cursor, with their cost rows. */
function exportPage(
  { db, t }: Store,
  fromMs: number,
  toMs: number,
  after: ExportCursor | null,
  pageSize: number,
) {
  const { executions: e, agentConfigurations: a, costTracking } = t;
  const page = db
    .select({ id: e.id, agentId: e.agentId, status: e.status, createdAt: e.createdAt })
    .from(e)
    .where(
      and(
        // The cursor's own time bounds the index range too: the row value alone would make
        // SQLite scan from `fromMs` again on every page.
        gte(e.createdAt, after?.createdAt ?? fromMs),
        lt(e.createdAt, toMs),
        after ? sql`(${e.createdAt}, ${e.id}) > (${after.createdAt}, ${after.id})` : undefined,
      ),
    )
    .orderBy(asc(e.createdAt), asc(e.id))
    .limit(pageSize)
    .as('page');
  return db
    .select({
      executionId: page.id,
      agentId: page.agentId,
      agentName: a.name,
      status: page.status,
      createdAt: page.createdAt,
      model: costTracking.model,
      inputTokens: costTracking.inputTokens,
      outputTokens: costTracking.outputTokens,
      cacheCreation5mTokens: costTracking.cacheCreation5mTokens,
      cacheCreation1hTokens: costTracking.cacheCreation1hTokens,
      cacheReadTokens: costTracking.cacheReadTokens,
      costMicros: costTracking.costMicros,
      reportedCostMicros: costTracking.reportedCostMicros,
      unpriced: costTracking.unpriced,
    })
    .from(page)
    .innerJoin(a, eq(a.id, page.agentId))
    .leftJoin(costTracking, eq(costTracking.executionId, page.id))
    .orderBy(asc(page.createdAt), asc(page.id));
}

/** SQLite's BINARY collation, which the index orders by. */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Each run's rows by model, runs kept in their order (see topExecutionsQuery for why not in SQL). */
function modelsInOrder<T extends { executionId: number; model: string | null }>(rows: T[]): T[] {
  const runs: T[][] = [];
  for (const row of rows) {
    const run = runs.at(-1);
    if (run?.[0]?.executionId === row.executionId) run.push(row);
    else runs.push([row]);
  }
  return runs.flatMap((run) => run.sort((a, b) => byCodeUnits(a.model ?? '', b.model ?? '')));
}

type ExportRecord = Awaited<ReturnType<typeof exportPage>>[number];

/**
 * The export rows of executions created from the start of UTC day `from` to the end of `to`, a
 * page of executions at a time. Each page is a finished query, so nothing holds the shared
 * connection between pages and the route can stream a year of runs without building it in memory.
 */
export async function* costExportPages(
  store: Store,
  range: { from: string; to: string },
  pageSize = EXPORT_PAGE_EXECUTIONS,
): AsyncGenerator<CostExportRow[]> {
  const fromMs = utcDayStart(range.from);
  const toMs = utcDayStart(range.to) + DAY_MS;
  let after: ExportCursor | null = null;
  do {
    const rows: ExportRecord[] = modelsInOrder(
      await execute(store, rowsOf(exportPage(store, fromMs, toMs, after, pageSize))),
    );
    const last = rows.at(-1);
    const full = new Set(rows.map((row) => row.executionId)).size === pageSize;
    after = last && full ? { createdAt: last.createdAt, id: last.executionId } : null;
    if (rows.length > 0) yield rows.map(toExportRow);
  } while (after);
}

function toExportRow(row: ExportRecord): CostExportRow {
  // A run without cost rows (it ended before any model response) is listed with zeros.
  return {
    executionId: row.executionId,
    agentId: row.agentId,
    agentName: row.agentName,
    status: row.status,
    createdAt: new Date(row.createdAt).toISOString(),
    model: row.model,
    inputTokens: row.inputTokens ?? 0,
    outputTokens: row.outputTokens ?? 0,
    cacheCreation5mTokens: row.cacheCreation5mTokens ?? 0,
    cacheCreation1hTokens: row.cacheCreation1hTokens ?? 0,
    cacheReadTokens: row.cacheReadTokens ?? 0,
    costUsd: microsToUsd(row.costMicros ?? 0),
    reportedCostUsd: microsToUsd(row.reportedCostMicros ?? 0),
    unpriced: row.unpriced ?? false,
  };
}

/**
 * Spend of the runs created in [from, to) grouped by what they belong to: `key` is the column
 * (agent, schedule or workflow), `name` its name. Money stays integer micro-dollars in SQL.
 */
function* spendBy(
  { db, t }: Store,
  fromMs: number,
  toMs: number,
  target: 'agent' | 'schedule' | 'workflow',
): Plan<RangeSpendDto['byAgent']> {
  const { executions: e, agentConfigurations: a, costTracking, schedules, workflowRuns, workflows } = t;
  // The named row's own key (equal to the run's column through the join): Postgres reads a
  // grouped row's name only through its primary key.
  const key = target === 'agent' ? a.id : target === 'schedule' ? schedules.id : workflows.id;
  const name = target === 'agent' ? a.name : target === 'schedule' ? schedules.name : workflows.name;
  const cost = sumOf(costTracking.costMicros);
  const base = db
    .select({
      id: sql<number>`${key}`.mapWith(Number),
      name: sql<string | null>`${name}`,
      runs: countDistinct(e.id),
      costMicros: cost,
    })
    .from(e)
    .innerJoin(costTracking, eq(costTracking.executionId, e.id))
    .$dynamic();
  const joined =
    target === 'agent'
      ? base.innerJoin(a, eq(a.id, e.agentId))
      : target === 'schedule'
        ? base.innerJoin(schedules, eq(schedules.id, e.scheduleId))
        : base
            .innerJoin(workflowRuns, eq(workflowRuns.id, e.workflowRunId))
            .innerJoin(workflows, eq(workflows.id, workflowRuns.workflowId));
  const rows = yield* rowsOf(
    joined
      .where(and(gte(e.createdAt, fromMs), lt(e.createdAt, toMs)))
      .groupBy(key)
      .orderBy(desc(cost), asc(key)),
  );
  return rows.map(({ id, name: label, runs, costMicros }) => ({
    id,
    name: label ?? `#${id}`,
    runs,
    costUsd: microsToUsd(costMicros),
  }));
}

/** The costs page's range: its daily spend and where it went, by agent, schedule and workflow. */
export function getRangeSpend(store: Store, days: CostDays): Promise<RangeSpendDto> {
  return execute(
    store,
    (function* (): Plan<RangeSpendDto> {
      const fromMs = utcDayStart(days.first);
      const toMs = utcDayStart(days.last) + DAY_MS;
      const count = Math.round((toMs - fromMs) / DAY_MS);
      const rows = yield* preparedRowsOf(spendPerDay(store), { first: days.first, last: days.last });
      const daily = dailySeries(toMs - DAY_MS, count, new Map(rows.map((row) => [row.day, row.costMicros])));
      return {
        days,
        total: microsToUsd(rows.reduce((sum, row) => sum + row.costMicros, 0)),
        daily,
        byAgent: yield* spendBy(store, fromMs, toMs, 'agent'),
        bySchedule: yield* spendBy(store, fromMs, toMs, 'schedule'),
        byWorkflow: yield* spendBy(store, fromMs, toMs, 'workflow'),
      };
    })(),
  );
}
