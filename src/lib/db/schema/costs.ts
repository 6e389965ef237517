import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { CostSource, UsageSource } from '../../contracts/costs';
import { agentConfigurations } from './agents';
import { executions } from './executions';

/** One row per model per execution: raw token counts by kind and the cost. Money in micro-dollars. */
export const costTracking = sqliteTable(
  'cost_tracking',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    executionId: integer('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    agentId: integer('agent_id')
      .notNull()
      .references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    model: text('model').notNull(),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cacheCreation5mTokens: integer('cache_creation_5m_tokens').notNull().default(0),
    cacheCreation1hTokens: integer('cache_creation_1h_tokens').notNull().default(0),
    cacheReadTokens: integer('cache_read_tokens').notNull().default(0),
    costMicros: integer('cost_micros').notNull().default(0),
    /** The SDK's own estimate for this model. */
    reportedCostMicros: integer('reported_cost_micros').notNull().default(0),
    /** Which figure cost_micros holds: our price table ('computed') or the SDK's ('reported', unpriced models). */
    costSource: text('cost_source').$type<CostSource>().notNull().default('computed'),
    /** Token counts from the live stream ('stream'), or raised to the result's totals ('result'). */
    usageSource: text('usage_source').$type<UsageSource>().notNull().default('stream'),
    /** The model is missing from the price table. */
    unpriced: integer('unpriced', { mode: 'boolean' }).notNull().default(false),
    /** Computed and reported cost differ by more than 1%. */
    costMismatch: integer('cost_mismatch', { mode: 'boolean' }).notNull().default(false),
    /** Model responses counted (distinct message ids). */
    responseCount: integer('response_count').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('cost_tracking_by_execution_model').on(t.executionId, t.model),
    index('cost_tracking_recent').on(t.createdAt),
  ],
);

export type CostRecord = typeof costTracking.$inferSelect;
export type NewCostRecord = typeof costTracking.$inferInsert;

/** Pre-aggregated spend per month, agent and model, kept in step with cost_tracking in one transaction. */
export const monthlyCostSummaries = sqliteTable(
  'monthly_cost_summaries',
  {
    month: text('month').notNull(),
    agentId: integer('agent_id')
      .notNull()
      .references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    model: text('model').notNull(),
    executionCount: integer('execution_count').notNull().default(0),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cacheCreationTokens: integer('cache_creation_tokens').notNull().default(0),
    cacheReadTokens: integer('cache_read_tokens').notNull().default(0),
    costMicros: integer('cost_micros').notNull().default(0),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('monthly_cost_summaries_by_month_agent_model').on(t.month, t.agentId, t.model)],
);

export type MonthlyCostSummary = typeof monthlyCostSummaries.$inferSelect;

/** Spend per UTC day, agent and model (the 90-day chart), kept in step like the monthly summaries. */
export const dailyCostSummaries = sqliteTable(
  'daily_cost_summaries',
  {
    day: text('day').notNull(),
    agentId: integer('agent_id')
      .notNull()
      .references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    model: text('model').notNull(),
    executionCount: integer('execution_count').notNull().default(0),
    costMicros: integer('cost_micros').notNull().default(0),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('daily_cost_summaries_by_day_agent_model').on(t.day, t.agentId, t.model)],
);

export type DailyCostSummary = typeof dailyCostSummaries.$inferSelect;
