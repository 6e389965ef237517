import { type AnyColumn, sql } from 'drizzle-orm';
import {
  type AnySQLiteColumn,
  index,
  integer,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import type { DenialDto, ExecutionStatus, ExecutionTrigger, RunWarning } from '../../contracts/executions';
import { agentConfigurations } from './agents';
import { schedules } from './schedules';

/**
 * The UTC month ('2026-11') an execution's spend counts toward, as SQL. Queries must use this very
 * expression for SQLite to use the index built on it.
 */
export const executionMonth = (createdAt: AnyColumn) =>
  sql<string>`strftime('%Y-%m', ${createdAt} / 1000, 'unixepoch')`;

/**
 * A run's duration as the Runs page sorts it: runs without one (queued, never started) count as -1,
 * so the key is never null and a keyset cursor can compare it. Queries must use this very expression
 * for SQLite to use the index built on it.
 */
export const executionDurationKey = (durationMs: AnyColumn) => sql<number>`coalesce(${durationMs}, -1)`;

/** Where an attempt starts: the run's prompt in a new session, or an earlier session resumed. */
export type StartPoint =
  | { kind: 'prompt' }
  | {
      kind: 'resume';
      sessionId: string;
      /** Branch into a new session instead of continuing this one. */
      fork: boolean;
      /** A person's continue, or an approval's answer reaching a parked run. */
      why: 'continue' | 'approval';
      /** What the session is told (an approval's answer); null: the run's own prompt. */
      prompt: string | null;
    };

/**
 * A queued run's start point: what a stopping server left for the next start, or (with a shared
 * queue) what the worker that claims it runs it as.
 */
export interface HandedBack {
  at: number;
  /** The attempt the next start runs. */
  attempt: number;
  from: StartPoint;
}

/** One run of an agent. Token totals and cost are the run's final figures once it ends. */
export const executions = sqliteTable(
  'executions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    agentId: integer('agent_id')
      .notNull()
      .references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    scheduleId: integer('schedule_id').references(() => schedules.id, { onDelete: 'set null' }),
    trigger: text('trigger').$type<ExecutionTrigger>().notNull(),
    status: text('status').$type<ExecutionStatus>().notNull(),
    prompt: text('prompt').notNull(),
    model: text('model').notNull(),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    durationMs: integer('duration_ms'),
    numTurns: integer('num_turns').notNull().default(0),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cacheCreationTokens: integer('cache_creation_tokens').notNull().default(0),
    cacheReadTokens: integer('cache_read_tokens').notNull().default(0),
    /** The run's cost in integer micro-dollars: the figure the dashboard shows and budgets count. */
    costMicros: integer('cost_micros').notNull().default(0),
    /** The SDK's own estimate, kept beside it. */
    reportedCostMicros: integer('reported_cost_micros').notNull().default(0),
    resultText: text('result_text'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    /** API calls Claude Code retried during the run (its `api_retry` events). */
    apiRetryCount: integer('api_retry_count').notNull().default(0),
    /** 1 for the first attempt; a transient failure may start another attempt of the same execution. */
    attempt: integer('attempt').notNull().default(1),
    /** When the next attempt is due while the execution waits to be retried. */
    nextAttemptAt: integer('next_attempt_at'),
    sessionId: text('session_id'),
    /** Where the agent's credential came from (`apiKeySource` of the SDK's init message); never the credential. */
    apiKeySource: text('api_key_source'),
    /** Highest per-execution sequence number committed (steps and log lines share it). */
    lastSeq: integer('last_seq').notNull().default(0),
    lastActivityAt: integer('last_activity_at'),
    /** For trigger 'workflow': the workflow run and the step this execution is. */
    workflowRunId: integer('workflow_run_id'),
    workflowStepKey: text('workflow_step_key'),
    /** The run's process tree, kept up to date while it is sampled; null for a run never sampled. */
    peakRssBytes: integer('peak_rss_bytes'),
    cpuSeconds: real('cpu_seconds'),
    peakProcessCount: integer('peak_process_count'),
    /** The agent's structured answer (the SDK's `structured_output`), for agents that give one. */
    structuredOutput: text('structured_output', { mode: 'json' }).$type<unknown>(),
    /** For trigger 'continue': the run whose session this one resumes. */
    parentExecutionId: integer('parent_execution_id').references((): AnySQLiteColumn => executions.id, {
      onDelete: 'set null',
    }),
    /** A continue that branched into a new session instead of resuming its parent's. */
    forked: integer('forked', { mode: 'boolean' }).notNull().default(false),
    /**
     * The limits it runs under when they differ from its agent's (a workflow step's, a schedule's
     * approval timeout): kept so a run woken after a restart (an approval's answer) keeps them.
     */
    limits: text('limits', { mode: 'json' }).$type<RunLimits>(),
    deniedToolCalls: integer('denied_tool_calls').notNull().default(0),
    denials: text('denials', { mode: 'json' }).$type<DenialDto[]>().notNull().default(sql`'[]'`),
    warnings: text('warnings', { mode: 'json' }).$type<RunWarning[]>().notNull().default(sql`'[]'`),
    /** When retention dropped the run's log lines and steps (its row, cost and result stay); null while kept. */
    outputPrunedAt: integer('output_pruned_at'),
    /** The worker that ran its last attempt (`workers.id`); null until one starts it. */
    workerId: text('worker_id'),
    /**
     * Set on a queued run a stopping server left for the next start (never started, waiting for a
     * retry, or handed back mid-attempt): the next start queues it again instead of interrupting
     * it, from this start point. With a shared queue (Postgres with worker hosts), set too on a
     * continue, a retry and an answered approval's wake: the worker that claims it starts there.
     * Cleared when an attempt starts.
     */
    handedBack: text('handed_back', { mode: 'json' }).$type<HandedBack>(),
  },
  (t) => [
    // One column each: SQLite appends the rowid (the id), so a filtered page reads newest-first
    // straight from the index, with no sort, whichever one filter it uses.
    index('executions_by_agent').on(t.agentId),
    index('executions_by_status').on(t.status),
    index('executions_by_trigger').on(t.trigger),
    index('executions_by_schedule').on(t.scheduleId),
    index('executions_recent').on(t.createdAt),
    // The Runs page sorted by cost or duration, keyset-paged on (key, id): the id rides in the index.
    index('executions_by_cost').on(t.costMicros),
    index('executions_by_duration').on(executionDurationKey(t.durationMs)),
    // A schedule's queued and running runs, read for its overlap policy on every slot: only active
    // runs are in it, so a schedule with years of history costs no more than a new one.
    index('executions_active_by_schedule')
      .on(t.scheduleId)
      .where(sql`${t.status} in ('queued', 'running', 'awaiting_approval')`),
    index('executions_by_parent').on(t.parentExecutionId),
    // A worker's running runs, counted for the Workers page.
    index('executions_running_by_worker').on(t.workerId).where(sql`${t.status} = 'running'`),
    // The month's most expensive runs: read the month's end of this index, no scan and no sort.
    index('executions_by_month_cost').on(executionMonth(t.createdAt), t.costMicros),
    // Runs whose output retention has still to drop, oldest end first: pruned runs leave the index.
    index('executions_output_to_prune')
      .on(t.finishedAt)
      .where(sql`${t.outputPrunedAt} is null and ${t.finishedAt} is not null`),
  ],
);

/**
 * How far the Runs page's search index (`executions_fts`, see migration 0016) has read the runs:
 * every id up to `indexedThrough` is indexed. New runs are indexed in batches (one FTS5 statement
 * for many rows) before each search and every few seconds, not by a trigger per row: a trigger's
 * FTS5 insert costs ~35 µs a row (each one flushes FTS5's pending terms), which made up most of a
 * scheduler tick that queues 100 runs (`npm run bench -- --only scheduler`). Ids only grow
 * (AUTOINCREMENT), so one number says which runs are in. One row.
 */
export const executionsSearchWatermark = sqliteTable('executions_fts_watermark', {
  id: integer('id').primaryKey(),
  indexedThrough: integer('indexed_through').notNull(),
});

/** Overrides of the agent's limits a run was started with (absent: the agent's). */
export interface RunLimits {
  timeoutSeconds?: number;
  runRetries?: number;
  workflowCapMicros?: number | null;
  approvalTimeoutMinutes?: number;
}

export type Execution = typeof executions.$inferSelect;
export type NewExecution = typeof executions.$inferInsert;

/** One attempt of an execution: how it ended and what it spent. The execution row holds the totals. */
export const executionAttempts = sqliteTable(
  'execution_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    executionId: integer('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    status: text('status').$type<ExecutionStatus>().notNull(),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at').notNull(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    apiRetryCount: integer('api_retry_count').notNull().default(0),
    costMicros: integer('cost_micros').notNull().default(0),
    /** The backoff chosen before the next attempt; null when this attempt was the last. */
    retryDelayMs: integer('retry_delay_ms'),
  },
  (t) => [uniqueIndex('execution_attempts_by_execution').on(t.executionId, t.attempt)],
);

export type ExecutionAttempt = typeof executionAttempts.$inferSelect;
