import { type AnyColumn, type SQL, sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  doublePrecision,
  index,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { DenialDto, ExecutionStatus, ExecutionTrigger, RunWarning } from '../../contracts/executions';
import { executionDurationKey, type HandedBack, type RunLimits } from '../schema/executions';
import { agentConfigurations } from './agents';
import { int64, rowId } from './columns';
import { schedules } from './schedules';

export { executionDurationKey };

/**
 * The UTC month ('2026-11') of an epoch-ms column, as Postgres SQL that an index may hold: every
 * function in it is immutable (`to_char` is not, so the text is put together by hand). Queries must
 * use this very expression for Postgres to use the index built on it.
 */
export const executionMonth = (createdAt: AnyColumn) => {
  const utc = sql`timezone('UTC', to_timestamp(${createdAt} / 1000))`;
  return sql<string>`(extract(year from ${utc})::int::text || '-' || lpad(extract(month from ${utc})::int::text, 2, '0'))`;
};

/**
 * Text as FTS5's default tokenizer splits it: words of letters and digits, punctuation between
 * them. Postgres' parser alone keeps `/var/cache`, `web-1` or `a@b.io` whole (as a path, a signed
 * number, an e-mail), so a search for `cache` would miss what SQLite finds.
 */
export const searchableText = (text: SQL) => sql`regexp_replace(${text}, '[[:punct:]]+', ' ', 'g')`;

/**
 * What the Runs page searches (a run's prompt and result), as a tsvector. SQLite keeps an FTS5
 * table for it, filled in batches behind a watermark; Postgres keeps a GIN index on this
 * expression, which follows every write, so it has neither. `simple`: no stemming, as FTS5's
 * default tokenizer. Queries must use this very expression for Postgres to use the index.
 */
export const executionSearchVector = (prompt: AnyColumn, resultText: AnyColumn) =>
  sql`to_tsvector('simple', ${searchableText(sql`${prompt} || ' ' || coalesce(${resultText}, '')`)})`;

/** ../schema/executions.ts in Postgres. Money in integer micro-dollars (bigint), never a float. */
export const executions = pgTable(
  'executions',
  {
    id: rowId('id'),
    agentId: int64('agent_id')
      .notNull()
      .references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    scheduleId: int64('schedule_id').references(() => schedules.id, { onDelete: 'set null' }),
    trigger: text('trigger').$type<ExecutionTrigger>().notNull(),
    status: text('status').$type<ExecutionStatus>().notNull(),
    prompt: text('prompt').notNull(),
    model: text('model').notNull(),
    createdAt: int64('created_at').notNull(),
    startedAt: int64('started_at'),
    finishedAt: int64('finished_at'),
    durationMs: int64('duration_ms'),
    numTurns: int64('num_turns').notNull().default(0),
    inputTokens: int64('input_tokens').notNull().default(0),
    outputTokens: int64('output_tokens').notNull().default(0),
    cacheCreationTokens: int64('cache_creation_tokens').notNull().default(0),
    cacheReadTokens: int64('cache_read_tokens').notNull().default(0),
    costMicros: int64('cost_micros').notNull().default(0),
    reportedCostMicros: int64('reported_cost_micros').notNull().default(0),
    resultText: text('result_text'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    apiRetryCount: int64('api_retry_count').notNull().default(0),
    attempt: int64('attempt').notNull().default(1),
    nextAttemptAt: int64('next_attempt_at'),
    sessionId: text('session_id'),
    apiKeySource: text('api_key_source'),
    lastSeq: int64('last_seq').notNull().default(0),
    lastActivityAt: int64('last_activity_at'),
    workflowRunId: int64('workflow_run_id'),
    workflowStepKey: text('workflow_step_key'),
    peakRssBytes: int64('peak_rss_bytes'),
    cpuSeconds: doublePrecision('cpu_seconds'),
    peakProcessCount: int64('peak_process_count'),
    structuredOutput: jsonb('structured_output').$type<unknown>(),
    parentExecutionId: int64('parent_execution_id').references((): AnyPgColumn => executions.id, {
      onDelete: 'set null',
    }),
    forked: boolean('forked').notNull().default(false),
    limits: jsonb('limits').$type<RunLimits>(),
    deniedToolCalls: int64('denied_tool_calls').notNull().default(0),
    denials: jsonb('denials').$type<DenialDto[]>().notNull().default([]),
    warnings: jsonb('warnings').$type<RunWarning[]>().notNull().default([]),
    outputPrunedAt: int64('output_pruned_at'),
    workerId: text('worker_id'),
    handedBack: jsonb('handed_back').$type<HandedBack>(),
  },
  (t) => [
    index('executions_by_agent').on(t.agentId),
    index('executions_by_status').on(t.status),
    index('executions_by_trigger').on(t.trigger),
    index('executions_by_schedule').on(t.scheduleId),
    index('executions_recent').on(t.createdAt),
    index('executions_by_cost').on(t.costMicros),
    index('executions_by_duration').on(executionDurationKey(t.durationMs)),
    index('executions_active_by_schedule')
      .on(t.scheduleId)
      .where(sql`${t.status} in ('queued', 'running', 'awaiting_approval')`),
    index('executions_by_parent').on(t.parentExecutionId),
    index('executions_running_by_worker').on(t.workerId).where(sql`${t.status} = 'running'`),
    index('executions_by_month_cost').on(executionMonth(t.createdAt), t.costMicros),
    index('executions_output_to_prune')
      .on(t.finishedAt)
      .where(sql`${t.outputPrunedAt} is null and ${t.finishedAt} is not null`),
    // Postgres only: the Runs page's search (SQLite's executions_fts table and its watermark).
    index('executions_fts').using('gin', executionSearchVector(t.prompt, t.resultText)),
  ],
);

export const executionAttempts = pgTable(
  'execution_attempts',
  {
    id: rowId('id'),
    executionId: int64('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    attempt: int64('attempt').notNull(),
    status: text('status').$type<ExecutionStatus>().notNull(),
    startedAt: int64('started_at').notNull(),
    finishedAt: int64('finished_at').notNull(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    apiRetryCount: int64('api_retry_count').notNull().default(0),
    costMicros: int64('cost_micros').notNull().default(0),
    retryDelayMs: int64('retry_delay_ms'),
  },
  (t) => [uniqueIndex('execution_attempts_by_execution').on(t.executionId, t.attempt)],
);
