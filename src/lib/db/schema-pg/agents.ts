import { sql } from 'drizzle-orm';
import { jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { ApprovalTimeoutAction, UnlistedToolPolicy } from '../../contracts/permissions';
import { int64, rowId } from './columns';

/** ../schema/agents.ts in Postgres: the columns' meaning is documented there. */
export const agentConfigurations = pgTable(
  'agent_configurations',
  {
    id: rowId('id'),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    model: text('model').notNull(),
    systemPrompt: text('system_prompt').notNull().default(''),
    defaultPrompt: text('default_prompt').notNull(),
    allowedTools: jsonb('allowed_tools').$type<string[]>().notNull().default([]),
    deniedTools: jsonb('denied_tools').$type<string[]>().notNull().default([]),
    rememberedTools: jsonb('remembered_tools').$type<string[]>().notNull().default([]),
    additionalDirectories: jsonb('additional_directories').$type<string[]>().notNull().default([]),
    requiredLabels: jsonb('required_labels').$type<string[]>().notNull().default([]),
    unlistedTools: text('unlisted_tools').$type<UnlistedToolPolicy>().notNull().default('deny'),
    approvalTimeoutMinutes: int64('approval_timeout_minutes').notNull().default(60),
    onApprovalTimeout: text('on_approval_timeout').$type<ApprovalTimeoutAction>().notNull().default('deny'),
    workingDirectory: text('working_directory'),
    maxTurns: int64('max_turns').notNull().default(10),
    timeoutSeconds: int64('timeout_seconds').notNull().default(600),
    maxConcurrentRuns: int64('max_concurrent_runs').notNull().default(1),
    apiMaxRetries: int64('api_max_retries').notNull().default(10),
    runRetries: int64('run_retries').notNull().default(2),
    runRetryDelaySeconds: int64('run_retry_delay_seconds').notNull().default(30),
    maxCostPerRunMicros: int64('max_cost_per_run_micros'),
    monthlyBudgetMicros: int64('monthly_budget_micros'),
    builtinKey: text('builtin_key'),
    createdAt: int64('created_at').notNull(),
    updatedAt: int64('updated_at').notNull(),
    deletedAt: int64('deleted_at'),
  },
  (t) => [
    uniqueIndex('agent_configurations_live_name_unique').on(t.name).where(sql`${t.deletedAt} is null`),
    uniqueIndex('agent_configurations_builtin_key_unique').on(t.builtinKey),
  ],
);
