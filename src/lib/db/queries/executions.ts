import { and, desc, eq, gt, inArray, lt, lte, type SQL, sql } from 'drizzle-orm';
import {
  type ExecutionDetail,
  type ExecutionLive,
  type ExecutionSummary,
  type ExecutionTrigger,
  type LogLineDto,
  microsToUsd,
  type StepDto,
} from '../../contracts/executions';
import type { Db, DbConnection } from '../index';
import { statementPerConnection } from '../prepared';
import {
  agentConfigurations,
  costTracking,
  executionAttempts,
  executionLogs,
  executionSteps,
  executions,
  schedules,
  workflowRuns,
  workflows,
} from '../schema';
import { getExecutionResources } from './runResources';

/**
 * The name of what started a run: its schedule's, or its workflow's. A subquery rather than a join,
 * so it is read only for the rows a page returns and never changes the plan of the list itself.
 */
function triggerNameOf(runs: typeof executions) {
  return sql<string | null>`case ${runs.trigger}
    when 'schedule' then (select nullif(${schedules.name}, '') from ${schedules} where ${schedules.id} = ${runs.scheduleId})
    when 'workflow' then (select ${workflows.name} from ${workflowRuns}
      join ${workflows} on ${workflows.id} = ${workflowRuns.workflowId} where ${workflowRuns.id} = ${runs.workflowRunId})
    end`;
}

const summaryColumns = {
  id: executions.id,
  agentId: executions.agentId,
  agentName: agentConfigurations.name,
  status: executions.status,
  trigger: executions.trigger,
  scheduleId: executions.scheduleId,
  workflowRunId: executions.workflowRunId,
  workflowStepKey: executions.workflowStepKey,
  triggerName: triggerNameOf(executions),
  model: executions.model,
  createdAt: executions.createdAt,
  startedAt: executions.startedAt,
  finishedAt: executions.finishedAt,
  durationMs: executions.durationMs,
  numTurns: executions.numTurns,
  inputTokens: executions.inputTokens,
  outputTokens: executions.outputTokens,
  cacheCreationTokens: executions.cacheCreationTokens,
  cacheReadTokens: executions.cacheReadTokens,
  costMicros: executions.costMicros,
  errorCode: executions.errorCode,
  errorMessage: executions.errorMessage,
  lastSeq: executions.lastSeq,
  apiRetryCount: executions.apiRetryCount,
  attempt: executions.attempt,
  nextAttemptAt: executions.nextAttemptAt,
};

export function toSummary({
  costMicros,
  ...row
}: Omit<ExecutionSummary, 'costUsd' | 'queuePosition'> & { costMicros: number }): ExecutionSummary {
  // Queue positions live in the tracker's memory; it fills them in (see runtime.ts).
  return { ...row, costUsd: microsToUsd(costMicros), queuePosition: null };
}

/** Runs as list rows, before any filter: what a list adds its joins and filters to. */
export function summarySelect(db: Db) {
  return db
    .select(summaryColumns)
    .from(executions)
    .innerJoin(agentConfigurations, eq(agentConfigurations.id, executions.agentId))
    .$dynamic();
}

export function summaries(db: Db, where: SQL | undefined) {
  return summarySelect(db).where(where);
}

/** Newest first, read from the rowid order of whichever index the filter uses. */
function selectSummaries(db: Db, where: SQL | undefined, limit: number): ExecutionSummary[] {
  return summaries(db, where).orderBy(desc(executions.id)).limit(limit).all().map(toSummary);
}

export interface NewExecutionInput {
  agentId: number;
  prompt: string;
  model: string;
  trigger: ExecutionTrigger;
  scheduleId?: number | null;
  workflowRunId?: number | null;
  workflowStepKey?: string | null;
  createdAt?: number;
}

// Every run starts here, a scheduler tick a hundred at a time: prepared once per connection, the
// values bound by position.
const queuedInsert = statementPerConnection((sqlite) =>
  sqlite.prepare<
    [number, string, string, ExecutionTrigger, number | null, number | null, string | null, number]
  >(
    `insert into executions
       (agent_id, prompt, model, trigger, schedule_id, workflow_run_id, workflow_step_key, status, created_at)
     values (?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
  ),
);

export function insertQueuedExecution(db: DbConnection, input: NewExecutionInput): number {
  const { lastInsertRowid } = queuedInsert(db).run(
    input.agentId,
    input.prompt,
    input.model,
    input.trigger,
    input.scheduleId ?? null,
    input.workflowRunId ?? null,
    input.workflowStepKey ?? null,
    input.createdAt ?? Date.now(),
  );
  return Number(lastInsertRowid);
}

type RunOrigin = Pick<ExecutionSummary, 'trigger' | 'scheduleId' | 'workflowRunId'>;

/** The name a new run's trigger shows (its schedule's or workflow's), for the view built without reading it back. */
export function getTriggerName(db: Db, origin: RunOrigin): string | null {
  if (origin.trigger === 'schedule' && origin.scheduleId !== null) {
    const row = db
      .select({ name: schedules.name })
      .from(schedules)
      .where(eq(schedules.id, origin.scheduleId))
      .get();
    return row?.name || null;
  }
  if (origin.trigger === 'workflow' && origin.workflowRunId !== null) {
    const row = db
      .select({ name: workflows.name })
      .from(workflowRuns)
      .innerJoin(workflows, eq(workflows.id, workflowRuns.workflowId))
      .where(eq(workflowRuns.id, origin.workflowRunId))
      .get();
    return row?.name ?? null;
  }
  return null;
}

export function getExecutionSummary(db: Db, id: number): ExecutionSummary | undefined {
  return selectSummaries(db, eq(executions.id, id), 1)[0];
}

export function getExecutionDetail(db: Db, id: number): ExecutionDetail | undefined {
  const summary = getExecutionSummary(db, id);
  if (!summary) return undefined;
  const extra = db
    .select({
      prompt: executions.prompt,
      resultText: executions.resultText,
      sessionId: executions.sessionId,
      apiKeySource: executions.apiKeySource,
      structuredOutput: executions.structuredOutput,
      outputPrunedAt: executions.outputPrunedAt,
    })
    .from(executions)
    .where(eq(executions.id, id))
    .get();
  const costs = db.select().from(costTracking).where(eq(costTracking.executionId, id)).all();
  const attempts = db
    .select()
    .from(executionAttempts)
    .where(eq(executionAttempts.executionId, id))
    .orderBy(executionAttempts.attempt)
    .all();
  return {
    ...summary,
    prompt: extra?.prompt ?? '',
    resultText: extra?.resultText ?? null,
    sessionId: extra?.sessionId ?? null,
    apiKeySource: extra?.apiKeySource ?? null,
    structuredOutput: extra?.structuredOutput ?? null,
    outputPrunedAt: extra?.outputPrunedAt ?? null,
    costs: costs.map((c) => ({
      model: c.model,
      inputTokens: c.inputTokens,
      outputTokens: c.outputTokens,
      cacheCreation5mTokens: c.cacheCreation5mTokens,
      cacheCreation1hTokens: c.cacheCreation1hTokens,
      cacheReadTokens: c.cacheReadTokens,
      costUsd: microsToUsd(c.costMicros),
      reportedCostUsd: microsToUsd(c.reportedCostMicros),
      costSource: c.costSource,
      usageSource: c.usageSource,
      unpriced: c.unpriced,
      costMismatch: c.costMismatch,
      responseCount: c.responseCount,
    })),
    attempts: attempts.map(({ id: _id, executionId: _executionId, costMicros, ...attempt }) => ({
      ...attempt,
      costUsd: microsToUsd(costMicros),
    })),
  };
}

/** The run as its page and `GET /api/executions/[id]` show it: the detail and what its process tree used. */
export function getExecutionDetailWithResources(db: Db, id: number): ExecutionDetail | undefined {
  const detail = getExecutionDetail(db, id);
  return detail && { ...detail, resources: getExecutionResources(db, id) };
}

/** What the live frames carry: the detail without the prompt, which can be long and never changes. */
export function getExecutionLive(db: Db, id: number): ExecutionLive | undefined {
  const detail = getExecutionDetail(db, id);
  if (!detail) return undefined;
  const { prompt: _prompt, ...live } = detail;
  return live;
}

/** Every queued or running execution, and the newest `limit` of all: what a live list starts from. */
export function listRecentAndActive(db: Db, limit: number): ExecutionSummary[] {
  // Sorted below with the recent ones: an IN over the status index would need a sort step in SQL.
  const active = summaries(db, inArray(executions.status, ['queued', 'running']))
    .all()
    .map(toSummary);
  const recent = selectSummaries(db, undefined, limit);
  const byId = new Map([...recent, ...active].map((item) => [item.id, item]));
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

export function getExecutionSteps(
  db: Db,
  executionId: number,
  afterSeq = 0,
  throughSeq = Number.MAX_SAFE_INTEGER,
): StepDto[] {
  return db
    .select({
      seq: executionSteps.seq,
      kind: executionSteps.kind,
      summary: executionSteps.summary,
      toolName: executionSteps.toolName,
      toolUseId: executionSteps.toolUseId,
      isError: executionSteps.isError,
      payload: executionSteps.payload,
      createdAt: executionSteps.createdAt,
    })
    .from(executionSteps)
    .where(
      and(
        eq(executionSteps.executionId, executionId),
        gt(executionSteps.seq, afterSeq),
        lte(executionSteps.seq, throughSeq),
      ),
    )
    .orderBy(executionSteps.seq)
    .all();
}

const logColumns = {
  seq: executionLogs.seq,
  level: executionLogs.level,
  text: executionLogs.text,
  createdAt: executionLogs.createdAt,
};

export function getExecutionLogs(db: Db, executionId: number, afterSeq = 0, limit = 100_000): LogLineDto[] {
  return db
    .select(logColumns)
    .from(executionLogs)
    .where(and(eq(executionLogs.executionId, executionId), gt(executionLogs.seq, afterSeq)))
    .orderBy(executionLogs.seq)
    .limit(limit)
    .all();
}

/** An attempt starts; the execution keeps the start time of its first attempt. */
export function markExecutionRunning(db: Db, id: number, startedAt: number, attempt: number): void {
  db.update(executions)
    .set({
      status: 'running',
      attempt,
      nextAttemptAt: null,
      startedAt: sql`coalesce(${executions.startedAt}, ${startedAt})`,
      lastActivityAt: startedAt,
    })
    .where(eq(executions.id, id))
    .run();
}

export type NewExecutionAttempt = typeof executionAttempts.$inferInsert;

/**
 * An attempt ended in a transient failure and another is due: the attempt is recorded and the
 * execution waits `queued` until `nextAttemptAt`, keeping the failure that caused the retry.
 */
export function recordAttemptForRetry(db: Db, attempt: NewExecutionAttempt, nextAttemptAt: number): void {
  db.transaction((tx) => {
    tx.insert(executionAttempts).values(attempt).run();
    tx.update(executions)
      .set({
        status: 'queued',
        nextAttemptAt,
        errorCode: attempt.errorCode,
        errorMessage: attempt.errorMessage,
      })
      .where(eq(executions.id, attempt.executionId))
      .run();
  });
}

export interface ExecutionInit {
  sessionId: string;
  apiKeySource: string;
  model: string;
}

export function recordExecutionInit(db: Db, id: number, init: ExecutionInit): void {
  db.update(executions).set(init).where(eq(executions.id, id)).run();
}

export interface TokenTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
}

/** A running execution's figures so far, written as its recorder flushes. */
export interface ExecutionProgress extends TokenTotals {
  numTurns: number;
  apiRetryCount: number;
}

export function updateExecutionProgress(db: Db, id: number, progress: ExecutionProgress): void {
  db.update(executions).set(progress).where(eq(executions.id, id)).run();
}

/** The `limit` lines just before `beforeSeq`, oldest first: the page above what the viewer shows. */
export function getExecutionLogsBefore(
  db: Db,
  executionId: number,
  beforeSeq: number,
  limit: number,
): LogLineDto[] {
  return db
    .select(logColumns)
    .from(executionLogs)
    .where(and(eq(executionLogs.executionId, executionId), lt(executionLogs.seq, beforeSeq)))
    .orderBy(desc(executionLogs.seq))
    .limit(limit)
    .all()
    .reverse();
}

/** How many log lines come before `beforeSeq`: the line number the page's first held line follows. */
export function countExecutionLogsBefore(db: Db, executionId: number, beforeSeq: number): number {
  const row = db
    .select({ count: sql<number>`count(*)` })
    .from(executionLogs)
    .where(and(eq(executionLogs.executionId, executionId), lt(executionLogs.seq, beforeSeq)))
    .get();
  return row?.count ?? 0;
}

/**
 * After a crash: runs the previous server left queued or running can never finish, so they end
 * `interrupted`, dated at their last recorded activity.
 */
export function interruptUnfinishedExecutions(db: Db): number[] {
  const rows = db
    .select({
      id: executions.id,
      startedAt: executions.startedAt,
      createdAt: executions.createdAt,
      lastActivityAt: executions.lastActivityAt,
    })
    .from(executions)
    .where(inArray(executions.status, ['queued', 'running']))
    .all();
  db.transaction((tx) => {
    for (const row of rows) {
      const lastActivity = row.lastActivityAt ?? row.startedAt ?? row.createdAt;
      tx.update(executions)
        .set({
          status: 'interrupted',
          errorCode: 'interrupted',
          errorMessage: `The server stopped during the run; last activity at ${new Date(lastActivity).toISOString()}`,
          finishedAt: lastActivity,
          durationMs: row.startedAt === null ? null : lastActivity - row.startedAt,
          // A run waiting for its next attempt will not get one.
          nextAttemptAt: null,
        })
        .where(eq(executions.id, row.id))
        .run();
    }
  });
  return rows.map((row) => row.id);
}
