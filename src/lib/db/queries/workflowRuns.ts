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
import type { Db } from '../index';
import { preparedPerConnection } from '../prepared';
import { insertedRow } from '../returning';
import {
  costTracking,
  executions,
  type WorkflowRun,
  type WorkflowRunStep,
  workflowRunSteps,
  workflowRuns,
  workflows,
  workflowVersions,
} from '../schema';
import { sumOf } from './costs';

/** Statuses in which a step may still change on its own. */
const UNENDED_STEP: WorkflowStepStatus[] = ['pending', 'queued', 'running'];

export type NewWorkflowRun = Pick<
  WorkflowRun,
  'workflowId' | 'workflowVersion' | 'trigger' | 'scheduleId' | 'input' | 'budgetMicros' | 'createdAt'
>;

/** The run, queued, with one pending row per step. Call inside the transaction that launches its first steps. */
export function insertWorkflowRun(db: Db, run: NewWorkflowRun, stepKeys: readonly string[]): number {
  const { id } = insertedRow(
    db
      .insert(workflowRuns)
      .values({ ...run, status: 'queued' })
      .returning({ id: workflowRuns.id })
      .all(),
  );
  db.insert(workflowRunSteps)
    .values(stepKeys.map((stepKey) => ({ runId: id, stepKey, status: 'pending' as const })))
    .run();
  return id;
}

export function getWorkflowRunRow(db: Db, id: number): WorkflowRun | undefined {
  return db.select().from(workflowRuns).where(eq(workflowRuns.id, id)).get();
}

export function getWorkflowRunStepRows(db: Db, runId: number): WorkflowRunStep[] {
  return db.select().from(workflowRunSteps).where(eq(workflowRunSteps.runId, runId)).all();
}

/** Runs a stopped server left unfinished: resumed at start-up. */
/** Every unfinished run and the newest `limit`, whole, newest first: what a live page (re)starts from. */
export function listRecentAndActiveWorkflowRuns(db: Db, limit: number): WorkflowRunDto[] {
  const recent = db
    .select({ id: workflowRuns.id })
    .from(workflowRuns)
    .orderBy(desc(workflowRuns.id))
    .limit(limit)
    .all();
  const ids = new Set([...listUnfinishedWorkflowRunIds(db), ...recent.map((row) => row.id)]);
  return [...ids]
    .sort((a, b) => b - a)
    .flatMap((id) => {
      const run = getWorkflowRun(db, id);
      return run ? [run] : [];
    });
}

export function listUnfinishedWorkflowRunIds(db: Db): number[] {
  return db
    .select({ id: workflowRuns.id })
    .from(workflowRuns)
    .where(inArray(workflowRuns.status, ['queued', 'running']))
    .orderBy(workflowRuns.id)
    .all()
    .map((row) => row.id);
}

const stepByExecution = preparedPerConnection((db) =>
  db
    .select({
      runId: workflowRunSteps.runId,
      stepKey: workflowRunSteps.stepKey,
      status: workflowRunSteps.status,
      spendMicros: workflowRunSteps.spendMicros,
    })
    .from(workflowRunSteps)
    .where(eq(workflowRunSteps.executionId, sql.placeholder('executionId')))
    .prepare(),
);

export type StepOfExecution = Pick<WorkflowRunStep, 'runId' | 'stepKey' | 'status' | 'spendMicros'>;

/** The workflow step an execution is, if it is one. Runs on every usage event of every run. */
export function findStepByExecution(db: Db, executionId: number): StepOfExecution | undefined {
  return stepByExecution(db).get({ executionId });
}

export type RunStepPatch = Partial<Omit<WorkflowRunStep, 'runId' | 'stepKey'>>;

export function updateRunStep(db: Db, runId: number, stepKey: string, patch: RunStepPatch): void {
  db.update(workflowRunSteps)
    .set(patch)
    .where(and(eq(workflowRunSteps.runId, runId), eq(workflowRunSteps.stepKey, stepKey)))
    .run();
}

export type RunPatch = Partial<
  Pick<WorkflowRun, 'status' | 'stopping' | 'startedAt' | 'finishedAt' | 'error'>
>;

export function updateWorkflowRun(db: Db, id: number, patch: RunPatch): void {
  db.update(workflowRuns).set(patch).where(eq(workflowRuns.id, id)).run();
}

const setStepSpend = preparedPerConnection((db) =>
  db
    .update(workflowRunSteps)
    .set({ spendMicros: sql`${sql.placeholder('spendMicros')}` })
    .where(
      and(
        eq(workflowRunSteps.runId, sql.placeholder('runId')),
        eq(workflowRunSteps.stepKey, sql.placeholder('stepKey')),
      ),
    )
    .prepare(),
);

const addRunSpend = preparedPerConnection((db) =>
  db
    .update(workflowRuns)
    .set({ spendMicros: sql`${workflowRuns.spendMicros} + ${sql.placeholder('delta')}` })
    .where(eq(workflowRuns.id, sql.placeholder('runId')))
    .returning({
      spendMicros: workflowRuns.spendMicros,
      budgetMicros: workflowRuns.budgetMicros,
      stopping: workflowRuns.stopping,
    })
    .prepare(),
);

export type RunSpend = Pick<WorkflowRun, 'spendMicros' | 'budgetMicros' | 'stopping'>;

/**
 * A step's spend so far becomes `spendMicros`, and the run's total moves by the difference. Call
 * inside a transaction. Answers the run's new total beside its budget.
 */
export function moveStepSpend(db: Db, step: StepOfExecution, spendMicros: number): RunSpend | undefined {
  setStepSpend(db).run({ runId: step.runId, stepKey: step.stepKey, spendMicros });
  return addRunSpend(db).get({ runId: step.runId, delta: spendMicros - step.spendMicros });
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
export function getExecutionEnding(db: Db, executionId: number): ExecutionEnding | undefined {
  const row = db
    .select({
      status: executions.status,
      errorCode: executions.errorCode,
      resultText: executions.resultText,
      structuredOutput: executions.structuredOutput,
      finalCostMicros: executions.costMicros,
    })
    .from(executions)
    .where(eq(executions.id, executionId))
    .get();
  if (!row) return undefined;
  const live = db
    .select({ total: sumOf(costTracking.costMicros) })
    .from(costTracking)
    .where(eq(costTracking.executionId, executionId))
    .get();
  const { finalCostMicros, ...ending } = row;
  return { ...ending, costMicros: Math.max(finalCostMicros, live?.total ?? 0) };
}

const summaryColumns = {
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
  stepCount: sql<number>`(select count(*) from ${workflowRunSteps} where ${workflowRunSteps.runId} = ${workflowRuns.id})`,
  stepsEnded: sql<number>`(select count(*) from ${workflowRunSteps} where ${workflowRunSteps.runId} = ${workflowRuns.id} and ${notInArray(workflowRunSteps.status, UNENDED_STEP)})`,
};

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
export function listWorkflowRuns(db: Db, query: ListWorkflowRunsQuery): WorkflowRunPage {
  const rows = db
    .select(summaryColumns)
    .from(workflowRuns)
    .innerJoin(workflows, eq(workflows.id, workflowRuns.workflowId))
    .where(
      and(
        query.workflowId === undefined ? undefined : eq(workflowRuns.workflowId, query.workflowId),
        query.before === undefined ? undefined : lt(workflowRuns.id, query.before),
      ),
    )
    .orderBy(desc(workflowRuns.id))
    .limit(query.limit + 1)
    .all()
    .map(toSummary);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextBefore: rows.length > query.limit && last ? last.id : null };
}

/** The run, its input, and every step in the order of the definition it ran. */
export function getWorkflowRun(db: Db, id: number): WorkflowRunDto | undefined {
  const row = db
    .select({ ...summaryColumns, input: workflowRuns.input, definition: workflowVersions.definition })
    .from(workflowRuns)
    .innerJoin(workflows, eq(workflows.id, workflowRuns.workflowId))
    .innerJoin(
      workflowVersions,
      and(
        eq(workflowVersions.workflowId, workflowRuns.workflowId),
        eq(workflowVersions.version, workflowRuns.workflowVersion),
      ),
    )
    .where(eq(workflowRuns.id, id))
    .get();
  if (!row) return undefined;
  const { input, definition, ...summary } = row;
  const rowsByKey = new Map(getWorkflowRunStepRows(db, id).map((step) => [step.stepKey, step]));
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
