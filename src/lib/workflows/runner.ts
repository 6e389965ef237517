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
import { execute, type Plan, savepoint, transaction } from '../db/plan';
import {
  findStepByExecution,
  getExecutionEnding,
  getWorkflowRun,
  getWorkflowRunStepRows,
  insertWorkflowRun,
  listUnfinishedWorkflowRunIds,
  lockWorkflowRunRow,
  moveStepSpend,
  type RunPatch,
  type RunStepPatch,
  type StepOfExecution,
  updateRunStep,
  updateWorkflowRun,
} from '../db/queries/workflowRuns';
import { getWorkflow, getWorkflowVersion } from '../db/queries/workflows';
import type { WorkflowRun, WorkflowRunStep } from '../db/schema';
import type { Store } from '../db/store';
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
 * All state is in the store (SQLite or Postgres), so a restart resumes where the last commit left
 * off. Each change is one plan (db/plan.ts) that reads the run with its row locked, so changes of
 * one run from two processes on Postgres take turns.
 */

export interface WorkflowRunnerDeps {
  store: Store;
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

/** A run as one transaction reads and changes it: `tx` is that transaction. */
interface RunState {
  tx: Store;
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
  /** The engine's step events, handled one after another in the order the engine sent them. */
  private stepEvents: Promise<void> = Promise.resolve();
  private shuttingDown = false;
  private readonly now: () => number;

  constructor(private readonly deps: WorkflowRunnerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Starts a run of the workflow's current version, in one transaction: a monthly budget that
   * already refuses one of its agents refuses the run (budget_exhausted, nothing written), then the
   * run is written (createRun); its first steps are admitted once it committed.
   */
  async start(workflowId: number, request: StartWorkflowRequest): Promise<WorkflowRunDto> {
    if (this.shuttingDown) throw unavailable('The server is shutting down');
    const now = this.now();
    let written: number | undefined;
    try {
      written = await transaction(this.deps.store, (tx) =>
        this.refuseOrCreate(tx, workflowId, request, now, (runId) => {
          written = runId;
        }),
      );
    } catch (error) {
      if (written !== undefined) this.discardRun(written);
      throw error;
    }
    this.admitRun(written);
    return this.dto(written);
  }

  private *refuseOrCreate(
    tx: Store,
    workflowId: number,
    request: StartWorkflowRequest,
    now: number,
    onWritten: (runId: number) => void,
  ): Plan<number> {
    const refusal = yield* this.refusal(tx, workflowId, now);
    if (refusal) {
      const { message, ...figures } = refusal;
      throw new DomainError('budget_exhausted', message, undefined, { ...figures, workflowId });
    }
    const runId = yield* this.createRun(tx, workflowId, request, now);
    onWritten(runId);
    return runId;
  }

  /** A monthly budget that refuses one of the workflow's agents now (which, why, the figures), or null. Throws when there is no such workflow. */
  *refusal(
    store: Store,
    workflowId: number,
    now: number = this.now(),
  ): Plan<(StepRefusal & { agentId: number }) | null> {
    const workflow = yield* getWorkflow(store, workflowId);
    if (!workflow) throw notFound('Workflow');
    for (const agentId of new Set(workflow.steps.map((step) => step.agentId))) {
      const refusal = yield* this.deps.launcher.refusal(store, agentId, now);
      if (refusal) return { ...refusal, agentId };
    }
    return null;
  }

  /**
   * Writes a run of the workflow's current version and queues its first steps, as a plan inside
   * the caller's transaction `tx`, so a trigger can commit the run with its own rows (a schedule's
   * firing). Checks the input against the workflow's fields (invalid_input naming
   * `input.<field>`); budgets are the caller's to check first (`refusal`). Nothing is admitted
   * until `admitRun`, after the commit (or forgotten with `discardRun` if it rolled back).
   */
  *createRun(
    tx: Store,
    workflowId: number,
    request: StartWorkflowRequest,
    now: number = this.now(),
  ): Plan<number> {
    const workflow = yield* getWorkflow(tx, workflowId);
    if (!workflow) throw notFound('Workflow');
    const input = checkRunInput(workflow.inputs, request.input ?? {});
    assertNoIssues([...input.issues, ...inputPromptIssues(workflow.steps, input.values, PROMPT_MAX_CHARS)]);
    const effects = noEffects();
    const runId = yield* insertWorkflowRun(
      tx,
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
    );
    yield* this.advance(yield* this.load(tx, runId), now, effects);
    // Kept until admitRun; a rolled-back SQLite transaction may hand the same id out again, which replaces it.
    this.created.set(runId, effects);
    return runId;
  }

  /** Forgets a run `createRun` wrote in a transaction that rolled back, and its first steps' executions. */
  discardRun(runId: number): void {
    const effects = this.created.get(runId);
    this.created.delete(runId);
    if (effects) this.discardEffects(effects);
  }

  /** Publishes a run `createRun` wrote and hands its first steps to the engine, once the caller committed. */
  admitRun(runId: number): void {
    const effects = this.created.get(runId) ?? noEffects();
    this.created.delete(runId);
    this.afterCommit(runId, effects);
  }

  /** Stops the run's queued and running steps, skips the pending ones; it ends `cancelled`. */
  async cancel(runId: number): Promise<WorkflowRunDto> {
    await this.change(function* (this: WorkflowRunner, tx, effects) {
      const state = yield* this.load(tx, runId);
      if (isRunEnded(state.run))
        throw conflict(`Workflow run ${runId} has already ended (${state.run.status})`);
      const now = this.now();
      if (state.run.stopping === null)
        yield* this.requestStop(state, 'cancelled', 'Cancelled by request', now, effects);
      yield* this.advance(state, now, effects);
      return runId;
    });
    return this.dto(runId);
  }

  /**
   * At start-up, after recovery has ended the executions the last server left behind: each
   * unfinished run goes on. A step whose execution ended unseen takes its ending (`interrupted`,
   * also for a run the shutdown cancelled), and its dependants follow their rules. A step with an
   * execution is never launched again.
   */
  async resume(): Promise<number[]> {
    const ids = await execute(this.deps.store, listUnfinishedWorkflowRunIds(this.deps.store));
    for (const runId of ids) {
      // One run that cannot go on must not keep the others from it.
      await this.guard({ workflowRunId: runId }, 'resuming a workflow run failed', () =>
        this.change(function* (this: WorkflowRunner, tx, effects) {
          const state = yield* this.load(tx, runId);
          const now = this.now();
          for (const step of state.steps.values()) yield* this.settleUnseenEnding(state, step, now);
          yield* this.advance(state, now, effects);
          return runId;
        }),
      );
    }
    return ids;
  }

  /**
   * Before the engine stops its runs at shutdown: their endings are left for resume() to read.
   * Resolves once the step events already under way are handled.
   */
  shutdown(): Promise<void> {
    this.shuttingDown = true;
    return this.stepEvents;
  }

  onRunStarted(event: StepRunStarted): Promise<void> {
    return this.onStepEvent(event.executionId, 'running', function* (this: WorkflowRunner, state, step) {
      yield* this.setStep(state, step.stepKey, { status: 'running', startedAt: event.startedAt });
      if (state.run.status === 'queued')
        yield* this.setRun(state, { status: 'running', startedAt: event.startedAt });
    });
  }

  onRunEnded(event: StepRunEnded): Promise<void> {
    return this.onStepEvent(
      event.executionId,
      event.status,
      function* (this: WorkflowRunner, state, step, now, effects) {
        yield* this.endStep(state, step, now, {
          status: event.status,
          resultText: event.resultText,
          output: event.structuredOutput ?? null,
          costMicros: event.costMicros,
        });
        yield* this.advance(state, now, effects);
      },
    );
  }

  /** On every usage event of a step: one indexed read and two prepared updates, and the run's rules only when its budget is reached. */
  onSpend(event: StepSpend): Promise<void> {
    return this.inTurn({ executionId: event.executionId }, 'recording a step’s spend failed', () =>
      this.change(function* (this: WorkflowRunner, tx, effects) {
        const step = yield* findStepByExecution(tx, event.executionId);
        if (!step || isStepEnded(step.status) || event.costMicros <= step.spendMicros) return null;
        const spend = yield* moveStepSpend(tx, step, event.costMicros);
        const budget = spend?.budgetMicros ?? null;
        if (spend && budget !== null && spend.stopping === null && spend.spendMicros >= budget)
          yield* this.advance(yield* this.load(tx, step.runId), this.now(), effects);
        return step.runId;
      }),
    );
  }

  /** A change of one step, reported by the engine; stale and repeated events are ignored. */
  private onStepEvent(
    executionId: number,
    to: WorkflowStepStatus,
    apply: (state: RunState, step: StepOfExecution, now: number, effects: Effects) => Plan<void>,
  ): Promise<void> {
    return this.inTurn({ executionId }, 'updating a workflow step failed', () =>
      this.change(function* (this: WorkflowRunner, tx, effects) {
        const found = yield* findStepByExecution(tx, executionId);
        if (!found || !canMoveStep(found.status, to)) return null;
        const state = yield* this.load(tx, found.runId);
        // Read again under the run's lock: with several web processes, each hears of every
        // ending, and another may have moved the step since (its spend must count once).
        const step = state.steps.get(found.stepKey);
        if (!step || !canMoveStep(step.status, to)) return null;
        yield* apply.call(this, state, step, this.now(), effects);
        return step.runId;
      }),
    );
  }

  /** A step event, after the ones before it; none once shutting down (resume reads their endings). */
  private inTurn(context: Record<string, number>, what: string, act: () => Promise<unknown>): Promise<void> {
    const turn = this.stepEvents.then(() => (this.shuttingDown ? undefined : this.guard(context, what, act)));
    this.stepEvents = turn;
    return turn;
  }

  /**
   * One change of a run, in one transaction: `body` returns the run it changed (null: none), and
   * what it asked of the engine is done once it committed, or forgotten if it did not.
   */
  private async change(
    body: (this: WorkflowRunner, tx: Store, effects: Effects) => Plan<number | null>,
  ): Promise<void> {
    const effects = noEffects();
    let runId: number | null;
    try {
      runId = await transaction(this.deps.store, (tx) => body.call(this, tx, effects));
    } catch (error) {
      this.discardEffects(effects);
      throw error;
    }
    if (runId !== null) this.afterCommit(runId, effects);
  }

  /** The engine's callbacks, the start-up and the engine itself must not fail because of one another: logged instead. */
  private async guard(context: Record<string, number>, what: string, act: () => unknown): Promise<void> {
    try {
      await act();
    } catch (err) {
      this.deps.logger.error({ err, ...context }, what);
    }
  }

  private *settleUnseenEnding(state: RunState, step: WorkflowRunStep, now: number): Plan<void> {
    if (!isStepActive(step.status) || step.executionId === null) return;
    const ending = yield* getExecutionEnding(state.tx, step.executionId);
    if (!ending || isActiveStatus(ending.status)) return;
    const shutdown = ending.status === 'cancelled' && ending.errorCode === 'shutdown';
    yield* this.endStep(
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

  private *endStep(
    state: RunState,
    step: StepOfExecution,
    now: number,
    ending: { status: WorkflowStepStatus; resultText: string | null; output: unknown; costMicros: number },
  ): Plan<void> {
    if (ending.costMicros > step.spendMicros) {
      const spend = yield* moveStepSpend(state.tx, step, ending.costMicros);
      if (spend) state.run = { ...state.run, spendMicros: spend.spendMicros };
    }
    yield* this.setStep(state, step.stepKey, {
      status: ending.status,
      resultText: ending.resultText,
      output: ending.output,
      spendMicros: Math.max(step.spendMicros, ending.costMicros),
      finishedAt: now,
    });
  }

  /** Applies the rules until nothing changes: budget, skips, launches, and the run's ending. */
  private *advance(state: RunState, now: number, effects: Effects): Plan<void> {
    const { run } = state;
    if (run.stopping === null && run.budgetMicros !== null && run.spendMicros >= run.budgetMicros) {
      const message = `The workflow's budget of ${usd(run.budgetMicros)} was reached: ${usd(run.spendMicros)} spent`;
      yield* this.requestStop(state, 'budget_exceeded', message, now, effects);
    }
    if (state.run.stopping === null) yield* this.launchReady(state, now, effects);
    const outcome = runOutcome(state.compiled.definition, statusesOf(state), state.run.stopping);
    if (outcome && !isRunEnded(state.run)) {
      yield* this.setRun(state, {
        status: outcome.status,
        finishedAt: now,
        error: outcome.error ?? state.run.error,
      });
    }
  }

  private *launchReady(state: RunState, now: number, effects: Effects): Plan<void> {
    // A launch that ends at once (refused, agent gone) can decide other steps: plan again.
    for (let settled = false; !settled; ) {
      const plan = planSteps(state.compiled.definition, statusesOf(state));
      for (const skip of plan.skips) {
        yield* this.setStep(state, skip.key, { status: 'skipped', reason: skip.reason, finishedAt: now });
      }
      settled = true;
      for (const key of plan.launches) {
        if (!(yield* this.launch(state, key, now, effects))) settled = false;
      }
    }
  }

  /** Queues the step as an execution; false when it ended at once instead. */
  private *launch(state: RunState, key: string, now: number, effects: Effects): Plan<boolean> {
    const { launcher, logger } = this.deps;
    const step = state.compiled.steps.get(key);
    const template = state.compiled.templates.get(key);
    if (!step || !template)
      throw new Error(`Step ${key} is not in workflow run ${state.run.id}'s definition`);
    const refusal = yield* launcher.refusal(state.tx, step.agentId, now);
    if (refusal) {
      yield* this.setStep(state, key, {
        status: 'budget_exceeded',
        reason: refusal.message,
        finishedAt: now,
      });
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
      yield* this.setStep(state, key, { status: 'failed', reason, finishedAt: now });
      return false;
    }
    const { budgetMicros, spendMicros } = state.run;
    let executionId: number;
    try {
      // A savepoint: a launch that throws leaves nothing behind in the run's transaction.
      executionId = yield* savepoint(state.tx, () =>
        launcher.createRun(
          state.tx,
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
      yield* this.setStep(state, key, { status: 'failed', reason: err.message, finishedAt: now });
      return false;
    }
    yield* this.setStep(state, key, { status: 'queued', executionId, missingValues: prompt.missing });
    effects.admit.push(executionId);
    return true;
  }

  private *requestStop(
    state: RunState,
    stop: WorkflowStop,
    message: string,
    now: number,
    effects: Effects,
  ): Plan<void> {
    yield* this.setRun(state, { stopping: stop, error: message });
    for (const step of state.steps.values()) {
      if (step.status === 'pending') {
        yield* this.setStep(state, step.stepKey, { status: 'skipped', reason: message, finishedAt: now });
      } else if (isStepActive(step.status) && step.executionId !== null) {
        effects.stop.push({ executionId: step.executionId, reason: STOP_REASON[stop], message });
      }
    }
  }

  private *setStep(state: RunState, key: string, patch: RunStepPatch): Plan<void> {
    const current = state.steps.get(key);
    if (!current) throw new Error(`Workflow run ${state.run.id} has no step ${key}`);
    yield* updateRunStep(state.tx, state.run.id, key, patch);
    state.steps.set(key, { ...current, ...patch });
  }

  private *setRun(state: RunState, patch: RunPatch): Plan<void> {
    yield* updateWorkflowRun(state.tx, state.run.id, patch);
    state.run = { ...state.run, ...patch };
  }

  /** The run (its row locked until `tx` ends, on Postgres), its steps and its definition. */
  private *load(tx: Store, runId: number): Plan<RunState> {
    const run = yield* lockWorkflowRunRow(tx, runId);
    if (!run) throw notFound('Workflow run');
    const steps = new Map((yield* getWorkflowRunStepRows(tx, runId)).map((step) => [step.stepKey, step]));
    return { tx, run, compiled: yield* this.compile(tx, run.workflowId, run.workflowVersion), steps };
  }

  private *compile(tx: Store, workflowId: number, version: number): Plan<Compiled> {
    const cacheKey = `${workflowId}:${version}`;
    const cached = this.compiled.get(cacheKey);
    if (cached) return cached;
    const definition = yield* getWorkflowVersion(tx, workflowId, version);
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
    if (afterCommit) this.logFailure(context, 'publishing a workflow run failed', () => afterCommit(runId));
    for (const executionId of effects.admit) {
      this.logFailure({ ...context, executionId }, 'admitting a step failed', () =>
        launcher.admit(executionId),
      );
    }
    for (const { executionId, reason, message } of effects.stop) {
      this.logFailure({ ...context, executionId }, 'stopping a step failed', () =>
        launcher.stop(executionId, reason, message),
      );
    }
  }

  /** Steps launched in a transaction that did not commit: the engine forgets them. */
  private discardEffects(effects: Effects): void {
    for (const executionId of effects.admit) this.deps.launcher.discard(executionId);
  }

  /** `act` now; a failure is logged, so one effect's failure does not keep the others from happening. */
  private logFailure(context: Record<string, number>, what: string, act: () => void): void {
    try {
      act();
    } catch (err) {
      this.deps.logger.error({ err, ...context }, what);
    }
  }

  private async dto(runId: number): Promise<WorkflowRunDto> {
    const run = await execute(this.deps.store, getWorkflowRun(this.deps.store, runId));
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
