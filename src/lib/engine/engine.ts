import type { SDKMessage, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import type { AgentTools } from '../claude/client';
import { reconcileCostRecords } from '../claude/costTracker';
import { TRANSIENT_FAILURES } from '../claude/failures';
import { MessageTranslator } from '../claude/messages';
import { addUsage, UsageAccumulator, ZERO_USAGE } from '../claude/usage';
import type { AppEnv } from '../config/env';
import type { ModelCostRecord } from '../contracts/costs';
import {
  type ExecutionLive,
  type ExecutionTrigger,
  type ModelCost,
  microsToUsd,
  type TokenUsage,
} from '../contracts/executions';
import type { CircuitBreakerDto } from '../contracts/system';
import { DomainError, isDomainError } from '../core/errors';
import type { Logger } from '../core/logger';
import { describeStorageFault, type StorageFault, storageFaultOf } from '../core/storageFault';
import type { DbHandle } from '../db';
import { recordExecutionOutcome } from '../db/queries/costs';
import {
  type ExecutionProgress,
  getTriggerName,
  insertQueuedExecution,
  markExecutionRunning,
  type NewExecutionAttempt,
  recordAttemptForRetry,
  recordExecutionInit,
  type TokenTotals,
} from '../db/queries/executions';
import { getAppSettings } from '../db/queries/settings';
import type { AgentConfiguration } from '../db/schema';
import type { SecretMasker } from '../security/secrets';
import { Admission } from './admission';
import { type AttemptResult, type RunningAttempt, startAttempt } from './attemptRunner';
import { assertBudgetLeft, sdkBudgetUsd } from './budgets';
import { type AttemptVerdict, CircuitBreaker } from './circuitBreaker';
import { type BudgetStop, budgetStopSchema, type EngineEvent, EngineEvents } from './events';
import { type CommittedOutput, OutputWriter, type RunOutput } from './outputWriter';
import { retryDelayMs } from './retryPolicy';
import {
  type RunEnding,
  type RunInput,
  type RunState,
  STORAGE_ERROR,
  type StopReason,
  statusOf,
  transition,
} from './runState';
import { SpendGuard } from './spendGuard';

const MIB = 1024 * 1024;

/** What a trigger asks the engine to run. */
export interface RunRequest {
  agent: AgentConfiguration;
  /** The agent's default prompt when absent. */
  prompt?: string | null | undefined;
  trigger: ExecutionTrigger;
  scheduleId?: number | null;
  /** For a workflow step: its workflow run and its key. */
  workflowRunId?: number | null;
  workflowStepKey?: string | null;
  /** A workflow step's share of its workflow's budget, in micro-dollars. */
  workflowCapMicros?: number | null;
  /** Overrides of the agent's own limits (a workflow step's). */
  timeoutSeconds?: number;
  runRetries?: number;
}

/** Why the engine would not start a run of an agent now. */
export type Refusal = { kind: 'budget' | 'breaker' | 'storage'; message: string };

/** The data directory's storage, as far as runs go (the storage monitor). */
export interface StorageGate {
  /** Why runs may not start now (free space below the floor, or writes failing), or null. */
  refusal(): { code: string; message: string } | null;
  /** A write failed on storage. */
  reportFault(fault: StorageFault): void;
}

/** Watches the processes of running attempts (the per-run resource sampler). */
export interface ProcessWatcher {
  track(executionId: number, rootPid: number): void;
  untrack(executionId: number): void;
}

export interface EngineDeps {
  handle: DbHandle;
  env: AppEnv;
  logger: Logger;
  masker: SecretMasker;
  processes?: ProcessWatcher;
  storage?: StorageGate;
  /** In-process tools for an agent's runs (built fresh for each attempt), if it has any. */
  toolsFor?: (agent: AgentConfiguration) => AgentTools | undefined;
}

/** One execution in this process, across all its attempts. */
interface ActiveRun {
  readonly executionId: number;
  readonly agentId: number;
  readonly agentLimit: number;
  readonly agent: AgentConfiguration;
  readonly prompt: string;
  readonly createdAt: number;
  readonly timeoutSeconds: number;
  readonly runRetries: number;
  readonly workflowCapMicros: number | null;
  state: RunState;
  /** The budget that stopped or refused it, for whoever reports the ending. */
  budgetStop: BudgetStop | undefined;
  /** What is published: the run as the pages show it. */
  view: ExecutionLive;
  /** The highest sequence number committed (and so publishable). */
  committedSeq: number;
  readonly output: RunOutput;
  /** Across attempts: usage per response (ids never repeat), the results, API retries. */
  readonly usage: UsageAccumulator;
  readonly spend: SpendGuard;
  readonly results: SDKResultMessage[];
  apiRetryCount: number;
  process: RunningAttempt | undefined;
  /** Figures at the start of the current attempt, for its own row. */
  attemptStart: { at: number; costMicros: number; apiRetries: number };
  retryTimer: NodeJS.Timeout | undefined;
  done: Promise<void>;
}

/** A run that has ended but whose ending could not be stored yet (storage failing): retried until it is. */
interface UnrecordedEnding {
  view: ExecutionLive;
  record(): void;
}

const isTransient = (ending: RunEnding) =>
  ending.status === 'failed' && TRANSIENT_FAILURES.has(ending.errorCode as never);

/** What an attempt tells the circuit breaker about the API's health (a storage fault says nothing of it). */
function verdictOf(ending: RunEnding): AttemptVerdict {
  if (isTransient(ending)) return { kind: 'transient', failureClass: ending.errorCode ?? 'unknown' };
  return ending.status === 'completed' || (ending.status === 'failed' && ending.errorCode !== STORAGE_ERROR)
    ? { kind: 'healthy' }
    : { kind: 'neutral' };
}

function tokenTotals(usage: TokenUsage): TokenTotals {
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheCreationTokens: usage.cacheCreation5mTokens + usage.cacheCreation1hTokens,
    cacheReadTokens: usage.cacheReadTokens,
  };
}

function toModelCost(row: ModelCostRecord): ModelCost {
  const { costMicros, reportedCostMicros, ...rest } = row;
  return { ...rest, costUsd: microsToUsd(costMicros), reportedCostUsd: microsToUsd(reportedCostMicros) };
}

function sumUsage(rows: readonly ModelCostRecord[]): TokenUsage {
  return rows.reduce<TokenUsage>(addUsage, ZERO_USAGE);
}

/**
 * The run engine: every trigger (the page, the API, schedules, workflows) starts runs here. It
 * composes admission (when a run starts), the attempt runner (one Claude Code process per
 * attempt), the spend guard (live budgets), the output writer (group commit) and the retry
 * policy around one state value per run, and tells the rest of the server what happened through
 * `events`, only after it is committed.
 */
export class RunEngine {
  readonly events = new EngineEvents();
  readonly breaker: CircuitBreaker;
  private readonly runs = new Map<number, ActiveRun>();
  /** Created inside a caller's transaction, not yet admitted (see createRun). */
  private readonly created = new Map<number, ActiveRun>();
  private readonly unrecorded = new Map<number, UnrecordedEnding>();
  private haltingForStorage = false;
  private readonly admission: Admission<ActiveRun>;
  private readonly writer: OutputWriter;

  constructor(private readonly deps: EngineDeps) {
    const settings = () => getAppSettings(deps.handle.db);
    this.breaker = new CircuitBreaker(
      {
        threshold: () => settings().circuitBreakerThreshold,
        cooldownMs: () => settings().circuitBreakerCooldownSeconds * 1000,
      },
      (circuit) => this.emit({ type: 'circuit.changed', circuit }),
    );
    this.admission = new Admission<ActiveRun>({
      globalLimit: () => settings().maxConcurrentRuns,
      gate: this.breaker,
      wake: () => this.pump(),
    });
    this.writer = new OutputWriter(
      deps.handle.sqlite,
      deps.masker,
      (outputs) => this.committed(outputs),
      (error, executionIds) => this.outputFailed(error, executionIds),
    );
  }

  /**
   * Starts a run: refused (a `budget_exhausted` domain error naming the budget, nothing written)
   * when a monthly budget is spent; refused too while storage refuses runs, but recorded (the run
   * ends at once, failed, saying why; an `insufficient_storage` error names it); otherwise queued,
   * and started as soon as the limits allow.
   */
  start(request: RunRequest): ExecutionLive {
    const now = Date.now();
    assertBudgetLeft(this.deps.handle.db, request.agent, now);
    const storage = this.deps.storage?.refusal();
    const executionId = this.createRun(request, now);
    const run = this.expectCreated(executionId);
    if (storage) {
      this.created.delete(executionId);
      this.refuse(run, { status: 'failed', errorCode: storage.code, errorMessage: storage.message });
      throw new DomainError('insufficient_storage', storage.message, undefined, {
        executionId,
        reason: storage.code,
      });
    }
    this.admit(executionId);
    return this.publishedView(run);
  }

  /**
   * Writes the queued execution row and nothing else, so a trigger can do it inside its own
   * transaction (a schedule's firing and its run commit together). Nothing runs until `admit`,
   * which the caller calls after its commit.
   */
  createRun(request: RunRequest, now: number = Date.now()): number {
    const { agent } = request;
    const prompt = request.prompt ?? agent.defaultPrompt;
    const origin = {
      trigger: request.trigger,
      scheduleId: request.scheduleId ?? null,
      workflowRunId: request.workflowRunId ?? null,
      workflowStepKey: request.workflowStepKey ?? null,
    };
    const executionId = insertQueuedExecution(this.deps.handle.db, {
      agentId: agent.id,
      prompt,
      model: agent.model,
      ...origin,
      createdAt: now,
    });
    const run: ActiveRun = {
      executionId,
      agentId: agent.id,
      agentLimit: agent.maxConcurrentRuns,
      agent,
      prompt,
      createdAt: now,
      timeoutSeconds: request.timeoutSeconds ?? agent.timeoutSeconds,
      runRetries: request.runRetries ?? agent.runRetries,
      workflowCapMicros: request.workflowCapMicros ?? null,
      state: { phase: 'queued', attempt: 1 },
      budgetStop: undefined,
      view: initialView(
        executionId,
        agent,
        { ...origin, triggerName: getTriggerName(this.deps.handle.db, origin) },
        now,
      ),
      committedSeq: 0,
      output: this.writer.open(executionId, 0, getAppSettings(this.deps.handle.db).runLogCapMb * MIB),
      usage: new UsageAccumulator((id, usage) => this.onResponse(run, id, usage)),
      spend: new SpendGuard(this.deps.handle.db, {
        executionId,
        agent,
        createdAt: now,
        workflowCapMicros: request.workflowCapMicros ?? null,
      }),
      results: [],
      apiRetryCount: 0,
      process: undefined,
      attemptStart: { at: now, costMicros: 0, apiRetries: 0 },
      retryTimer: undefined,
      done: Promise.resolve(),
    };
    this.created.set(executionId, run);
    return executionId;
  }

  /** Queues a run that `createRun` wrote, once the caller's transaction has committed. */
  admit(executionId: number): void {
    const run = this.expectCreated(executionId);
    this.created.delete(executionId);
    this.runs.set(executionId, run);
    this.admission.enqueue(run);
    this.emit({ type: 'run.queued', execution: this.publishedView(run) });
    this.pump();
  }

  /** Why a run of this agent would not start now, without starting or writing anything. */
  refusal(agent: AgentConfiguration, now: number = Date.now()): Refusal | null {
    try {
      assertBudgetLeft(this.deps.handle.db, agent, now);
    } catch (error) {
      if (isDomainError(error)) return { kind: 'budget', message: error.message };
      throw error;
    }
    const storage = this.storageRefusal();
    if (storage) return storage;
    const circuit = this.breaker.snapshot();
    if (circuit.state === 'open' && this.breaker.msUntilHalfOpen() > 0) {
      return {
        kind: 'breaker',
        message: `The circuit breaker is open after ${circuit.consecutiveFailures} transient failures in a row (last: ${circuit.lastFailure ?? 'unknown'})`,
      };
    }
    return null;
  }

  /** Why no run may start now as far as storage goes (free space below the floor, or writes failing). */
  storageRefusal(): Refusal | null {
    const refusal = this.deps.storage?.refusal();
    return refusal ? { kind: 'storage', message: refusal.message } : null;
  }

  /** Stops a queued, waiting or running run; false if it is none of these (unknown, or already ended). */
  cancel(executionId: number): boolean {
    return this.stop(executionId, 'cancelled', null);
  }

  /** Stops a run for a reason; `budget` ends it `budget_exceeded` with `message`. */
  stop(executionId: number, reason: StopReason, message: string | null): boolean {
    const run = this.runs.get(executionId);
    if (!run || run.state.phase === 'ended') return false;
    this.halt(run, reason, message);
    return true;
  }

  /** Starts waiting runs the limits now allow (e.g. after a setting changed). */
  pump(): void {
    const moved = this.admission.pump((run) => this.launchOrRefuse(run));
    // Everyone behind moved up.
    if (moved) for (const waiting of this.admission.waitingRuns) this.publishUpdate(waiting);
  }

  /** 1-based place in the queue, or null when not queued. */
  queuePosition(executionId: number): number | null {
    return this.admission.position(executionId);
  }

  /** The run's live view while this process runs it (or holds its ending unstored); undefined once it has ended. */
  liveView(executionId: number): ExecutionLive | undefined {
    const run = this.runs.get(executionId);
    return run ? this.publishedView(run) : this.unrecorded.get(executionId)?.view;
  }

  /**
   * Stores the endings a storage fault kept in memory, oldest first, announcing each once stored.
   * Throws the first write error (storage still failing): the storage monitor calls this until it
   * does not.
   */
  recordPendingEndings(): void {
    for (const [executionId, ending] of this.unrecorded) {
      ending.record();
      this.unrecorded.delete(executionId);
      this.announceEnding(ending.view);
    }
  }

  get activeCount(): number {
    return this.runs.size;
  }

  get queuedCount(): number {
    return this.admission.waitingRuns.length;
  }

  circuit(): CircuitBreakerDto {
    return this.breaker.snapshot();
  }

  /**
   * Ends every run (`cancelled`, reason `shutdown`) and waits for their final writes. Endings that
   * storage still refuses are given up on: the next start finds those runs and ends them `interrupted`.
   */
  async shutdown(): Promise<void> {
    this.admission.stop();
    for (const run of [...this.runs.values()]) this.halt(run, 'shutdown', null);
    await Promise.allSettled([...this.runs.values()].map((run) => run.done));
    this.writer.flush();
    if (this.unrecorded.size === 0) return;
    try {
      this.recordPendingEndings();
    } catch (error) {
      this.deps.logger.warn(
        { err: error, executionIds: [...this.unrecorded.keys()] },
        'run endings could not be stored before shutdown; the next start records these runs as interrupted',
      );
    }
  }

  private launchOrRefuse(run: ActiveRun): boolean {
    try {
      assertBudgetLeft(this.deps.handle.db, run.agent, Date.now());
    } catch (error) {
      if (!isDomainError(error)) throw error;
      run.budgetStop = budgetStopOf(error.details);
      this.refuse(run, {
        status: 'budget_exceeded',
        errorCode: 'budget_exceeded',
        errorMessage: error.message,
      });
      return false;
    }
    const storage = this.deps.storage?.refusal();
    if (storage) {
      this.refuse(run, { status: 'failed', errorCode: storage.code, errorMessage: storage.message });
      return false;
    }
    return this.launch(run);
  }

  /** Ends a run that has not started (no slot, no process), saying why. */
  private refuse(run: ActiveRun, ending: RunEnding): void {
    this.apply(run, { type: 'refuse', ending });
    this.finish(run, null);
  }

  /** Starts the run's attempt; false when it could not even be marked running (storage failed). */
  private launch(run: ActiveRun): boolean {
    const { db } = this.deps.handle;
    const at = Date.now();
    try {
      markExecutionRunning(db, run.executionId, at, run.state.attempt);
    } catch (error) {
      const fault = storageFaultOf(error);
      if (!fault) throw error;
      this.storageFailed(fault);
      return false;
    }
    this.apply(run, { type: 'launch', at });
    run.view.startedAt ??= at;
    run.view.attempt = run.state.attempt;
    run.view.nextAttemptAt = null;
    run.attemptStart = { at, costMicros: run.spend.cost.totalMicros, apiRetries: run.apiRetryCount };
    this.emit({ type: 'run.started', execution: this.publishedView(run) });

    const translator = new MessageTranslator();
    run.process = startAttempt(
      {
        executionId: run.executionId,
        agent: run.agent,
        prompt: run.prompt,
        env: this.deps.env,
        logger: this.deps.logger,
        maxBudgetUsd: sdkBudgetUsd(db, run.agent, at, this.remainingWorkflowCap(run)),
        timeoutSeconds: run.timeoutSeconds,
        tools: this.deps.toolsFor?.(run.agent),
      },
      {
        onMessage: (message) => this.onMessage(run, translator, message),
        onSpawn: (pid) => this.deps.processes?.track(run.executionId, pid),
      },
    );
    run.done = run.process.done
      .then((result) => this.afterAttempt(run, result))
      .catch((error: unknown) =>
        this.deps.logger.error({ executionId: run.executionId, err: error }, 'execution crashed'),
      )
      .then(() => this.pumpOnItsOwn());
    return true;
  }

  /** A pump on a timer or after an attempt, where nothing would catch what it throws. */
  private pumpOnItsOwn(): void {
    try {
      this.pump();
    } catch (error) {
      const fault = storageFaultOf(error);
      if (fault) this.storageFailed(fault);
      else this.deps.logger.error({ err: error }, 'starting waiting runs failed');
    }
  }

  private remainingWorkflowCap(run: ActiveRun): number | null {
    return run.workflowCapMicros === null
      ? null
      : Math.max(0, run.workflowCapMicros - run.spend.cost.totalMicros);
  }

  /** A message's writes failing on storage end the run (and every other); nothing reaches the SDK's loop. */
  private onMessage(run: ActiveRun, translator: MessageTranslator, message: SDKMessage): void {
    try {
      this.takeMessage(run, translator, message);
    } catch (error) {
      const fault = storageFaultOf(error);
      if (!fault) throw error;
      this.storageFailed(fault);
    }
  }

  private takeMessage(run: ActiveRun, translator: MessageTranslator, message: SDKMessage): void {
    if (message.type === 'system' && message.subtype === 'init') {
      const init = {
        sessionId: message.session_id,
        apiKeySource: message.apiKeySource,
        model: message.model,
      };
      recordExecutionInit(this.deps.handle.db, run.executionId, init);
      Object.assign(run.view, init);
    }
    if (message.type === 'result') {
      run.view.resultText = this.resultTextOf(message);
      run.view.structuredOutput = structuredOutputOf(message);
    }
    // Usage changes reach the spend guard through the accumulator's callback (onResponse).
    const usageChanged = run.usage.observe(message);
    const retries = run.attemptStart.apiRetries + (run.process?.apiRetries ?? 0);
    const retriesChanged = retries !== run.apiRetryCount;
    run.apiRetryCount = retries;
    const { steps, logs } = translator.translate(message);
    for (const step of steps) run.output.addStep(step);
    for (const log of logs) run.output.addLog(log);
    if (usageChanged || retriesChanged) run.output.setProgress(this.progressOf(run));
  }

  /** A response's figures changed: spend is written and checked at once, and a reached budget stops the run. */
  private onResponse(run: ActiveRun, responseId: string, usage: Parameters<SpendGuard['observe']>[1]): void {
    const breach = run.spend.observe(responseId, usage, Date.now());
    const rows = run.spend.cost.records();
    run.view.costUsd = microsToUsd(run.spend.cost.totalMicros);
    run.view.costs = rows.map(toModelCost);
    if (breach && run.state.phase === 'running') {
      run.budgetStop = {
        budget: breach.budget,
        limitUsd: microsToUsd(breach.limitMicros),
        spentUsd: microsToUsd(breach.spentMicros),
      };
      this.halt(run, 'budget', breach.message);
    }
  }

  private progressOf(run: ActiveRun): ExecutionProgress {
    const progress = {
      ...tokenTotals(sumUsage(run.spend.cost.records())),
      numTurns: run.usage.responseCount,
      apiRetryCount: run.apiRetryCount,
    };
    Object.assign(run.view, progress);
    return progress;
  }

  /** A group commit failed: a storage fault ends every run; anything else is a bug, logged, the lines lost. */
  private outputFailed(error: unknown, executionIds: number[]): void {
    const fault = storageFaultOf(error);
    if (fault) this.storageFailed(fault);
    else this.deps.logger.error({ err: error, executionIds }, 'run output could not be stored');
  }

  /**
   * Storage failed under a write: every run ends `failed` (storage_error), its process stopped and
   * its slot freed, keeping what was committed before. Their last unstored lines are dropped; their
   * endings are stored as soon as storage takes writes again (recordPendingEndings).
   */
  private storageFailed(fault: StorageFault): void {
    this.deps.storage?.reportFault(fault);
    // Ending a run writes too, and fails again: the outer call goes on with the runs left.
    if (this.haltingForStorage) return;
    this.haltingForStorage = true;
    try {
      for (const run of [...this.runs.values()]) {
        run.output.close();
        this.halt(run, 'storage', this.storageMessage(fault));
      }
    } finally {
      this.haltingForStorage = false;
    }
  }

  private storageMessage(fault: StorageFault): string {
    const cause = describeStorageFault(fault, this.deps.env.dataDir);
    return `Stopped: the run's output could not be stored. ${cause} What was stored before is kept.`;
  }

  /** After a group commit: lines go out, and the live view with the figures stored in it. */
  private committed(outputs: CommittedOutput[]): void {
    for (const batch of outputs) {
      const run = this.runs.get(batch.executionId);
      if (run) run.committedSeq = batch.seq;
      if (batch.steps.length > 0 || batch.logs.length > 0) {
        const { executionId, seq, steps, logs } = batch;
        this.emit({ type: 'run.output', executionId, seq, steps, logs });
      }
      if (batch.progress && run) this.publishUpdate(run);
    }
  }

  private halt(run: ActiveRun, reason: StopReason, message: string | null): void {
    if (run.state.phase === 'ended') return;
    const wasWaiting = run.state.phase === 'queued' || run.state.phase === 'backoff';
    this.apply(run, { type: 'stop', reason, message });
    if (run.state.phase === 'stopping') {
      run.process?.stop(reason, message);
      return;
    }
    if (!wasWaiting) return;
    clearTimeout(run.retryTimer);
    const withdrawn = this.admission.withdraw(run.executionId);
    this.finish(run, null);
    if (withdrawn) for (const waiting of this.admission.waitingRuns) this.publishUpdate(waiting);
  }

  /** Retries a transient failure while the policy allows; otherwise the run ends. */
  private afterAttempt(run: ActiveRun, result: AttemptResult): void {
    this.admission.release(run.executionId);
    this.deps.processes?.untrack(run.executionId);
    run.process = undefined;
    if (result.result) run.results.push(result.result);
    run.apiRetryCount = run.attemptStart.apiRetries + result.apiRetries;
    const { storageFault } = result;
    if (storageFault) this.storageFailed(storageFault);
    const ending = {
      ...result.ending,
      errorMessage: storageFault
        ? this.storageMessage(storageFault)
        : result.ending.errorMessage && this.deps.masker.mask(result.ending.errorMessage),
    };
    if (ending.status !== 'completed') {
      run.output.addLog({ level: 'error', text: `[${ending.status}] ${ending.errorMessage ?? ''}` });
    }
    run.output.setProgress(this.progressOf(run));
    run.output.flush();
    this.breaker.record(verdictOf(ending));

    const attempt = run.state.attempt;
    const retryDelay =
      run.state.phase === 'running' && isTransient(ending) && attempt <= run.runRetries
        ? retryDelayMs(run.agent.runRetryDelaySeconds * 1000, attempt)
        : null;
    const attemptRow: NewExecutionAttempt = {
      executionId: run.executionId,
      attempt,
      status: ending.status,
      startedAt: run.attemptStart.at,
      finishedAt: result.finishedAt,
      errorCode: ending.errorCode,
      errorMessage: ending.errorMessage,
      apiRetryCount: result.apiRetries,
      costMicros: run.spend.cost.totalMicros - run.attemptStart.costMicros,
      retryDelayMs: retryDelay,
    };
    const retryAt = retryDelay === null ? null : Date.now() + retryDelay;
    this.apply(run, { type: 'attempt_ended', ending, retryAt });
    if (run.state.phase === 'backoff' && retryAt !== null && retryDelay !== null) {
      this.scheduleRetry(run, attemptRow, retryAt, retryDelay);
    } else this.finish(run, attemptRow);
  }

  private scheduleRetry(
    run: ActiveRun,
    attemptRow: NewExecutionAttempt,
    retryAt: number,
    delay: number,
  ): void {
    const { attempt } = attemptRow;
    const failure = attemptRow.errorCode;
    const summary = `Attempt ${attempt} of ${run.runRetries + 1} failed (${failure}); attempt ${attempt + 1} in ${(delay / 1000).toFixed(1)} s`;
    run.output.addStep({
      kind: 'system',
      summary,
      payload: { attempt, failure, retryDelayMs: delay },
      toolName: null,
      toolUseId: null,
      isError: true,
    });
    run.output.addLog({ level: 'warn', text: `[retry] ${summary}` });
    run.output.flush();
    try {
      recordAttemptForRetry(this.deps.handle.db, attemptRow, retryAt);
    } catch (error) {
      const fault = storageFaultOf(error);
      if (!fault) throw error;
      // The run waits in backoff: the fault ends it there, without its retry.
      this.storageFailed(fault);
      return;
    }
    Object.assign(run.view, {
      nextAttemptAt: retryAt,
      errorCode: attemptRow.errorCode ?? null,
      errorMessage: attemptRow.errorMessage ?? null,
    });
    run.view.attempts = [...run.view.attempts, attemptDto(attemptRow)];
    const ending = {
      status: 'failed' as const,
      errorCode: failure ?? null,
      errorMessage: attemptRow.errorMessage ?? null,
    };
    this.emit({ type: 'attempt.ended', execution: this.publishedView(run), attempt, ending, retryAt });
    run.retryTimer = setTimeout(() => {
      run.retryTimer = undefined;
      this.apply(run, { type: 'retry_due' });
      this.admission.enqueue(run);
      this.publishUpdate(run);
      this.pumpOnItsOwn();
    }, delay);
  }

  /** The final write: end state, totals over all attempts, reconciled costs and the last attempt. */
  private finish(run: ActiveRun, lastAttempt: NewExecutionAttempt | null): void {
    if (run.state.phase !== 'ended') throw new Error(`finish() on a ${run.state.phase} run`);
    const { ending } = run.state;
    const models = reconcileCostRecords(run.usage.responses(), run.results, run.createdAt);
    const totals = tokenTotals(sumUsage(models));
    const finishedAt = Date.now();
    const firstStartedAt = run.view.startedAt;
    const lastResult = run.results.at(-1);
    const numTurns = run.results.reduce((sum, r) => sum + r.num_turns, 0) || run.usage.responseCount;
    const resultText = lastResult ? this.resultTextOf(lastResult) : null;
    const structuredOutput = lastResult ? structuredOutputOf(lastResult) : null;
    Object.assign(run.view, {
      ...ending,
      ...totals,
      finishedAt,
      durationMs: firstStartedAt === null ? null : finishedAt - firstStartedAt,
      numTurns,
      resultText,
      structuredOutput,
      apiRetryCount: run.apiRetryCount,
      nextAttemptAt: null,
      costUsd: microsToUsd(models.reduce((sum, row) => sum + row.costMicros, 0)),
      costs: models.map(toModelCost),
      attempts: lastAttempt ? [...run.view.attempts, attemptDto(lastAttempt)] : run.view.attempts,
    });
    run.output.closeTruncation();
    run.output.flush();
    run.committedSeq = run.output.lastSeq;
    const finalView = this.publishedView(run);
    const record = () =>
      recordExecutionOutcome(
        this.deps.handle.db,
        {
          execution: { id: run.executionId, agentId: run.agentId, createdAt: run.createdAt },
          outcome: {
            ...ending,
            finishedAt,
            durationMs: finalView.durationMs,
            numTurns,
            totals,
            resultText,
            structuredOutput,
            apiRetryCount: run.apiRetryCount,
          },
          rows: models,
          previous: run.spend.lastWritten,
          lastAttempt,
        },
        () =>
          this.events.writeEnding({
            execution: finalView,
            agent: run.agent,
            budget: run.budgetStop,
            timeoutSeconds: run.timeoutSeconds,
          }),
      );
    this.runs.delete(run.executionId);
    try {
      record();
    } catch (error) {
      const fault = storageFaultOf(error);
      if (!fault) throw error;
      // Ended all the same (no process, no slot); stored, and announced, once storage takes writes.
      this.unrecorded.set(run.executionId, { view: finalView, record });
      this.emit({ type: 'run.updated', execution: finalView });
      this.storageFailed(fault);
      return;
    }
    this.announceEnding(finalView);
  }

  /** A stored ending goes out (pages, workflows, notifications). */
  private announceEnding(execution: ExecutionLive): void {
    this.emit({ type: 'run.ended', execution });
    this.deps.logger.info(
      {
        executionId: execution.id,
        status: execution.status,
        errorCode: execution.errorCode,
        attempts: execution.attempt,
      },
      'execution finished',
    );
  }

  private resultTextOf(result: SDKResultMessage): string | null {
    return result.subtype === 'success' ? this.deps.masker.mask(result.result) : null;
  }

  private apply(run: ActiveRun, input: RunInput): void {
    run.state = transition(run.state, input);
    run.view.status = statusOf(run.state);
  }

  private publishedView(run: ActiveRun): ExecutionLive {
    return {
      ...run.view,
      lastSeq: run.committedSeq,
      queuePosition: this.admission.position(run.executionId),
    };
  }

  private publishUpdate(run: ActiveRun): void {
    this.emit({ type: 'run.updated', execution: this.publishedView(run) });
  }

  private emit(event: EngineEvent): void {
    this.events.emit(event, (error) =>
      this.deps.logger.error({ err: error, event: event.type }, 'event listener failed'),
    );
  }

  private expectCreated(executionId: number): ActiveRun {
    const run = this.created.get(executionId);
    if (!run)
      throw new Error(`execution ${executionId} was not created by this engine, or was admitted already`);
    return run;
  }
}

/** A successful result's structured answer (agents run with an output schema); null otherwise. */
function structuredOutputOf(result: SDKResultMessage): unknown {
  return result.subtype === 'success' ? (result.structured_output ?? null) : null;
}

function attemptDto(row: NewExecutionAttempt) {
  return {
    attempt: row.attempt,
    status: row.status,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    errorCode: row.errorCode ?? null,
    errorMessage: row.errorMessage ?? null,
    apiRetryCount: row.apiRetryCount ?? 0,
    costUsd: microsToUsd(row.costMicros ?? 0),
    retryDelayMs: row.retryDelayMs ?? null,
  };
}

function budgetStopOf(details: Record<string, unknown> | undefined): BudgetStop | undefined {
  const parsed = budgetStopSchema.safeParse(details);
  return parsed.success ? parsed.data : undefined;
}

/** A new run as the pages show it, built from what was just inserted rather than read back. */
function initialView(
  id: number,
  agent: AgentConfiguration,
  origin: Pick<ExecutionLive, 'trigger' | 'scheduleId' | 'workflowRunId' | 'workflowStepKey' | 'triggerName'>,
  createdAt: number,
): ExecutionLive {
  return {
    id,
    agentId: agent.id,
    agentName: agent.name,
    status: 'queued',
    ...origin,
    model: agent.model,
    createdAt,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    numTurns: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    costUsd: 0,
    errorCode: null,
    errorMessage: null,
    lastSeq: 0,
    apiRetryCount: 0,
    queuePosition: null,
    attempt: 1,
    nextAttemptAt: null,
    resultText: null,
    sessionId: null,
    apiKeySource: null,
    structuredOutput: null,
    costs: [],
    attempts: [],
  };
}
