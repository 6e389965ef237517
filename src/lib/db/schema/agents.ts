import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { ApprovalTimeoutAction, UnlistedToolPolicy } from '../../contracts/permissions';

/** Agent definitions: what to run, with which model, tools and limits. */
export const agentConfigurations = sqliteTable(
  'agent_configurations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    model: text('model').notNull(),
    systemPrompt: text('system_prompt').notNull().default(''),
    defaultPrompt: text('default_prompt').notNull(),
    allowedTools: text('allowed_tools', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Permission rules always denied. */
    deniedTools: text('denied_tools', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Rules saved by "approve and remember", allowed like allowedTools and revocable apart from them. */
    rememberedTools: text('remembered_tools', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    /** Directories besides the working directory that its tools may read (Claude Code's additionalDirectories). */
    additionalDirectories: text('additional_directories', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    /** Labels the worker that runs it must carry (WORKER_LABELS); [] for any worker. */
    requiredLabels: text('required_labels', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** A call no rule covers: 'deny', or 'ask' a person. */
    unlistedTools: text('unlisted_tools').$type<UnlistedToolPolicy>().notNull().default('deny'),
    approvalTimeoutMinutes: integer('approval_timeout_minutes').notNull().default(60),
    onApprovalTimeout: text('on_approval_timeout').$type<ApprovalTimeoutAction>().notNull().default('deny'),
    workingDirectory: text('working_directory'),
    maxTurns: integer('max_turns').notNull().default(10),
    timeoutSeconds: integer('timeout_seconds').notNull().default(600),
    /** How many runs of this agent may be under way at once; more wait queued. */
    maxConcurrentRuns: integer('max_concurrent_runs').notNull().default(1),
    /** How often Claude Code retries a failed API call itself (CLAUDE_CODE_MAX_RETRIES). */
    apiMaxRetries: integer('api_max_retries').notNull().default(10),
    /** Whole-run retries after a transient failure (new attempts of the same execution). */
    runRetries: integer('run_retries').notNull().default(2),
    /** Base delay before a run retry; doubled per attempt, with jitter. */
    runRetryDelaySeconds: integer('run_retry_delay_seconds').notNull().default(30),
    /** Per-execution spending cap in micro-dollars; null for none. */
    maxCostPerRunMicros: integer('max_cost_per_run_micros'),
    /** Monthly (UTC calendar month) budget in micro-dollars; null for none. */
    monthlyBudgetMicros: integer('monthly_budget_micros'),
    /** Set for agents that ship with ClaudeOps (e.g. 'system-health'); seeded once, never duplicated. */
    builtinKey: text('builtin_key'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** Soft delete: a deleted agent's runs and costs stay in the history and the month's spend. */
    deletedAt: integer('deleted_at'),
  },
  (t) => [
    uniqueIndex('agent_configurations_live_name_unique').on(t.name).where(sql`${t.deletedAt} is null`),
    uniqueIndex('agent_configurations_builtin_key_unique').on(t.builtinKey),
  ],
);

export type AgentConfiguration = typeof agentConfigurations.$inferSelect;
export type NewAgentConfiguration = typeof agentConfigurations.$inferInsert;
