import { isActiveStatus, microsToUsd, usdToMicros } from '../contracts/executions';
import { PROMPT_MAX_CHARS } from '../contracts/text';
import type {
  WorkflowDefinition,
  WorkflowInputValues,
  WorkflowRunDto,
  WorkflowStep,
  WorkflowStepStatus,
  WorkflowStop,
  WorkflowTrigger,
} from '../contracts/workflows';
import { assertNoIssues, conflict, DomainError, isDomainError, notFound, unavailable } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Db } from '../db';
import { onSqlite, runOnSqlite } from '../db/plan';
import {
  findStepByExecution,
  getExecutionEnding,
  getWorkflowRun,
  getWorkflowRunRow,
  getWorkflowRunStepRows,
  insertWorkflowRun,
  listUnfinishedWorkflowRunIds,
  moveStepSpend,
  type RunPatch,
  type RunStepPatch,
  type StepOfExecution,
  updateRunStep,
  updateWorkflowRun,
} from '../db/queries/workflowRuns';
import { getWorkflow, getWorkflowVersion } from '../db/queries/workflows';
import type { WorkflowRun, WorkflowRunStep } from '../db/schema';
import { type Store, sqliteStore } from '../db/store';
import { formatUsd } from '../presentation/format';
import type { StepLauncher, StepRefusal, StepRunEnded, StepRunStarted, StepSpend } from './launcher';
import { canMoveStep, isStepActive, isStepEnded, planSteps, runOutcome } from './plan';
import {
  type ParsedTemplate,
  parseTemplate,
  renderFailure,
  renderTemplate,
  type StepValues,
} from './template';
import { checkRunInput, inputPromptIssues } from './validate';

/**
 * Drives workflow runs: applies the rules of plan.ts to what the engine reports, one transaction
 * per change of a run and its steps, and talks to the engine only after the commit (admit, stop).
 * All state is in SQLite, so a restart resumes where the last commit left off.
 */

export interface WorkflowRunnerDeps {
  db: Db;
  launcher: StepLauncher;
  logger: Logger;
  /** After every committed change of a run (to publish it live). */
  afterCommit?: (runId: number) => void;
  now?: () => number;
}

export interface StartWorkflowRequest {
  input?: WorkflowInputValues;
  trigger: WorkflowTrigger;
  scheduleId?: number | null;
}

/** A definition version, parsed once: versions never change. */
interface Compiled {
  definition: WorkflowDefinition;
  steps: ReadonlyMap<string, WorkflowStep>;
  templates: ReadonlyMap<string, ParsedTemplate>;
}

interface RunState {
  run: WorkflowRun;
  compiled: Compiled;
  steps: Map<string, WorkflowRunStep>;
}

/** What to tell the engine once the transaction has committed. */
interface Effects {
  admit: number[];
  stop: { executionId: number; reason: 'cancelled' | 'budget'; message: string }[];
}

const noEffects = (): Effects => ({ admit: [], stop: [] });

const STOP_REASON: Record<WorkflowStop, 'cancelled' | 'budget'> = {
  cancelled: 'cancelled',
  budget_exceeded: 'budget',
};

const usd = (micros: number) => formatUsd(microsToUsd(micros));

export class WorkflowRunner {
  private readonly compiled = new Map<string, Compiled>();
  /** Runs written by createRun, with what to tell the engine once their transaction committed. */
  private readonly created = new Map<number, Effects>();
  private shuttingDown = false;
  private readonly now: () => number;

  /** The database as the dialect-neutral queries take it; run synchronously (runOnSqlite) until the runner is async. */
  private readonly store: Store;

  constructor(private readonly deps: WorkflowRunnerDeps) {
    this.now = deps.now ?? Date.now;
    this.store = sqliteStore(deps.db);
  }

  /**
   * Starts a run of the workflow's current version: a monthly budget that already refuses one of
   * its agents refuses the run (budget_exhausted), then the run is written (createRun) in its own
   * transaction and its first steps admitted (admitRun).
   */
  start(workflowId: number, request: StartWorkflowRequest): WorkflowRunDto {
    if (this.shuttingDown) throw unavailable('The server is shutting down');
    const now = this.now();
    const refusal = this.refusal(workflowId, now);
    if (refusal) {
      const { message, ...figures } = refusal;
      throw new DomainError('budget_exhausted', message, undefined, { ...figures, workflowId });
    }
    const runId = this.deps.db.transaction((tx) => this.createRun(tx, workflowId, request, now));
    this.admitRun(runId);
    return this.dto(runId);
  }

  /** A monthly budget that refuses one of the workflow's agents now (which, why, the figures), or null. Throws when there is no such workflow. */
  refusal(workflowId: number, now: number = this.now()): (StepRefusal & { agentId: number }) | null {
    const workflow = runOnSqlite(getWorkflow(this.store, workflowId));
    if (!workflow) throw notFound('Workflow');
    for (const agentId of new Set(workflow.steps.map((step) => step.agentId))) {
      const refusal = this.deps.launcher.refusal(agentId, now);
      if (refusal) return { ...refusal, agentId };
    }
    return null;
  }

  /**
   * Writes a run of the workflow's current version and queues its first steps, inside the caller's
   * transaction (`tx`: better-sqlite3 transactions belong to the connection, so the runner's own
   * writes join it), so a trigger can commit the run with its own rows (a schedule's firing).
   * Checks the input against the workflow's fields (invalid_input naming `input.<field>`); budgets
   * are the caller's to check first (`refusal`). Nothing is admitted until `admitRun`, after the commit.
   */
  createRun(tx: Db, workflowId: number, request: StartWorkflowRequest, now: number = this.now()): number {
    const workflow = onSqlite(tx, (s) => getWorkflow(s, workflowId));
    if (!workflow) throw notFound('Workflow');
    const input = checkRunInput(workflow.inputs, request.input ?? {});
    assertNoIssues([...input.issues, ...inputPromptIssues(workflow.steps, input.values, PROMPT_MAX_CHARS)]);
    const effects = noEffects();
    const runId = runOnSqlite(
      insertWorkflowRun(
        this.store,
        {
          workflowId,
          workflowVersion: workflow.version,
          trigger: request.trigger,
          scheduleId: request.scheduleId ?? null,
          input: input.values,
          budgetMicros: workflow.maxCostUsd === null ? null : usdToMicros(workflow.maxCostUsd),
          createdAt: now,
        },
        workflow.steps.map((step) => step.key),
      ),
    );
    this.advance(this.load(runId), now, effects);
    // Kept until admitRun; a rolled-back transaction may hand the same id out again, which replaces it.
    this.created.set(runId, effects);
    return runId;
  }

  /** Forgets a run `createRun` wrote in a transaction that rolled back, and its first steps' executions. */
  discardRun(runId: number): void {
    const effects = this.created.get(runId);
    this.created.delete(runId);
    for (const executionId of effects?.admit ?? []) this.deps.launcher.discard(executionId);
  }

  /** Publishes a run `createRun` wrote and hands its first steps to the engine, once the caller committed. */
  admitRun(runId: number): void {
    const effects = this.created.get(runId) ?? noEffects();
    this.created.delete(runId);
    this.afterCommit(runId, effects);
  }

  /** Stops the run's queued and running steps, skips the pending ones; it ends `cancelled`. */
  cancel(runId: number): WorkflowRunDto {
    const effects = noEffects();
    this.deps.db.transaction(() => {
      const state = this.load(runId);
      if (isRunEnded(state.run))
        throw conflict(`Workflow run ${runId} has already ended (${state.run.status})`);
      const now = this.now();
      if (state.run.stopping === null)
        this.requestStop(state, 'cancelled', 'Cancelled by request', now, effects);
      this.advance(state, now, effects);
    });
    this.afterCommit(runId, effects);
    return this.dto(runId);
  }

  /**
   * At start-up, after recovery has ended the executions the last server left behind: each
   * unfinished run goes on. A step whose execution ended unseen takes its ending (`interrupted`,
   * also for a run the shutdown cancelled), and its dependants follow their rules. A step with an
   * execution is never launched again.
   */
  resume(): number[] {
    const ids = runOnSqlite(listUnfinishedWorkflowRunIds(this.store));
    for (const runId of ids) {
      // One run that cannot go on must not keep the others from it.
      this.guard({ workflowRunId: runId }, 'resuming a workflow run failed', () => {
        const effects = noEffects();
        this.deps.db.transaction(() => {
          const state = this.load(runId);
          const now = this.now();
          for (const step of state.steps.values()) this.settleUnseenEnding(state, step, now);
          this.advance(state, now, effects);
        });
        this.afterCommit(runId, effects);
      });
    }
    return ids;
  }

  /** Before the engine stops its runs at shutdown: their endings are left for resume() to read. */
  shutdown(): void {
    this.shuttingDown = true;
  }

  onRunStarted(event: StepRunStarted): void {
    this.onStepEvent(event.executionId, 'running', (state, step) => {
      this.setStep(state, step.stepKey, { status: 'running', startedAt: event.startedAt });
      if (state.run.status === 'queued')
        this.setRun(state, { status: 'running', startedAt: event.startedAt });
    });
  }

  onRunEnded(event: StepRunEnded): void {
    this.onStepEvent(event.executionId, event.status, (state, step, now, effects) => {
      this.endStep(state, step, now, {
        status: event.status,
        resultText: event.resultText,
        output: event.structuredOutput ?? null,
        costMicros: event.costMicros,
      });
      this.advance(state, now, effects);
    });
  }

  /** On every usage event of every run: one indexed read, and for a step two prepared updates. */
  onSpend(event: StepSpend): void {
    if (this.shuttingDown) return;
    const { db } = this.deps;
    this.guard({ executionId: event.executionId }, 'recording a step’s spend failed', () => {
      const step = runOnSqlite(findStepByExecution(this.store, event.executionId));
      if (!step || isStepEnded(step.status) || event.costMicros <= step.spendMicros) return;
      const effects = noEffects();
      db.transaction(() => {
        const spend = runOnSqlite(moveStepSpend(this.store, step, event.costMicros));
        const budget = spend?.budgetMicros ?? null;
        if (!spend || budget === null || spend.stopping !== null || spend.spendMicros < budget) return;
        this.advance(this.load(step.runId), this.now(), effects);
      });
      this.afterCommit(step.runId, effects);
    });
  }

  /** A change of one step, reported by the engine; stale and repeated events are ignored. */
  private onStepEvent(
    executionId: number,
    to: WorkflowStepStatus,
    apply: (state: RunState, step: StepOfExecution, now: number, effects: Effects) => void,
  ): void {
    if (this.shuttingDown) return;
    const { db } = this.deps;
    this.guard({ executionId }, 'updating a workflow step failed', () => {
      const step = runOnSqlite(findStepByExecution(this.store, executionId));
      if (!step || !canMoveStep(step.status, to)) return;
      const effects = noEffects();
      db.transaction(() => apply(this.load(step.runId), step, this.now(), effects));
      this.afterCommit(step.runId, effects);
    });
  }

  /** The engine's callbacks, the start-up and the engine itself must not fail because of one another: logged instead. */
  private guard(context: Record<string, number>, what: string, act: () => void): void {
    try {
      act();
    } catch (err) {
      this.deps.logger.error({ err, ...context }, what);
    }
  }

  private settleUnseenEnding(state: RunState, step: WorkflowRunStep, now: number): void {
    if (!isStepActive(step.status) || step.executionId === null) return;
    const ending = runOnSqlite(getExecutionEnding(this.store, step.executionId));
    if (!ending || isActiveStatus(ending.status)) return;
    const shutdown = ending.status === 'cancelled' && ending.errorCode === 'shutdown';
    this.endStep(
      state,
      { runId: step.runId, stepKey: step.stepKey, status: step.status, spendMicros: step.spendMicros },
      now,
      {
        status: shutdown ? 'interrupted' : ending.status,
        resultText: ending.resultText,
        output: ending.structuredOutput ?? null,
        costMicros: ending.costMicros,
      },
    );
  }

  private endStep(
    state: RunState,
    step: StepOfExecution,
    now: number,
    ending: { status: WorkflowStepStatus; resultText: string | null; output: unknown; costMicros: number },
  ): void {
    if (ending.costMicros > step.spendMicros) {
      const spend = runOnSqlite(moveStepSpend(this.store, step, ending.costMicros));
      if (spend) state.run = { ...state.run, spendMicros: spend.spendMicros };
    }
    this.setStep(state, step.stepKey, {
      status: ending.status,
      resultText: ending.resultText,
      output: ending.output,
      spendMicros: Math.max(step.spendMicros, ending.costMicros),
      finishedAt: now,
    });
  }

  /** Applies the rules until nothing changes: budget, skips, launches, and the run's ending. */
  private advance(state: RunState, now: number, effects: Effects): void {
    const { run } = state;
    if (run.stopping === null && run.budgetMicros !== null && run.spendMicros >= run.budgetMicros) {
      const message = `The workflow's budget of ${usd(run.budgetMicros)} was reached: ${usd(run.spendMicros)} spent`;
      this.requestStop(state, 'budget_exceeded', message, now, effects);
    }
    if (state.run.stopping === null) this.launchReady(state, now, effects);
    const outcome = runOutcome(state.compiled.definition, statusesOf(state), state.run.stopping);
    if (outcome && !isRunEnded(state.run)) {
      this.setRun(state, {
        status: outcome.status,
        finishedAt: now,
        error: outcome.error ?? state.run.error,
      });
    }
  }

  private launchReady(state: RunState, now: number, effects: Effects): void {
    // A launch that ends at once (refused, agent gone) can decide other steps: plan again.
    for (let settled = false; !settled; ) {
      const plan = planSteps(state.compiled.definition, statusesOf(state));
      for (const skip of plan.skips) {
        this.setStep(state, skip.key, { status: 'skipped', reason: skip.reason, finishedAt: now });
      }
      settled = plan.launches.map((key) => this.launch(state, key, now, effects)).every(Boolean);
    }
  }

  /** Queues the step as an execution; false when it ended at once instead. */
  private launch(state: RunState, key: string, now: number, effects: Effects): boolean {
    const { db, launcher, logger } = this.deps;
    const step = state.compiled.steps.get(key);
    const template = state.compiled.templates.get(key);
    if (!step || !template)
      throw new Error(`Step ${key} is not in workflow run ${state.run.id}'s definition`);
    const refusal = launcher.refusal(step.agentId, now);
    if (refusal) {
      this.setStep(state, key, { status: 'budget_exceeded', reason: refusal.message, finishedAt: now });
      return false;
    }
    const prompt = renderTemplate(
      template,
      { input: state.run.input, steps: valuesOf(state) },
      PROMPT_MAX_CHARS,
    );
    if (!prompt.ok) {
      const reason = renderFailure(key, prompt, PROMPT_MAX_CHARS);
      logger.warn({ workflowRunId: state.run.id, stepKey: key, reason }, 'step prompt could not be rendered');
      this.setStep(state, key, { status: 'failed', reason, finishedAt: now });
      return false;
    }
    const { budgetMicros, spendMicros } = state.run;
    let executionId: number;
    try {
      // A savepoint: a launch that throws leaves nothing behind in the run's transaction.
      executionId = db.transaction(() =>
        launcher.createRun(
          db,
          {
            workflowRunId: state.run.id,
            stepKey: key,
            agentId: step.agentId,
            prompt: prompt.text,
            maxCostMicros: budgetMicros === null ? null : Math.max(0, budgetMicros - spendMicros),
            ...(step.timeoutSeconds !== undefined && { timeoutSeconds: step.timeoutSeconds }),
            ...(step.runRetries !== undefined && { runRetries: step.runRetries }),
            ...(step.approvalTimeoutMinutes !== undefined && {
              approvalTimeoutMinutes: step.approvalTimeoutMinutes,
            }),
          },
          now,
        ),
      );
    } catch (err) {
      if (!isDomainError(err)) throw err;
      this.setStep(state, key, { status: 'failed', reason: err.message, finishedAt: now });
      return false;
    }
    this.setStep(state, key, { status: 'queued', executionId, missingValues: prompt.missing });
    effects.admit.push(executionId);
    return true;
  }

  private requestStop(
    state: RunState,
    stop: WorkflowStop,
    message: string,
    now: number,
    effects: Effects,
  ): void {
    this.setRun(state, { stopping: stop, error: message });
    for (const step of state.steps.values()) {
      if (step.status === 'pending') {
        this.setStep(state, step.stepKey, { status: 'skipped', reason: message, finishedAt: now });
      } else if (isStepActive(step.status) && step.executionId !== null) {
        effects.stop.push({ executionId: step.executionId, reason: STOP_REASON[stop], message });
      }
    }
  }

  private setStep(state: RunState, key: string, patch: RunStepPatch): void {
    const current = state.steps.get(key);
    if (!current) throw new Error(`Workflow run ${state.run.id} has no step ${key}`);
    runOnSqlite(updateRunStep(this.store, state.run.id, key, patch));
    state.steps.set(key, { ...current, ...patch });
  }

  private setRun(state: RunState, patch: RunPatch): void {
    runOnSqlite(updateWorkflowRun(this.store, state.run.id, patch));
    state.run = { ...state.run, ...patch };
  }

  private load(runId: number): RunState {
    const run = runOnSqlite(getWorkflowRunRow(this.store, runId));
    if (!run) throw notFound('Workflow run');
    const steps = new Map(
      runOnSqlite(getWorkflowRunStepRows(this.store, runId)).map((step) => [step.stepKey, step]),
    );
    return { run, compiled: this.compile(run.workflowId, run.workflowVersion), steps };
  }

  private compile(workflowId: number, version: number): Compiled {
    const cacheKey = `${workflowId}:${version}`;
    const cached = this.compiled.get(cacheKey);
    if (cached) return cached;
    const definition = runOnSqlite(getWorkflowVersion(this.store, workflowId, version));
    if (!definition) throw notFound(`Version ${version} of workflow ${workflowId}`);
    const compiled: Compiled = {
      definition,
      steps: new Map(definition.steps.map((step) => [step.key, step])),
      templates: new Map(definition.steps.map((step) => [step.key, parseTemplate(step.prompt)])),
    };
    this.compiled.set(cacheKey, compiled);
    return compiled;
  }

  /** Publish first, then let the engine act: its reactions come back as events of their own. */
  private afterCommit(runId: number, effects: Effects): void {
    const { launcher, afterCommit } = this.deps;
    const context = { workflowRunId: runId };
    if (afterCommit) this.guard(context, 'publishing a workflow run failed', () => afterCommit(runId));
    for (const executionId of effects.admit) {
      this.guard({ ...context, executionId }, 'admitting a step failed', () => launcher.admit(executionId));
    }
    for (const { executionId, reason, message } of effects.stop) {
      this.guard({ ...context, executionId }, 'stopping a step failed', () =>
        launcher.stop(executionId, reason, message),
      );
    }
  }

  private dto(runId: number): WorkflowRunDto {
    const run = runOnSqlite(getWorkflowRun(this.store, runId));
    if (!run) throw notFound('Workflow run');
    return run;
  }
}

const isRunEnded = (run: WorkflowRun) => run.status !== 'queued' && run.status !== 'running';

const statusesOf = (state: RunState): Map<string, WorkflowStepStatus> =>
  new Map([...state.steps.values()].map((step) => [step.stepKey, step.status]));

/** What ended steps offer to later templates. */
function valuesOf(state: RunState): Map<string, StepValues> {
  const values = new Map<string, StepValues>();
  for (const step of state.steps.values()) {
    if (isStepEnded(step.status)) values.set(step.stepKey, { result: step.resultText, output: step.output });
  }
  return values;
}
