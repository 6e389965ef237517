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
import type { DbExecutor } from '../executor';
import { changesOf, firstOf, type Plan, preparedRowsOf, rowsOf } from '../plan';
import { preparedPerStore, rawOnSqlite, sqliteInsertedId } from '../prepared';
import { insertedRow } from '../returning';
import { lockedRows } from '../rowLocks';
import type { Execution, executionAttempts, HandedBack, RunLimits } from '../schema';
import type { Store, Tables } from '../store';
import { getExecutionResources } from './runResources';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres, inside a transaction or not.
// The engine runs them through its ledger (engine/ledger.ts); routes and pages await them on their store.

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
 * Runs as list rows, before any filter: what a list adds its joins and filters to, on a store's
 * database and tables.
 */
export function summarySelect(db: DbExecutor, t: Tables) {
  return db
    .select(summaryColumnsOf(t))
    .from(t.executions)
    .innerJoin(t.agentConfigurations, eq(t.agentConfigurations.id, t.executions.agentId))
    .$dynamic();
}

/** Newest first, read from the rowid order of whichever index the filter uses. */
function* selectSummaries({ db, t }: Store, where: SQL | undefined, limit: number): Plan<ExecutionSummary[]> {
  const rows = yield* rowsOf(summarySelect(db, t).where(where).orderBy(desc(t.executions.id)).limit(limit));
  return rows.map(toSummary);
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

// Every run starts here, a scheduler tick a hundred at a time: prepared once per connection. On
// SQLite better-sqlite3's own statement, the id from the rowid: drizzle's prepared insert with
// `returning` made the tick of 100 due schedules ~1 ms slower (`npm run bench -- --only
// scheduler`, p50 4.3–5.0 against 3.1–3.5 ms). On Postgres drizzle's, returning the id.
const queuedInsert = rawOnSqlite<{ id: number }>(
  (sqlite) =>
    sqliteInsertedId(
      sqlite.prepare(
        `insert into executions
           (agent_id, prompt, model, trigger, schedule_id, workflow_run_id, workflow_step_key,
            parent_execution_id, forked, limits, status, created_at)
         values (@agentId, @prompt, @model, @trigger, @scheduleId, @workflowRunId, @workflowStepKey,
            @parentExecutionId, @forked, @limits, 'queued', @createdAt)`,
      ),
    ),
  ({ db, t }) => {
    const value = (name: string) => sql.placeholder(name);
    return db
      .insert(t.executions)
      .values({
        agentId: value('agentId'),
        prompt: value('prompt'),
        model: value('model'),
        trigger: value('trigger'),
        scheduleId: value('scheduleId'),
        workflowRunId: value('workflowRunId'),
        workflowStepKey: value('workflowStepKey'),
        parentExecutionId: value('parentExecutionId'),
        forked: value('forked'),
        limits: value('limits'),
        status: 'queued',
        createdAt: value('createdAt'),
      })
      .returning({ id: t.executions.id })
      .prepare();
  },
);

/** A queued run's row, and its id. Joins the caller's transaction (a schedule's firing and its run commit together). */
export function* insertQueuedExecution(store: Store, input: NewExecutionInput): Plan<number> {
  const forked = input.forked ?? false;
  const limits = input.limits ?? null;
  const onSqlite = store.dialect === 'sqlite';
  const rows = yield* preparedRowsOf(queuedInsert(store), {
    agentId: input.agentId,
    prompt: input.prompt,
    model: input.model,
    trigger: input.trigger,
    scheduleId: input.scheduleId ?? null,
    workflowRunId: input.workflowRunId ?? null,
    workflowStepKey: input.workflowStepKey ?? null,
    parentExecutionId: input.parentExecutionId ?? null,
    // SQLite's statement binds what the columns store; drizzle maps each value through its column.
    forked: onSqlite ? Number(forked) : forked,
    limits: onSqlite && limits ? JSON.stringify(limits) : limits,
    createdAt: input.createdAt ?? Date.now(),
  });
  return insertedRow(rows).id;
}

type RunOrigin = Pick<ExecutionSummary, 'trigger' | 'scheduleId' | 'workflowRunId'>;

/** The name a new run's trigger shows (its schedule's or workflow's), for the view built without reading it back. */
export function* getTriggerName({ db, t }: Store, origin: RunOrigin): Plan<string | null> {
  if (origin.trigger === 'schedule' && origin.scheduleId !== null) {
    const row = yield* firstOf(
      db.select({ name: t.schedules.name }).from(t.schedules).where(eq(t.schedules.id, origin.scheduleId)),
    );
    return row?.name || null;
  }
  if (origin.trigger === 'workflow' && origin.workflowRunId !== null) {
    const row = yield* firstOf(
      db
        .select({ name: t.workflows.name })
        .from(t.workflowRuns)
        .innerJoin(t.workflows, eq(t.workflows.id, t.workflowRuns.workflowId))
        .where(eq(t.workflowRuns.id, origin.workflowRunId)),
    );
    return row?.name ?? null;
  }
  return null;
}

// A run's reads are prepared once per connection: every subscriber, SSE reconnect and run page
// reads the run's view, and every scroll a log page. Drizzle composing and SQLite compiling these
// statements cost ~20× answering them (bench: logReads).
const summaryById = preparedPerStore(({ db, t }: Store) =>
  summarySelect(db, t)
    .where(eq(t.executions.id, sql.placeholder('id')))
    .prepare(),
);

const detailById = preparedPerStore(({ db, t }: Store) => {
  const { executions } = t;
  return db
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
    .where(eq(executions.id, sql.placeholder('id')))
    .prepare();
});

const costsOfRun = preparedPerStore(({ db, t }: Store) =>
  db
    .select()
    .from(t.costTracking)
    .where(eq(t.costTracking.executionId, sql.placeholder('id')))
    .orderBy(t.costTracking.model)
    .prepare(),
);

const attemptsOfRun = preparedPerStore(({ db, t }: Store) =>
  db
    .select()
    .from(t.executionAttempts)
    .where(eq(t.executionAttempts.executionId, sql.placeholder('id')))
    .orderBy(t.executionAttempts.attempt, t.executionAttempts.id)
    .prepare(),
);

export function* getExecutionSummary(store: Store, id: number): Plan<ExecutionSummary | undefined> {
  const [row] = yield* preparedRowsOf(summaryById(store), { id });
  return row && toSummary(row);
}

export function* getExecutionDetail(store: Store, id: number): Plan<ExecutionDetail | undefined> {
  const summary = yield* getExecutionSummary(store, id);
  if (!summary) return undefined;
  const [extra] = yield* preparedRowsOf(detailById(store), { id });
  const costs = yield* preparedRowsOf(costsOfRun(store), { id });
  const attempts = yield* preparedRowsOf(attemptsOfRun(store), { id });
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
export function* getExecutionDetailWithResources(
  store: Store,
  id: number,
): Plan<ExecutionDetail | undefined> {
  const detail = yield* getExecutionDetail(store, id);
  return detail && { ...detail, resources: yield* getExecutionResources(store, id) };
}

/** What the live frames carry: the detail without the prompt, which can be long and never changes. */
export function* getExecutionLive(store: Store, id: number): Plan<ExecutionLive | undefined> {
  const detail = yield* getExecutionDetail(store, id);
  if (!detail) return undefined;
  const { prompt: _prompt, ...live } = detail;
  return live;
}

/** Every execution not yet ended, and the newest `limit` of all: what a live list starts from. */
export function* listRecentAndActive(store: Store, limit: number): Plan<ExecutionSummary[]> {
  const { db, t } = store;
  // Sorted below with the recent ones: an IN over the status index would need a sort step in SQL.
  const activeRows = yield* rowsOf(
    summarySelect(db, t).where(inArray(t.executions.status, [...ACTIVE_STATUSES])),
  );
  const active = activeRows.map(toSummary);
  const recent = yield* selectSummaries(store, undefined, limit);
  const byId = new Map([...recent, ...active].map((item) => [item.id, item]));
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

const stepsBetween = preparedPerStore(({ db, t }: Store) => {
  const steps = t.executionSteps;
  return db
    .select({
      seq: steps.seq,
      kind: steps.kind,
      summary: steps.summary,
      toolName: steps.toolName,
      toolUseId: steps.toolUseId,
      isError: steps.isError,
      payload: steps.payload,
      createdAt: steps.createdAt,
    })
    .from(steps)
    .where(
      and(
        eq(steps.executionId, sql.placeholder('executionId')),
        gt(steps.seq, sql.placeholder('afterSeq')),
        lte(steps.seq, sql.placeholder('throughSeq')),
      ),
    )
    .orderBy(steps.seq)
    .prepare();
});

export function getExecutionSteps(
  store: Store,
  executionId: number,
  afterSeq = 0,
  throughSeq = Number.MAX_SAFE_INTEGER,
): Plan<StepDto[]> {
  return preparedRowsOf(stepsBetween(store), { executionId, afterSeq, throughSeq });
}

function logColumnsOf({ executionLogs: logs }: Tables) {
  return { seq: logs.seq, level: logs.level, text: logs.text, createdAt: logs.createdAt };
}

const logsAfter = preparedPerStore(({ db, t }: Store) => {
  const logs = t.executionLogs;
  return db
    .select(logColumnsOf(t))
    .from(logs)
    .where(
      and(eq(logs.executionId, sql.placeholder('executionId')), gt(logs.seq, sql.placeholder('afterSeq'))),
    )
    .orderBy(logs.seq)
    .limit(sql.placeholder('limit'))
    .prepare();
});

const logsBefore = preparedPerStore(({ db, t }: Store) => {
  const logs = t.executionLogs;
  return db
    .select(logColumnsOf(t))
    .from(logs)
    .where(
      and(eq(logs.executionId, sql.placeholder('executionId')), lt(logs.seq, sql.placeholder('beforeSeq'))),
    )
    .orderBy(desc(logs.seq))
    .limit(sql.placeholder('limit'))
    .prepare();
});

/** The first `limit` lines after `afterSeq`, oldest first. */
export function getExecutionLogs(
  store: Store,
  executionId: number,
  afterSeq = 0,
  limit = 100_000,
): Plan<LogLineDto[]> {
  return preparedRowsOf(logsAfter(store), { executionId, afterSeq, limit });
}

/** The `limit` lines just before `beforeSeq`, oldest first: the page above what the viewer shows. */
export function* getExecutionLogsBefore(
  store: Store,
  executionId: number,
  beforeSeq: number,
  limit: number,
): Plan<LogLineDto[]> {
  const rows = yield* preparedRowsOf(logsBefore(store), { executionId, beforeSeq, limit });
  return rows.reverse();
}

/** How many log lines come before `beforeSeq`: the line number the page's first held line follows. */
export function* countExecutionLogsBefore(
  { db, t }: Store,
  executionId: number,
  beforeSeq: number,
): Plan<number> {
  const logs = t.executionLogs;
  const row = yield* firstOf(
    db
      .select({ n: count() })
      .from(logs)
      .where(and(eq(logs.executionId, executionId), lt(logs.seq, beforeSeq))),
  );
  return row?.n ?? 0;
}

/** An attempt starts: the run is `running`, on this worker, in one write; it keeps its first attempt's start. */
export function* markExecutionRunning(
  { db, t }: Store,
  id: number,
  { startedAt, attempt, workerId }: { startedAt: number; attempt: number; workerId: string },
): Plan<void> {
  const { executions } = t;
  yield* changesOf(
    db
      .update(executions)
      .set({
        status: 'running',
        attempt,
        workerId,
        nextAttemptAt: null,
        handedBack: null,
        startedAt: sql`coalesce(${executions.startedAt}, ${startedAt})`,
        lastActivityAt: startedAt,
      })
      .where(eq(executions.id, id)),
  );
}

export type NewExecutionAttempt = typeof executionAttempts.$inferInsert;

/**
 * An attempt ended in a transient failure and another is due: the attempt is recorded and the
 * execution waits `queued` until `nextAttemptAt`, keeping the failure that caused the retry. Run
 * it in one transaction.
 */
export function* recordAttemptForRetry(
  { db, t }: Store,
  attempt: NewExecutionAttempt,
  nextAttemptAt: number,
): Plan<void> {
  yield* changesOf(db.insert(t.executionAttempts).values(attempt));
  yield* changesOf(
    db
      .update(t.executions)
      .set({
        status: 'queued',
        nextAttemptAt,
        errorCode: attempt.errorCode,
        errorMessage: attempt.errorMessage,
      })
      .where(eq(t.executions.id, attempt.executionId)),
  );
}

export interface ExecutionInit {
  sessionId: string;
  apiKeySource: string;
  model: string;
}

export function* recordExecutionInit({ db, t }: Store, id: number, init: ExecutionInit): Plan<void> {
  yield* changesOf(db.update(t.executions).set(init).where(eq(t.executions.id, id)));
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

/**
 * After a crash: runs the previous server left queued or running can never finish, so they end
 * `interrupted`, dated at their last recorded activity. Run it in one transaction.
 */
export function* interruptUnfinishedExecutions({ db, t }: Store): Plan<number[]> {
  const { executions } = t;
  const rows = yield* rowsOf(
    db
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
      .orderBy(executions.id),
  );
  for (const row of rows) {
    const lastActivity = row.lastActivityAt ?? row.startedAt ?? row.createdAt;
    yield* changesOf(
      db
        .update(executions)
        .set({
          status: 'interrupted',
          errorCode: 'interrupted',
          errorMessage: `The server stopped during the run; last activity at ${new Date(lastActivity).toISOString()}`,
          finishedAt: lastActivity,
          durationMs: row.startedAt === null ? null : lastActivity - row.startedAt,
          // A run waiting for its next attempt will not get one.
          nextAttemptAt: null,
        })
        .where(eq(executions.id, row.id)),
    );
  }
  return rows.map((row) => row.id);
}

/** Stores where a queued run starts when it is claimed or queued again (see `executions.handedBack`). */
export function* setStartPoint({ db, t }: Store, executionId: number, startPoint: HandedBack): Plan<void> {
  yield* changesOf(
    db.update(t.executions).set({ handedBack: startPoint }).where(eq(t.executions.id, executionId)),
  );
}

/**
 * A queued run of a shared queue taken by `workerId` to be stopped: marked `running` on it, so no
 * worker claims it meanwhile (its ending follows at once). Its row as it was queued; undefined
 * when it is not queued (claimed since: the worker that runs it stops it). Locked on Postgres.
 */
export function* takeQueuedExecution(
  store: Store,
  executionId: number,
  workerId: string,
): Plan<Execution | undefined> {
  const { db, t } = store;
  const row = yield* firstOf(
    lockedRows(store, db.select().from(t.executions).where(eq(t.executions.id, executionId)), t.executions),
  );
  if (row?.status !== 'queued') return undefined;
  yield* changesOf(
    db.update(t.executions).set({ status: 'running', workerId }).where(eq(t.executions.id, executionId)),
  );
  return row;
}

/** A run `workerId` claimed but could not start (its row could not be read back whole): queued again for any worker. */
export function* releaseClaim({ db, t }: Store, executionId: number, workerId: string): Plan<void> {
  const e = t.executions;
  yield* changesOf(
    db
      .update(e)
      .set({ status: 'queued', workerId: null })
      .where(and(eq(e.id, executionId), eq(e.workerId, workerId), eq(e.status, 'running'))),
  );
}

/** The runs the last server left queued for this start (see engine/handBack.ts), oldest first. */
export function* handedBackExecutions({ db, t }: Store): Plan<(Execution & { handedBack: HandedBack })[]> {
  const { executions } = t;
  const rows = yield* rowsOf(
    db
      .select()
      .from(executions)
      .where(and(eq(executions.status, 'queued'), isNotNull(executions.handedBack)))
      .orderBy(executions.id),
  );
  return rows.flatMap((row) => (row.handedBack ? [{ ...row, handedBack: row.handedBack }] : []));
}

/** How many of a run's attempts were handed back (they use up none of its retries). */
export function* countHandedBackAttempts({ db, t }: Store, executionId: number): Plan<number> {
  const attempts = t.executionAttempts;
  const row = yield* firstOf(
    db
      .select({ n: count() })
      .from(attempts)
      .where(and(eq(attempts.executionId, executionId), eq(attempts.errorCode, HANDED_BACK))),
  );
  return row?.n ?? 0;
}

/** A status written outside the run's start and end: awaiting approval, running again, queued to resume. */
export function* markExecutionStatus(
  { db, t }: Store,
  id: number,
  status: Extract<ExecutionStatus, 'awaiting_approval' | 'running' | 'queued'>,
  at: number,
): Plan<void> {
  yield* changesOf(
    db.update(t.executions).set({ status, lastActivityAt: at }).where(eq(t.executions.id, id)),
  );
}

export interface RunFindings {
  deniedToolCalls: number;
  denials: DenialDto[];
  warnings: RunWarning[];
}

/** A run's denied calls and warnings so far, written as they happen. */
export function* recordRunFindings({ db, t }: Store, id: number, findings: RunFindings): Plan<void> {
  yield* changesOf(db.update(t.executions).set(findings).where(eq(t.executions.id, id)));
}

/** Everything the engine needs to take a parked run up again (after its process ended, or a restart). */
export function getExecutionRow({ db, t }: Store, id: number): Plan<Execution | undefined> {
  return firstOf(db.select().from(t.executions).where(eq(t.executions.id, id)));
}

/** What the run's earlier processes stored per model. */
export function* getExecutionCostRecords({ db, t }: Store, id: number): Plan<ModelCostRecord[]> {
  const costs = t.costTracking;
  const rows = yield* rowsOf(db.select().from(costs).where(eq(costs.executionId, id)).orderBy(costs.model));
  return rows.map(({ id: _id, executionId: _e, agentId: _a, createdAt: _c, updatedAt: _u, ...row }) => row);
}

/** Tool calls the run made (the structured answer aside): what "every call was denied" compares with. */
export function* countToolCalls({ db, t }: Store, id: number): Plan<number> {
  const steps = t.executionSteps;
  const row = yield* firstOf(
    db
      .select({ n: count() })
      .from(steps)
      .where(
        and(eq(steps.executionId, id), eq(steps.kind, 'tool_use'), ne(steps.toolName, 'StructuredOutput')),
      ),
  );
  return row?.n ?? 0;
}

/**
 * A parked run's figures once its process (on `workerId`) ended: the run stays awaiting approval.
 * False, writing nothing, when the run moved on without that process: a reaper parked it while its
 * worker was cut off from the database, and an answer woke it on another worker.
 */
export function* recordParkedProgress(
  { db, t }: Store,
  id: number,
  progress: ExecutionProgress,
  workerId: string,
): Plan<boolean> {
  const e = t.executions;
  // Parked, it has no process: no worker holds it (a worker holding one waits in its callback).
  const parked = yield* changesOf(
    db
      .update(e)
      .set({ ...progress, workerId: null })
      .where(
        and(
          eq(e.id, id),
          eq(e.status, 'awaiting_approval'),
          or(eq(e.workerId, workerId), isNull(e.workerId)),
        ),
      ),
  );
  return parked > 0;
}

/** Runs that wait for an approval nobody needs to give any more (answered while the server went down). */
export function* awaitingRunsWithoutPendingApproval({ db, t }: Store): Plan<number[]> {
  const { executions, approvals } = t;
  const rows = yield* rowsOf(
    db
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
      .orderBy(executions.id),
  );
  return rows.map((row) => row.id);
}

/** The first run of a continue chain. */
export function* chainRootOf({ db, t }: Store, id: number): Plan<number> {
  let current = id;
  for (let hops = 0; hops < 10_000; hops += 1) {
    const row = yield* firstOf(
      db
        .select({ parent: t.executions.parentExecutionId })
        .from(t.executions)
        .where(eq(t.executions.id, current)),
    );
    if (!row || row.parent === null) return current;
    current = row.parent;
  }
  return current;
}

/** Every run continued from the same first run, oldest first, with their total cost. */
export function* getExecutionChain(store: Store, id: number): Plan<ExecutionChain> {
  const rootId = yield* chainRootOf(store, id);
  const { db, t } = store;
  const runs = t.executions;
  // The chain's ids walked down the parent index in one statement (both dialects take a recursive
  // CTE as a subquery); the anchor compares with the root's id, so Postgres knows its type.
  const chainIds = sql`(with recursive chain(id) as (
      select ${runs.id} from ${runs} where ${runs.id} = ${rootId}
      union all
      select e.id from ${runs} e join chain on e.parent_execution_id = chain.id
    ) select id from chain)`;
  const rows = yield* rowsOf(
    db
      .select({
        id: runs.id,
        parentExecutionId: runs.parentExecutionId,
        status: runs.status,
        trigger: runs.trigger,
        forked: runs.forked,
        costMicros: runs.costMicros,
        createdAt: runs.createdAt,
      })
      .from(runs)
      .where(sql`${runs.id} in ${chainIds}`)
      .orderBy(runs.id),
  );
  const totalMicros = rows.reduce((sum, row) => sum + row.costMicros, 0);
  return {
    rootId,
    executions: rows.map(({ costMicros, ...row }) => ({ ...row, costUsd: microsToUsd(costMicros) })),
    totalCostUsd: microsToUsd(totalMicros),
  };
}

/** Whether an agent's recent runs keep hitting denials: its last `limit` runs' denied calls, by tool. */
export function* agentDenialSummary({ db, t }: Store, agentId: number, limit = 20): Plan<AgentDenialSummary> {
  const { executions } = t;
  const rows = yield* rowsOf(
    db
      .select({ deniedToolCalls: executions.deniedToolCalls, denials: executions.denials })
      .from(executions)
      .where(eq(executions.agentId, agentId))
      .orderBy(desc(executions.id))
      .limit(limit),
  );
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
