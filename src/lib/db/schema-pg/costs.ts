import { boolean, index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { CostSource, UsageSource } from '../../contracts/costs';
import { agentConfigurations } from './agents';
import { int64, rowId } from './columns';
import { executions } from './executions';

/** ../schema/costs.ts in Postgres. Money in integer micro-dollars (bigint), never a float. */
export const costTracking = pgTable(
  'cost_tracking',
  {
    id: rowId('id'),
    executionId: int64('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    agentId: int64('agent_id')
      .notNull()
      .references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    model: text('model').notNull(),
    inputTokens: int64('input_tokens').notNull().default(0),
    outputTokens: int64('output_tokens').notNull().default(0),
    cacheCreation5mTokens: int64('cache_creation_5m_tokens').notNull().default(0),
    cacheCreation1hTokens: int64('cache_creation_1h_tokens').notNull().default(0),
    cacheReadTokens: int64('cache_read_tokens').notNull().default(0),
    costMicros: int64('cost_micros').notNull().default(0),
    reportedCostMicros: int64('reported_cost_micros').notNull().default(0),
    costSource: text('cost_source').$type<CostSource>().notNull().default('computed'),
    usageSource: text('usage_source').$type<UsageSource>().notNull().default('stream'),
    unpriced: boolean('unpriced').notNull().default(false),
    costMismatch: boolean('cost_mismatch').notNull().default(false),
    responseCount: int64('response_count').notNull().default(0),
    createdAt: int64('created_at').notNull(),
    updatedAt: int64('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('cost_tracking_by_execution_model').on(t.executionId, t.model),
    index('cost_tracking_recent').on(t.createdAt),
  ],
);

export const monthlyCostSummaries = pgTable(
  'monthly_cost_summaries',
  {
    month: text('month').notNull(),
    agentId: int64('agent_id')
      .notNull()
      .references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    model: text('model').notNull(),
    executionCount: int64('execution_count').notNull().default(0),
    inputTokens: int64('input_tokens').notNull().default(0),
    outputTokens: int64('output_tokens').notNull().default(0),
    cacheCreationTokens: int64('cache_creation_tokens').notNull().default(0),
    cacheReadTokens: int64('cache_read_tokens').notNull().default(0),
    costMicros: int64('cost_micros').notNull().default(0),
    updatedAt: int64('updated_at').notNull(),
  },
  (t) => [uniqueIndex('monthly_cost_summaries_by_month_agent_model').on(t.month, t.agentId, t.model)],
);

export const dailyCostSummaries = pgTable(
  'daily_cost_summaries',
  {
    day: text('day').notNull(),
    agentId: int64('agent_id')
      .notNull()
      .references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    model: text('model').notNull(),
    executionCount: int64('execution_count').notNull().default(0),
    costMicros: int64('cost_micros').notNull().default(0),
    updatedAt: int64('updated_at').notNull(),
  },
  (t) => [uniqueIndex('daily_cost_summaries_by_day_agent_model').on(t.day, t.agentId, t.model)],
);
