import { z } from 'zod';
import { EXECUTION_STATUSES, type ExecutionStatus, type ModelCost, type TokenUsage } from './executions';

/** Every limit that can stop or refuse a run. */
export const BUDGET_KINDS = ['per_run', 'workflow', 'agent_monthly', 'global_monthly'] as const;
export type BudgetKind = (typeof BUDGET_KINDS)[number];

export type CostSource = ModelCost['costSource'];
export type UsageSource = ModelCost['usageSource'];

/** An execution's figures for one model, as `cost_tracking` stores them (money in micro-dollars). */
export interface ModelCostRecord extends TokenUsage {
  model: string;
  costMicros: number;
  reportedCostMicros: number;
  costSource: CostSource;
  usageSource: UsageSource;
  unpriced: boolean;
  costMismatch: boolean;
  responseCount: number;
}

/** A budget warns from this share of its limit on, and is exhausted at the whole of it. */
const BUDGET_WARNING_FRACTION = 0.8;
export const BUDGET_LEVELS = ['ok', 'warning', 'exhausted'] as const;
export type BudgetLevel = (typeof BUDGET_LEVELS)[number];

export function budgetLevel(fraction: number): BudgetLevel {
  if (fraction >= 1) return 'exhausted';
  return fraction >= BUDGET_WARNING_FRACTION ? 'warning' : 'ok';
}

/** Spend of the current UTC month, and where it is heading. */
export const monthToDateSchema = z.object({
  /** `2026-11` */
  month: z.string(),
  spentUsd: z.number(),
  /** Spend expected by the end of the month; null until one full UTC day of spend history exists. */
  forecastUsd: z.number().nullable(),
  /** The daily rate the forecast projects: average of the recent full days. */
  forecastDailyRateUsd: z.number().nullable(),
  /** How many full days that average covers (up to 7; fewer on a new installation). */
  forecastWindowDays: z.number(),
});
export type MonthToDateDto = z.infer<typeof monthToDateSchema>;

export const agentSpendSchema = z.object({
  agentId: z.number(),
  agentName: z.string(),
  /** Soft-deleted agents keep their spend in the month. */
  deleted: z.boolean(),
  /** Executions counted once per model they used: a run on two models counts twice. */
  modelRunCount: z.number(),
  costUsd: z.number(),
});
export type AgentSpendDto = z.infer<typeof agentSpendSchema>;

export const modelSpendSchema = z.object({
  model: z.string(),
  executionCount: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheCreationTokens: z.number(),
  cacheReadTokens: z.number(),
  costUsd: z.number(),
});
export type ModelSpendDto = z.infer<typeof modelSpendSchema>;

export const dailySpendSchema = z.object({
  /** `2026-11-25` (UTC) */
  day: z.string(),
  costUsd: z.number(),
});
export type DailySpendDto = z.infer<typeof dailySpendSchema>;

export const budgetStatusSchema = z.object({
  scope: z.enum(['global', 'agent']),
  /** Null for the global budget. */
  agentId: z.number().nullable(),
  name: z.string(),
  spentUsd: z.number(),
  budgetUsd: z.number(),
  /** spent / budget; above 1 once overspent. */
  fraction: z.number(),
  level: z.enum(BUDGET_LEVELS),
});
export type BudgetStatusDto = z.infer<typeof budgetStatusSchema>;

export const topExecutionSchema = z.object({
  id: z.number(),
  agentId: z.number(),
  agentName: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  createdAt: z.number(),
  models: z.array(z.string()),
  costUsd: z.number(),
  /** A model of the run is missing from the price table: its cost is the SDK's estimate. */
  unpriced: z.boolean(),
});
export type TopExecutionDto = z.infer<typeof topExecutionSchema>;

export const costOverviewSchema = z.object({
  generatedAt: z.number(),
  monthToDate: monthToDateSchema,
  byAgent: z.array(agentSpendSchema),
  byModel: z.array(modelSpendSchema),
  /** The last 90 UTC days, oldest first, days without spend as 0. */
  daily: z.array(dailySpendSchema),
  budgets: z.array(budgetStatusSchema),
  topExecutions: z.array(topExecutionSchema),
});
export type CostOverviewDto = z.infer<typeof costOverviewSchema>;
export const costOverviewResponseSchema = z.object({ overview: costOverviewSchema });

/**
 * One row per execution per model it used. An execution that recorded no cost has one row with
 * `model` null and zeros, so every run of the range is listed.
 */
export interface CostExportRow {
  executionId: number;
  agentId: number;
  agentName: string;
  status: ExecutionStatus;
  /** ISO 8601, UTC. */
  createdAt: string;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheCreation5mTokens: number;
  cacheCreation1hTokens: number;
  cacheReadTokens: number;
  costUsd: number;
  reportedCostUsd: number;
  unpriced: boolean;
}

const MAX_EXPORT_DAYS = 366;
const DAY_MS = 86_400_000;

/** Epoch ms of 00:00 UTC of a `YYYY-MM-DD` day, or NaN for anything that is not a calendar day. */
export function utcDayStart(day: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return Number.NaN;
  const ms = Date.parse(`${day}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March instead of failing: compare the round trip.
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day ? Number.NaN : ms;
}

const DATE_FORMAT = 'Must be a calendar date as YYYY-MM-DD';
const utcDay = z.string(DATE_FORMAT).refine((value) => !Number.isNaN(utcDayStart(value)), DATE_FORMAT);

/** `to` not before `from`, and at most MAX_EXPORT_DAYS days from one to the other, both included. */
function checkDaySpan(from: string, to: string, ctx: z.RefinementCtx): void {
  const [start, end] = [utcDayStart(from), utcDayStart(to)];
  // A malformed date already has its own issue.
  if (Number.isNaN(start) || Number.isNaN(end)) return;
  if (end < start) ctx.addIssue({ code: 'custom', path: ['to'], message: 'Must not be before from' });
  else if ((end - start) / DAY_MS + 1 > MAX_EXPORT_DAYS)
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `The range spans at most ${MAX_EXPORT_DAYS} days`,
    });
}

/** `from` and `to` are UTC days, both included. */
export const costExportQuerySchema = z
  .strictObject({
    from: utcDay,
    to: utcDay,
    format: z.enum(['csv', 'json']).default('json'),
  })
  .superRefine(({ from, to }, ctx) => checkDaySpan(from, to, ctx));
export type CostExportQuery = z.infer<typeof costExportQuerySchema>;

/** The costs page's ranges: the last N UTC days up to today, this UTC month, or two days of one's own. */
export const COST_RANGES = ['7d', '30d', '90d', 'month', 'custom'] as const;
export type CostRange = (typeof COST_RANGES)[number];

/** The costs page's query (`?range=30d`, `?range=custom&from=2026-11-01&to=2026-11-15`). */
export const costRangeQuerySchema = z
  .strictObject({
    range: z.enum(COST_RANGES).default('30d'),
    from: utcDay.optional(),
    to: utcDay.optional(),
  })
  .superRefine((query, ctx) => {
    if (query.range !== 'custom') return;
    if (query.from === undefined)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'A custom range needs from (YYYY-MM-DD)' });
    if (query.to === undefined)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'A custom range needs to (YYYY-MM-DD)' });
    if (query.from === undefined || query.to === undefined) return;
    checkDaySpan(query.from, query.to, ctx);
  });
export type CostRangeQuery = z.infer<typeof costRangeQuerySchema>;

/** A range as UTC days, both included (`2026-11-01`). */
export interface CostDays {
  first: string;
  last: string;
}

const RANGE_DAYS = { '7d': 7, '30d': 30, '90d': 90 } as const;

/** The UTC days a range covers on the day of `now`. */
export function costRangeDays(query: CostRangeQuery, now: number): CostDays {
  const today = new Date(now).toISOString().slice(0, 10);
  if (query.range === 'custom' && query.from && query.to) return { first: query.from, last: query.to };
  if (query.range === 'month') return { first: `${today.slice(0, 7)}-01`, last: today };
  const days = query.range === 'custom' ? 30 : RANGE_DAYS[query.range];
  const first = new Date(utcDayStart(today) - (days - 1) * DAY_MS).toISOString().slice(0, 10);
  return { first, last: today };
}

/** Spend of one agent, schedule or workflow over a range. */
export interface TargetSpendDto {
  id: number;
  name: string;
  runs: number;
  costUsd: number;
}

/** Where a range's spend went: per agent, per schedule (runs it started) and per workflow (its steps' runs). */
export interface RangeSpendDto {
  days: CostDays;
  total: number;
  daily: DailySpendDto[];
  byAgent: TargetSpendDto[];
  bySchedule: TargetSpendDto[];
  byWorkflow: TargetSpendDto[];
}
