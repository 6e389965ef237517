import {
  and,
  count,
  desc,
  eq,
  gt,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  ne,
  notExists,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { AgentDenialSummary } from '../../contracts/agents';
import type { ModelCostRecord } from '../../contracts/costs';
import {
  ACTIVE_STATUSES,
  type DenialDto,
  type ExecutionChain,
  type ExecutionDetail,
  type ExecutionLive,
  type ExecutionStatus,
  type ExecutionSummary,
  type ExecutionTrigger,
  HANDED_BACK,
  type LogLineDto,
  microsToUsd,
  type RunWarning,
  type StepDto,
} from '../../contracts/executions';
import type { Db, DbConnection } from '../index';
import { onSqlite } from '../plan';
import { statementPerConnection } from '../prepared';
import * as sqliteTables from '../schema';
import {
  approvals,
  costTracking,
  type Execution,
  executionAttempts,
  executionLogs,
  executionSteps,
  executions,
  type HandedBack,
  type RunLimits,
  schedules,
  workflowRuns,
  workflows,
} from '../schema';
import type { Tables } from '../store';
import { getExecutionResources } from './runResources';

/**
 * The name of what started a run: its schedule's, or its workflow's. A subquery rather than a join,
 * so it is read only for the rows a page returns and never changes the plan of the list itself.
 */
function triggerNameOf({ executions: runs, schedules, workflowRuns, workflows }: Tables) {
  return sql<string | null>`case ${runs.trigger}
    when 'schedule' then (select nullif(${schedules.name}, '') from ${schedules} where ${schedules.id} = ${runs.scheduleId})
    when 'workflow' then (select ${workflows.name} from ${workflowRuns}
      join ${workflows} on ${workflows.id} = ${workflowRuns.workflowId} where ${workflowRuns.id} = ${runs.workflowRunId})
    end`;
}

/** A list row's columns, of either dialect's tables (see store.ts). */
function summaryColumnsOf(t: Tables) {
  const runs = t.executions;
  return {
    id: runs.id,
    agentId: runs.agentId,
    agentName: t.agentConfigurations.name,
    status: runs.status,
    trigger: runs.trigger,
    scheduleId: runs.scheduleId,
    workflowRunId: runs.workflowRunId,
    workflowStepKey: runs.workflowStepKey,
    triggerName: triggerNameOf(t),
    model: runs.model,
    createdAt: runs.createdAt,
    startedAt: runs.startedAt,
    finishedAt: runs.finishedAt,
    durationMs: runs.durationMs,
    numTurns: runs.numTurns,
    inputTokens: runs.inputTokens,
    outputTokens: runs.outputTokens,
    cacheCreationTokens: runs.cacheCreationTokens,
    cacheReadTokens: runs.cacheReadTokens,
    costMicros: runs.costMicros,
    errorCode: runs.errorCode,
    errorMessage: runs.errorMessage,
    lastSeq: runs.lastSeq,
    apiRetryCount: runs.apiRetryCount,
    attempt: runs.attempt,
    nextAttemptAt: runs.nextAttemptAt,
    parentExecutionId: runs.parentExecutionId,
    deniedToolCalls: runs.deniedToolCalls,
    warnings: runs.warnings,
    workerId: runs.workerId,
  };
}

export function toSummary({
  costMicros,
  ...row
}: Omit<ExecutionSummary, 'costUsd' | 'queuePosition' | 'waitReason'> & {
  costMicros: number;
}): ExecutionSummary {
  // Queue positions and wait reasons live in the engine's memory; it fills them in (see runtime.ts).
  return { ...row, costUsd: microsToUsd(costMicros), queuePosition: null, waitReason: null };
}

/**
 * Runs as list rows, before any filter: what a list adds its joins and filters to. On a Store's
 * database and tables, or on the SQLite ones for the synchronous queries.
 */
export function summarySelect(db: Db, t: Tables = sqliteTables) {
  return db
    .select(summaryColumnsOf(t))
    .from(t.executions)
    .innerJoin(t.agentConfigurations, eq(t.agentConfigurations.id, t.executions.agentId))
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
  parentExecutionId?: number | null;
  forked?: boolean;
  limits?: RunLimits | null;
  createdAt?: number;
}

// Every run starts here, a scheduler tick a hundred at a time: prepared once per connection, the
// values bound by position.
const queuedInsert = statementPerConnection((sqlite) =>
  sqlite.prepare<
    [
      number,
      string,
      string,
      ExecutionTrigger,
      number | null,
      number | null,
      string | null,
      number | null,
      number,
      string | null,
      number,
    ]
  >(
    `insert into executions
       (agent_id, prompt, model, trigger, schedule_id, workflow_run_id, workflow_step_key,
        parent_execution_id, forked, limits, status, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
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
    input.parentExecutionId ?? null,
    input.forked ? 1 : 0,
    input.limits ? JSON.stringify(input.limits) : null,
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
      forked: executions.forked,
      denials: executions.denials,
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
    forked: extra?.forked ?? false,
    denials: extra?.denials ?? [],
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
  return detail && { ...detail, resources: onSqlite(db, (store) => getExecutionResources(store, id)) };
}

/** What the live frames carry: the detail without the prompt, which can be long and never changes. */
export function getExecutionLive(db: Db, id: number): ExecutionLive | undefined {
  const detail = getExecutionDetail(db, id);
  if (!detail) return undefined;
  const { prompt: _prompt, ...live } = detail;
  return live;
}

/** Every execution not yet ended, and the newest `limit` of all: what a live list starts from. */
export function listRecentAndActive(db: Db, limit: number): ExecutionSummary[] {
  // Sorted below with the recent ones: an IN over the status index would need a sort step in SQL.
  const active = summaries(db, inArray(executions.status, [...ACTIVE_STATUSES]))
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
/** An attempt starts: the run is `running`, on this worker, in one write. */
export function markExecutionRunning(
  db: Db,
  id: number,
  { startedAt, attempt, workerId }: { startedAt: number; attempt: number; workerId: string },
): void {
  db.update(executions)
    .set({
      status: 'running',
      attempt,
      workerId,
      nextAttemptAt: null,
      handedBack: null,
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
    // A run a clean stop left queued for this start is not unfinished business: it is queued again.
    .where(
      or(
        eq(executions.status, 'running'),
        and(eq(executions.status, 'queued'), isNull(executions.handedBack)),
      ),
    )
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

/** The runs the last server left queued for this start (see engine/handBack.ts), oldest first. */
export function handedBackExecutions(db: Db): (Execution & { handedBack: HandedBack })[] {
  return db
    .select()
    .from(executions)
    .where(and(eq(executions.status, 'queued'), isNotNull(executions.handedBack)))
    .orderBy(executions.id)
    .all()
    .flatMap((row) => (row.handedBack ? [{ ...row, handedBack: row.handedBack }] : []));
}

/** How many of a run's attempts were handed back (they use up none of its retries). */
export function countHandedBackAttempts(db: Db, executionId: number): number {
  const row = db
    .select({ n: count() })
    .from(executionAttempts)
    .where(and(eq(executionAttempts.executionId, executionId), eq(executionAttempts.errorCode, HANDED_BACK)))
    .get();
  return row?.n ?? 0;
}

/** A status written outside the run's start and end: awaiting approval, running again, queued to resume. */
export function markExecutionStatus(
  db: Db,
  id: number,
  status: Extract<ExecutionStatus, 'awaiting_approval' | 'running' | 'queued'>,
  at: number,
): void {
  db.update(executions).set({ status, lastActivityAt: at }).where(eq(executions.id, id)).run();
}

export interface RunFindings {
  deniedToolCalls: number;
  denials: DenialDto[];
  warnings: RunWarning[];
}

/** A run's denied calls and warnings so far, written as they happen. */
export function recordRunFindings(db: Db, id: number, findings: RunFindings): void {
  db.update(executions).set(findings).where(eq(executions.id, id)).run();
}

/** Everything the engine needs to take a parked run up again (after its process ended, or a restart). */
export function getExecutionRow(db: Db, id: number): Execution | undefined {
  return db.select().from(executions).where(eq(executions.id, id)).get();
}

/** What the run's earlier processes stored per model. */
export function getExecutionCostRecords(db: Db, id: number): ModelCostRecord[] {
  return db
    .select()
    .from(costTracking)
    .where(eq(costTracking.executionId, id))
    .all()
    .map(({ id: _id, executionId: _e, agentId: _a, createdAt: _c, updatedAt: _u, ...row }) => row);
}

/** Tool calls the run made (the structured answer aside): what "every call was denied" compares with. */
export function countToolCalls(db: Db, id: number): number {
  const row = db
    .select({ n: count() })
    .from(executionSteps)
    .where(
      and(
        eq(executionSteps.executionId, id),
        eq(executionSteps.kind, 'tool_use'),
        ne(executionSteps.toolName, 'StructuredOutput'),
      ),
    )
    .get();
  return row?.n ?? 0;
}

/** A parked run's figures once its process ended: the run stays awaiting approval. */
export function recordParkedProgress(db: Db, id: number, progress: ExecutionProgress): void {
  db.update(executions).set(progress).where(eq(executions.id, id)).run();
}

/** Runs that wait for an approval nobody needs to give any more (answered while the server went down). */
export function awaitingRunsWithoutPendingApproval(db: Db): number[] {
  return db
    .select({ id: executions.id })
    .from(executions)
    .where(
      and(
        eq(executions.status, 'awaiting_approval'),
        notExists(
          db
            .select({ id: approvals.id })
            .from(approvals)
            .where(and(eq(approvals.executionId, executions.id), eq(approvals.status, 'pending'))),
        ),
      ),
    )
    .all()
    .map((row) => row.id);
}

/** The first run of a continue chain. */
export function chainRootOf(db: Db, id: number): number {
  let current = id;
  for (let hops = 0; hops < 10_000; hops += 1) {
    const row = db
      .select({ parent: executions.parentExecutionId })
      .from(executions)
      .where(eq(executions.id, current))
      .get();
    if (!row || row.parent === null) return current;
    current = row.parent;
  }
  return current;
}

/** Every run continued from the same first run, oldest first, with their total cost. */
export function getExecutionChain(db: Db, id: number): ExecutionChain {
  const rootId = chainRootOf(db, id);
  const rows = db.all<{
    id: number;
    parent_execution_id: number | null;
    status: ExecutionStatus;
    trigger: ExecutionTrigger;
    forked: number;
    cost_micros: number;
    created_at: number;
  }>(sql`
    with recursive chain(id) as (
      select ${rootId}
      union all
      select e.id from executions e join chain on e.parent_execution_id = chain.id
    )
    select e.id, e.parent_execution_id, e.status, e.trigger, e.forked, e.cost_micros, e.created_at
    from executions e join chain on e.id = chain.id
    order by e.id`);
  const executionsOfChain = rows.map((row) => ({
    id: row.id,
    parentExecutionId: row.parent_execution_id,
    status: row.status,
    trigger: row.trigger,
    forked: row.forked === 1,
    costUsd: microsToUsd(row.cost_micros),
    createdAt: row.created_at,
  }));
  const totalMicros = rows.reduce((sum, row) => sum + row.cost_micros, 0);
  return { rootId, executions: executionsOfChain, totalCostUsd: microsToUsd(totalMicros) };
}

/** Whether an agent's recent runs keep hitting denials: its last `limit` runs' denied calls, by tool. */
export function agentDenialSummary(db: Db, agentId: number, limit = 20): AgentDenialSummary {
  const rows = db
    .select({ deniedToolCalls: executions.deniedToolCalls, denials: executions.denials })
    .from(executions)
    .where(eq(executions.agentId, agentId))
    .orderBy(desc(executions.id))
    .limit(limit)
    .all();
  const byTool = new Map<string, number>();
  for (const row of rows)
    for (const denial of row.denials) byTool.set(denial.toolName, (byTool.get(denial.toolName) ?? 0) + 1);
  return {
    runs: rows.length,
    runsWithDenials: rows.filter((row) => row.deniedToolCalls > 0).length,
    deniedToolCalls: rows.reduce((sum, row) => sum + row.deniedToolCalls, 0),
    tools: [...byTool].map(([toolName, n]) => ({ toolName, count: n })).sort((a, b) => b.count - a.count),
  };
}
