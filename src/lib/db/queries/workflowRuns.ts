import { and, desc, eq, inArray, lt, notInArray, sql } from 'drizzle-orm';
import { type ExecutionStatus, microsToUsd } from '../../contracts/executions';
import {
  type ListWorkflowRunsQuery,
  type WorkflowDefinition,
  type WorkflowRunDto,
  type WorkflowRunPage,
  type WorkflowRunSummaryDto,
  type WorkflowStepStatus,
  workflowDefinitionSchema,
} from '../../contracts/workflows';
import { changesOf, firstOf, type Plan, preparedChangesOf, preparedRowsOf, rowsOf } from '../plan';
import { preparedPerStore } from '../prepared';
import { insertedRow } from '../returning';
import { lockedRows } from '../rowLocks';
import type { WorkflowRun, WorkflowRunStep } from '../schema';
import type { Store } from '../store';
import { sumOf } from './costs';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres, inside a transaction or not.

/** Statuses in which a step may still change on its own. */
const UNENDED_STEP: WorkflowStepStatus[] = ['pending', 'queued', 'running'];

export type NewWorkflowRun = Pick<
  WorkflowRun,
  'workflowId' | 'workflowVersion' | 'trigger' | 'scheduleId' | 'input' | 'budgetMicros' | 'createdAt'
>;

/** The run, queued, with one pending row per step. Call inside the transaction that launches its first steps. */
export function* insertWorkflowRun(
  { db, t }: Store,
  run: NewWorkflowRun,
  stepKeys: readonly string[],
): Plan<number> {
  const { id } = insertedRow(
    yield* rowsOf(
      db
        .insert(t.workflowRuns)
        .values({ ...run, status: 'queued' })
        .returning({ id: t.workflowRuns.id }),
    ),
  );
  yield* changesOf(
    db
      .insert(t.workflowRunSteps)
      .values(stepKeys.map((stepKey) => ({ runId: id, stepKey, status: 'pending' as const }))),
  );
  return id;
}

/**
 * A run's row, read to be changed: on Postgres it stays locked until the transaction ends, so two
 * processes' changes of one run (a step's ending, a cancel) take turns, each reading the other's.
 */
export function lockWorkflowRunRow(store: Store, id: number): Plan<WorkflowRun | undefined> {
  const { db, t } = store;
  return firstOf(
    lockedRows(store, db.select().from(t.workflowRuns).where(eq(t.workflowRuns.id, id)), t.workflowRuns),
  );
}

/** A run's step rows, by key (the order of the definition is the definition's to give). */
export function getWorkflowRunStepRows({ db, t }: Store, runId: number): Plan<WorkflowRunStep[]> {
  const steps = t.workflowRunSteps;
  return rowsOf(db.select().from(steps).where(eq(steps.runId, runId)).orderBy(steps.stepKey));
}

/** Every unfinished run and the newest `limit`, whole, newest first: what a live page (re)starts from. */
export function* listRecentAndActiveWorkflowRuns(store: Store, limit: number): Plan<WorkflowRunDto[]> {
  const { db, t } = store;
  const recent = yield* rowsOf(
    db.select({ id: t.workflowRuns.id }).from(t.workflowRuns).orderBy(desc(t.workflowRuns.id)).limit(limit),
  );
  const ids = new Set([...(yield* listUnfinishedWorkflowRunIds(store)), ...recent.map((row) => row.id)]);
  const runs: WorkflowRunDto[] = [];
  for (const id of [...ids].sort((a, b) => b - a)) {
    const run = yield* getWorkflowRun(store, id);
    if (run) runs.push(run);
  }
  return runs;
}

/** Runs a stopped server left unfinished: resumed at start-up. */
export function* listUnfinishedWorkflowRunIds({ db, t }: Store): Plan<number[]> {
  const rows = yield* rowsOf(
    db
      .select({ id: t.workflowRuns.id })
      .from(t.workflowRuns)
      .where(inArray(t.workflowRuns.status, ['queued', 'running']))
      .orderBy(t.workflowRuns.id),
  );
  return rows.map((row) => row.id);
}

const stepByExecution = preparedPerStore(({ db, t }: Store) =>
  db
    .select({
      runId: t.workflowRunSteps.runId,
      stepKey: t.workflowRunSteps.stepKey,
      status: t.workflowRunSteps.status,
      spendMicros: t.workflowRunSteps.spendMicros,
    })
    .from(t.workflowRunSteps)
    .where(eq(t.workflowRunSteps.executionId, sql.placeholder('executionId')))
    .prepare(),
);

export type StepOfExecution = Pick<WorkflowRunStep, 'runId' | 'stepKey' | 'status' | 'spendMicros'>;

/** The workflow step an execution is, if it is one. Runs on every usage event of every run. */
export function* findStepByExecution(store: Store, executionId: number): Plan<StepOfExecution | undefined> {
  const [step] = yield* preparedRowsOf(stepByExecution(store), { executionId });
  return step;
}

export type RunStepPatch = Partial<Omit<WorkflowRunStep, 'runId' | 'stepKey'>>;

export function* updateRunStep(
  { db, t }: Store,
  runId: number,
  stepKey: string,
  patch: RunStepPatch,
): Plan<void> {
  const steps = t.workflowRunSteps;
  yield* changesOf(
    db
      .update(steps)
      .set(patch)
      .where(and(eq(steps.runId, runId), eq(steps.stepKey, stepKey))),
  );
}

export type RunPatch = Partial<
  Pick<WorkflowRun, 'status' | 'stopping' | 'startedAt' | 'finishedAt' | 'error'>
>;

export function* updateWorkflowRun({ db, t }: Store, id: number, patch: RunPatch): Plan<void> {
  yield* changesOf(db.update(t.workflowRuns).set(patch).where(eq(t.workflowRuns.id, id)));
}

const setStepSpend = preparedPerStore(({ db, t }: Store) =>
  db
    .update(t.workflowRunSteps)
    .set({ spendMicros: sql`${sql.placeholder('spendMicros')}` })
    .where(
      and(
        eq(t.workflowRunSteps.runId, sql.placeholder('runId')),
        eq(t.workflowRunSteps.stepKey, sql.placeholder('stepKey')),
      ),
    )
    .prepare(),
);

const addRunSpend = preparedPerStore(({ db, t }: Store) =>
  db
    .update(t.workflowRuns)
    .set({ spendMicros: sql`${t.workflowRuns.spendMicros} + ${sql.placeholder('delta')}` })
    .where(eq(t.workflowRuns.id, sql.placeholder('runId')))
    .returning({
      spendMicros: t.workflowRuns.spendMicros,
      budgetMicros: t.workflowRuns.budgetMicros,
      stopping: t.workflowRuns.stopping,
    })
    .prepare(),
);

export type RunSpend = Pick<WorkflowRun, 'spendMicros' | 'budgetMicros' | 'stopping'>;

/**
 * A step's spend so far becomes `spendMicros`, and the run's total moves by the difference. Call
 * inside a transaction. Answers the run's new total beside its budget.
 */
export function* moveStepSpend(
  store: Store,
  step: StepOfExecution,
  spendMicros: number,
): Plan<RunSpend | undefined> {
  yield* preparedChangesOf(setStepSpend(store), { runId: step.runId, stepKey: step.stepKey, spendMicros });
  const [spend] = yield* preparedRowsOf(addRunSpend(store), {
    runId: step.runId,
    delta: spendMicros - step.spendMicros,
  });
  return spend;
}

export interface ExecutionEnding {
  status: ExecutionStatus;
  errorCode: string | null;
  resultText: string | null;
  /** The agent's structured answer, for agents that give one. */
  structuredOutput: unknown;
  /** From the cost rows, which are written live (the execution's own total only at its end). */
  costMicros: number;
}

/** How an execution stands, for a step whose ending the runner did not see (the server was down). */
export function* getExecutionEnding(
  { db, t }: Store,
  executionId: number,
): Plan<ExecutionEnding | undefined> {
  const { executions, costTracking } = t;
  const row = yield* firstOf(
    db
      .select({
        status: executions.status,
        errorCode: executions.errorCode,
        resultText: executions.resultText,
        structuredOutput: executions.structuredOutput,
        finalCostMicros: executions.costMicros,
      })
      .from(executions)
      .where(eq(executions.id, executionId)),
  );
  if (!row) return undefined;
  const live = yield* firstOf(
    db
      .select({ total: sumOf(costTracking.costMicros).mapWith(Number) })
      .from(costTracking)
      .where(eq(costTracking.executionId, executionId)),
  );
  const { finalCostMicros, ...ending } = row;
  return { ...ending, costMicros: Math.max(finalCostMicros, live?.total ?? 0) };
}

function summaryColumnsOf({ workflowRuns, workflowRunSteps, workflows }: Store['t']) {
  return {
    id: workflowRuns.id,
    workflowId: workflowRuns.workflowId,
    workflowName: workflows.name,
    workflowVersion: workflowRuns.workflowVersion,
    status: workflowRuns.status,
    stopping: workflowRuns.stopping,
    trigger: workflowRuns.trigger,
    scheduleId: workflowRuns.scheduleId,
    spendMicros: workflowRuns.spendMicros,
    budgetMicros: workflowRuns.budgetMicros,
    createdAt: workflowRuns.createdAt,
    startedAt: workflowRuns.startedAt,
    finishedAt: workflowRuns.finishedAt,
    error: workflowRuns.error,
    stepCount:
      sql<number>`(select count(*) from ${workflowRunSteps} where ${workflowRunSteps.runId} = ${workflowRuns.id})`.mapWith(
        Number,
      ),
    stepsEnded:
      sql<number>`(select count(*) from ${workflowRunSteps} where ${workflowRunSteps.runId} = ${workflowRuns.id} and ${notInArray(workflowRunSteps.status, UNENDED_STEP)})`.mapWith(
        Number,
      ),
  };
}

type SummaryRow = { spendMicros: number; budgetMicros: number | null } & Omit<
  WorkflowRunSummaryDto,
  'spendUsd' | 'budgetUsd'
>;

function toSummary({ spendMicros, budgetMicros, ...row }: SummaryRow): WorkflowRunSummaryDto {
  return {
    ...row,
    spendUsd: microsToUsd(spendMicros),
    budgetUsd: budgetMicros === null ? null : microsToUsd(budgetMicros),
  };
}

/** Newest first, keyset-paged by id; compact rows (no steps), for the dashboard and lists. */
export function* listWorkflowRuns({ db, t }: Store, query: ListWorkflowRunsQuery): Plan<WorkflowRunPage> {
  const { workflowRuns, workflows } = t;
  const found = yield* rowsOf(
    db
      .select(summaryColumnsOf(t))
      .from(workflowRuns)
      .innerJoin(workflows, eq(workflows.id, workflowRuns.workflowId))
      .where(
        and(
          query.workflowId === undefined ? undefined : eq(workflowRuns.workflowId, query.workflowId),
          query.before === undefined ? undefined : lt(workflowRuns.id, query.before),
        ),
      )
      .orderBy(desc(workflowRuns.id))
      .limit(query.limit + 1),
  );
  const rows = found.map(toSummary);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextBefore: rows.length > query.limit && last ? last.id : null };
}

/** The run, its input, and every step in the order of the definition it ran. */
export function* getWorkflowRun(store: Store, id: number): Plan<WorkflowRunDto | undefined> {
  const { db, t } = store;
  const { workflowRuns, workflows, workflowVersions } = t;
  const row = yield* firstOf(
    db
      .select({ ...summaryColumnsOf(t), input: workflowRuns.input, definition: workflowVersions.definition })
      .from(workflowRuns)
      .innerJoin(workflows, eq(workflows.id, workflowRuns.workflowId))
      .innerJoin(
        workflowVersions,
        and(
          eq(workflowVersions.workflowId, workflowRuns.workflowId),
          eq(workflowVersions.version, workflowRuns.workflowVersion),
        ),
      )
      .where(eq(workflowRuns.id, id)),
  );
  if (!row) return undefined;
  const { input, definition, ...summary } = row;
  const stepRows = yield* getWorkflowRunStepRows(store, id);
  const rowsByKey = new Map(stepRows.map((step) => [step.stepKey, step]));
  return {
    ...toSummary(summary),
    input,
    steps: stepDtos(workflowDefinitionSchema.parse(definition), rowsByKey),
  };
}

function stepDtos(definition: WorkflowDefinition, rowsByKey: ReadonlyMap<string, WorkflowRunStep>) {
  return definition.steps.flatMap((step) => {
    const row = rowsByKey.get(step.key);
    if (!row) return [];
    return [
      {
        key: step.key,
        agentId: step.agentId,
        dependsOn: step.dependsOn,
        runIf: step.runIf,
        status: row.status,
        executionId: row.executionId,
        result: row.resultText,
        reason: row.reason,
        missingValues: row.missingValues,
        costUsd: microsToUsd(row.spendMicros),
        startedAt: row.startedAt,
        finishedAt: row.finishedAt,
      },
    ];
  });
}
