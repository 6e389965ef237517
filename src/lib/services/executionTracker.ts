import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { buildAgentEnv, buildQueryOptions, prepareRunDirectories } from '../claude/client';
import { liveCostRecords, reconcileCostRecords } from '../claude/costTracker';
import { ApiErrorObserver, classifyFailure, TRANSIENT_FAILURES } from '../claude/errorHandler';
import { MessageTranslator, type Translation } from '../claude/messages';
import { RunningAgent, type StopReason } from '../claude/runningAgent';
import { addUsage, UsageAccumulator, ZERO_USAGE } from '../claude/usage';
import type {
  ExecutionStatus,
  ExecutionSummary,
  ExecutionTrigger,
  TokenUsage,
} from '../contracts/executions';
import type { DbHandle } from '../db';
import { type ModelCostRecord, recordExecutionCosts, recordExecutionOutcome } from '../db/queries/costs';
import {
  getExecutionSummary,
  insertQueuedExecution,
  markExecutionRunning,
  type NewExecutionAttempt,
  recordAttemptForRetry,
  recordExecutionInit,
  updateExecutionProgress,
} from '../db/queries/executions';
import { getAppSettings } from '../db/queries/settings';
import type { AgentConfiguration } from '../db/schema';
import type { AppEnv } from '../env';
import type { Logger } from '../logger';
import type { SecretMasker } from '../security/secrets';
import { assertBudgetLeft, runBudgetBreach, sdkBudgetUsd } from './budgets';
import { type AttemptVerdict, CircuitBreaker } from './circuitBreaker';
import type { ExecutionEventBus } from './executionEvents';
import { ExecutionRecorder } from './executionRecorder';
import { retryDelayMs } from './retryPolicy';

export interface ExecutionTrackerDeps {
  handle: DbHandle;
  bus: ExecutionEventBus;
  env: AppEnv;
  logger: Logger;
  masker: SecretMasker;
}

/** One execution in this process, across all its attempts. */
interface ActiveRun {
  executionId: number;
  agent: AgentConfiguration;
  prompt: string;
  createdAt: number;
  phase: 'queued' | 'running' | 'backoff';
  attempt: number;
  /** Set before the process exists when a run is stopped that early. */
  stopReason: StopReason | undefined;
  /** Why the budget stopped it, with the spend at the stop. */
  budgetMessage: string | undefined;
  process: RunningAgent | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  done: Promise<void>;
  /** Across attempts: usage by response (message ids never repeat), results, and the log's sequence. */
  usage: UsageAccumulator;
  results: SDKResultMessage[];
  /** Claude Code's API retries over all attempts, counted as they happen. */
  apiRetryCount: number;
  firstStartedAt: number | undefined;
  recorder: ExecutionRecorder | undefined;
}

interface Ending {
  status: ExecutionStatus;
  errorCode: string | null;
  errorMessage: string | null;
}

interface AttemptEnd {
  ending: Ending;
  startedAt: number;
  finishedAt: number;
  apiRetryCount: number;
  costMicros: number;
}

/** How a run ended, from its result message, a thrown error, or why we stopped it. */
export function classifyEnding(
  result: SDKResultMessage | undefined,
  thrown: unknown,
  run: Pick<ActiveRun, 'stopReason' | 'budgetMessage' | 'agent'>,
  apiErrors: ApiErrorObserver,
): Ending {
  const { stopReason, agent } = run;
  if (stopReason === 'budget' || result?.subtype === 'error_max_budget_usd') {
    const message = run.budgetMessage ?? 'Claude Code stopped the run at its maxBudgetUsd limit';
    return { status: 'budget_exceeded', errorCode: 'budget_exceeded', errorMessage: message };
  }
  if (stopReason === 'timeout') {
    return {
      status: 'timeout',
      errorCode: 'timeout',
      errorMessage: `Stopped after the ${agent.timeoutSeconds} s limit`,
    };
  }
  if (stopReason === 'cancelled') {
    return { status: 'cancelled', errorCode: 'cancelled', errorMessage: 'Cancelled by the user' };
  }
  if (stopReason === 'shutdown') {
    return {
      status: 'cancelled',
      errorCode: 'shutdown',
      errorMessage: 'The server shut down during the run',
    };
  }
  const failure = classifyFailure(result, thrown, apiErrors);
  if (!failure) return { status: 'completed', errorCode: null, errorMessage: null };
  const message =
    failure.failureClass === 'max_turns' ? `Reached the limit of ${agent.maxTurns} turns` : failure.message;
  return { status: 'failed', errorCode: failure.failureClass, errorMessage: message };
}

const isTransient = (ending: Ending) =>
  ending.status === 'failed' && TRANSIENT_FAILURES.has(ending.errorCode as never);

/** What an attempt tells the circuit breaker about the API's health. */
function verdictOf(ending: Ending): AttemptVerdict {
  if (isTransient(ending)) return { kind: 'transient', failureClass: ending.errorCode ?? 'unknown' };
  return ending.status === 'completed' || ending.status === 'failed'
    ? { kind: 'healthy' }
    : { kind: 'neutral' };
}

function execTotals(usage: TokenUsage) {
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheCreationTokens: usage.cacheCreation5mTokens + usage.cacheCreation1hTokens,
    cacheReadTokens: usage.cacheReadTokens,
  };
}

const sumCost = (rows: ModelCostRecord[]) => rows.reduce((sum, row) => sum + row.costMicros, 0);

/**
 * Owns the lifecycle of every execution in this process: queued → running → an end state, with
 * transient failures retried as new attempts of the same execution. Each SDK message becomes
 * steps and log lines (batched by the recorder); spend is written and checked against the
 * budgets on every usage event; the end state, token counts and costs are written in one
 * transaction.
 */
export class ExecutionTracker {
  private readonly active = new Map<number, ActiveRun>();
  /** FIFO by execution id: runs wait here until the limits, the budgets and the breaker let them start. */
  private readonly queue: ActiveRun[] = [];
  readonly breaker: CircuitBreaker;
  private breakerTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ExecutionTrackerDeps) {
    const settings = () => getAppSettings(deps.handle.db);
    this.breaker = new CircuitBreaker(
      {
        threshold: () => settings().circuitBreakerThreshold,
        cooldownMs: () => settings().circuitBreakerCooldownSeconds * 1000,
      },
      (snapshot) => deps.bus.publishCircuit(snapshot),
    );
  }

  /**
   * Creates the execution, queued; it starts as soon as the limits allow. Throws a 409 naming the
   * budget when a monthly budget is already spent: no row, no process.
   */
  start(agent: AgentConfiguration, prompt: string | undefined, trigger: ExecutionTrigger): ExecutionSummary {
    assertBudgetLeft(this.deps.handle.db, agent, Date.now());
    const text = prompt ?? agent.defaultPrompt;
    const executionId = insertQueuedExecution(this.deps.handle.db, {
      agentId: agent.id,
      prompt: text,
      model: agent.model,
      trigger,
    });
    const run: ActiveRun = {
      executionId,
      agent,
      prompt: text,
      createdAt: Date.now(),
      phase: 'queued',
      attempt: 1,
      stopReason: undefined,
      budgetMessage: undefined,
      process: undefined,
      retryTimer: undefined,
      done: Promise.resolve(),
      usage: new UsageAccumulator(),
      results: [],
      apiRetryCount: 0,
      firstStartedAt: undefined,
      recorder: undefined,
    };
    this.active.set(executionId, run);
    this.enqueue(run);
    return this.summaryOf(executionId);
  }

  /**
   * Starts queued runs, oldest first, while the limits allow (one agent at its limit does not
   * block others). Nothing starts while the circuit is open; a run whose monthly budget ran out
   * while it waited ends `budget_exceeded` without starting.
   */
  dispatch(): void {
    const limit = getAppSettings(this.deps.handle.db).maxConcurrentRuns;
    let moved = false;
    for (let i = 0; i < this.queue.length && this.runningCount() < limit; ) {
      if (!this.breaker.allowsStart()) {
        this.redispatchWhenHalfOpen();
        break;
      }
      const next = this.queue[i];
      if (!next || this.runningCount(next.agent.id) >= next.agent.maxConcurrentRuns) {
        i += 1;
        continue;
      }
      this.queue.splice(i, 1);
      moved = true;
      const refusal = this.budgetRefusal(next);
      if (refusal)
        this.finish(
          next,
          { status: 'budget_exceeded', errorCode: 'budget_exceeded', errorMessage: refusal },
          null,
        );
      else this.launch(next);
    }
    // Everyone behind moved up.
    if (moved) for (const waiting of this.queue) this.publishUpdated(waiting.executionId);
  }

  /** 1-based place in the queue, or null when not queued. */
  queuePosition(executionId: number): number | null {
    const index = this.queue.findIndex((run) => run.executionId === executionId);
    return index === -1 ? null : index + 1;
  }

  /** Stops a queued, waiting or running run; false if it is none of these (unknown, or already ended). */
  cancel(executionId: number): boolean {
    const run = this.active.get(executionId);
    if (!run) return false;
    if (run.phase === 'running') this.stop(run, 'cancelled');
    else
      this.endWaiting(run, {
        status: 'cancelled',
        errorCode: 'cancelled',
        errorMessage: 'Cancelled by the user',
      });
    return true;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Ends every run (`cancelled`, reason `shutdown`) and waits for their final writes. */
  async shutdown(): Promise<void> {
    clearTimeout(this.breakerTimer);
    const shutdown = { status: 'cancelled', errorCode: 'shutdown' } as const;
    for (const run of [...this.active.values()]) {
      if (run.phase === 'running') this.stop(run, 'shutdown');
      else this.endWaiting(run, { ...shutdown, errorMessage: 'The server shut down before the run started' });
    }
    await Promise.allSettled([...this.active.values()].map((run) => run.done));
  }

  private enqueue(run: ActiveRun): void {
    run.phase = 'queued';
    const behind = this.queue.findIndex((waiting) => waiting.executionId > run.executionId);
    this.queue.splice(behind === -1 ? this.queue.length : behind, 0, run);
    this.publishUpdated(run.executionId);
    this.dispatch();
  }

  private redispatchWhenHalfOpen(): void {
    if (this.breakerTimer) return;
    this.breakerTimer = setTimeout(() => {
      this.breakerTimer = undefined;
      this.dispatch();
    }, this.breaker.msUntilHalfOpen() + 10);
    this.breakerTimer.unref();
  }

  private budgetRefusal(run: ActiveRun): string | null {
    try {
      assertBudgetLeft(this.deps.handle.db, run.agent, Date.now());
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  private runningCount(agentId?: number): number {
    let count = 0;
    for (const run of this.active.values()) {
      if (run.phase === 'running' && (agentId === undefined || run.agent.id === agentId)) count += 1;
    }
    return count;
  }

  private launch(run: ActiveRun): void {
    run.phase = 'running';
    this.breaker.started();
    run.done = this.runAttempt(run)
      .then((end) => this.afterAttempt(run, end))
      .catch((error: unknown) =>
        this.deps.logger.error({ executionId: run.executionId, err: error }, 'execution crashed'),
      )
      .finally(() => this.dispatch());
  }

  /** Retries a transient failure while the agent's policy allows; otherwise the execution ends. */
  private afterAttempt(run: ActiveRun, end: AttemptEnd): void {
    this.breaker.record(verdictOf(end.ending));
    const attemptRow = (retryDelay: number | null): NewExecutionAttempt => ({
      executionId: run.executionId,
      attempt: run.attempt,
      status: end.ending.status,
      startedAt: end.startedAt,
      finishedAt: end.finishedAt,
      errorCode: end.ending.errorCode,
      errorMessage: end.ending.errorMessage,
      apiRetryCount: end.apiRetryCount,
      costMicros: end.costMicros,
      retryDelayMs: retryDelay,
    });
    if (!isTransient(end.ending) || run.attempt > run.agent.runRetries) {
      this.finish(run, end.ending, attemptRow(null));
      return;
    }
    const delay = retryDelayMs(run.agent.runRetryDelaySeconds * 1000, run.attempt);
    const seconds = (delay / 1000).toFixed(1);
    const summary = `Attempt ${run.attempt} of ${run.agent.runRetries + 1} failed (${end.ending.errorCode}); attempt ${run.attempt + 1} in ${seconds} s`;
    run.recorder?.addStep({
      kind: 'system',
      summary,
      payload: { attempt: run.attempt, failure: end.ending.errorCode, retryDelayMs: delay },
      toolName: null,
      toolUseId: null,
      isError: true,
    });
    run.recorder?.addLog({ level: 'warn', text: `[retry] ${summary}` });
    run.recorder?.flush();
    recordAttemptForRetry(this.deps.handle.db, attemptRow(delay), Date.now() + delay);
    run.phase = 'backoff';
    run.attempt += 1;
    run.retryTimer = setTimeout(() => {
      run.retryTimer = undefined;
      this.enqueue(run);
    }, delay);
    this.publishUpdated(run.executionId);
  }

  /** Ends a run that is not running (queued, or waiting to be retried). */
  private endWaiting(run: ActiveRun, ending: Ending): void {
    clearTimeout(run.retryTimer);
    const index = this.queue.indexOf(run);
    if (index !== -1) this.queue.splice(index, 1);
    this.finish(run, ending, null);
    for (const waiting of this.queue) this.publishUpdated(waiting.executionId);
  }

  /** The final write: end state, totals over all attempts, reconciled costs and the last attempt. */
  private finish(run: ActiveRun, ending: Ending, lastAttempt: NewExecutionAttempt | null): void {
    const { db } = this.deps.handle;
    const models = reconcileCostRecords(run.usage.responses(), run.results, run.createdAt);
    const totals = models.reduce<TokenUsage>(addUsage, ZERO_USAGE);
    const finishedAt = Date.now();
    const lastResult = run.results.at(-1);
    recordExecutionOutcome(
      db,
      { id: run.executionId, agentId: run.agent.id, createdAt: run.createdAt },
      {
        ...ending,
        finishedAt,
        durationMs: run.firstStartedAt === undefined ? null : finishedAt - run.firstStartedAt,
        numTurns: run.results.reduce((sum, r) => sum + r.num_turns, 0) || run.usage.responseCount,
        totals: execTotals(totals),
        resultText: lastResult?.subtype === 'success' ? this.deps.masker.mask(lastResult.result) : null,
        apiRetryCount: run.apiRetryCount,
      },
      models,
      lastAttempt,
    );
    this.active.delete(run.executionId);
    this.publishUpdated(run.executionId);
    this.deps.logger.info(
      {
        executionId: run.executionId,
        status: ending.status,
        errorCode: ending.errorCode,
        attempts: run.attempt,
      },
      'execution finished',
    );
  }

  private stop(run: ActiveRun, reason: StopReason): void {
    run.stopReason ??= reason;
    run.process?.cancel(reason);
  }

  private summaryOf(executionId: number): ExecutionSummary {
    const execution = getExecutionSummary(this.deps.handle.db, executionId);
    if (!execution) throw new Error(`execution ${executionId} vanished`);
    return { ...execution, queuePosition: this.queuePosition(executionId) };
  }

  private publishUpdated(executionId: number): void {
    const seq =
      this.active.get(executionId)?.recorder?.lastSeq ??
      getExecutionSummary(this.deps.handle.db, executionId)?.lastSeq ??
      0;
    this.deps.bus.publishUpdated({ executionId, seq, execution: this.summaryOf(executionId) });
  }

  /**
   * Log lines, token counts and API retries share the recorder's batches; one recorder per
   * execution keeps seq going across attempts.
   */
  private recorderFor(run: ActiveRun): ExecutionRecorder {
    if (run.recorder) return run.recorder;
    const { handle, bus, masker } = this.deps;
    let lastProgress = '';
    const recorder = new ExecutionRecorder(handle.sqlite, bus, run.executionId, 0, masker, () => {
      const progress = {
        ...execTotals(run.usage.totals()),
        numTurns: run.usage.responseCount,
        apiRetryCount: run.apiRetryCount,
      };
      const key = JSON.stringify(progress);
      if (key === lastProgress) return;
      lastProgress = key;
      updateExecutionProgress(handle.db, run.executionId, progress);
      this.publishUpdated(run.executionId);
    });
    run.recorder = recorder;
    return recorder;
  }

  /** Writes the run's live spend and stops it the moment a budget is reached. */
  private trackSpend(run: ActiveRun): void {
    const { db } = this.deps.handle;
    const rows = liveCostRecords(run.usage.responses(), run.createdAt);
    recordExecutionCosts(db, { id: run.executionId, agentId: run.agent.id, createdAt: run.createdAt }, rows);
    if (run.stopReason) return;
    const breach = runBudgetBreach(db, run.agent, sumCost(rows), Date.now());
    if (!breach) return;
    run.budgetMessage = breach.message;
    this.stop(run, 'budget');
  }

  private async runAttempt(run: ActiveRun): Promise<AttemptEnd> {
    const { executionId, agent, prompt } = run;
    const { handle, env, logger, masker } = this.deps;
    const { db } = handle;
    const apiErrors = new ApiErrorObserver();
    const translator = new MessageTranslator();
    const recorder = this.recorderFor(run);
    const record = ({ steps, logs }: Translation) => {
      for (const s of steps) recorder.addStep(s);
      for (const l of logs) recorder.addLog(l);
    };
    const costBefore = sumCost(liveCostRecords(run.usage.responses(), run.createdAt));
    const retriesBefore = run.apiRetryCount;

    const startedAt = Date.now();
    run.firstStartedAt ??= startedAt;
    markExecutionRunning(db, executionId, startedAt, run.attempt);
    this.publishUpdated(executionId);
    const timeout = setTimeout(() => this.stop(run, 'timeout'), agent.timeoutSeconds * 1000);

    let result: SDKResultMessage | undefined;
    let thrown: unknown;
    try {
      const dirs = prepareRunDirectories(env, executionId, agent);
      run.process = new RunningAgent({
        prompt,
        options: buildQueryOptions({
          agent,
          cwd: dirs.workDir,
          env: buildAgentEnv(env, agent, executionId, dirs),
          claudeCodeExecutable: env.claudeCodeExecutable,
          maxBudgetUsd: sdkBudgetUsd(db, agent, startedAt),
        }),
        instance: env.databasePath,
        executionId,
        onStderr: (data) => logger.debug({ executionId, data: data.slice(0, 2_000) }, 'agent stderr'),
      });
      if (run.stopReason) run.process.cancel(run.stopReason);
      for await (const message of run.process.messages()) {
        if (message.type === 'system' && message.subtype === 'init') {
          recordExecutionInit(db, executionId, {
            sessionId: message.session_id,
            apiKeySource: message.apiKeySource,
            model: message.model,
          });
        }
        if (message.type === 'result') result = message;
        if (run.usage.observe(message)) this.trackSpend(run);
        apiErrors.observe(message);
        run.apiRetryCount = retriesBefore + apiErrors.retries;
        record(translator.translate(message));
      }
    } catch (error) {
      thrown = error;
    } finally {
      clearTimeout(timeout);
      run.process = undefined;
    }

    if (result) run.results.push(result);
    const classified = classifyEnding(result, thrown, run, apiErrors);
    const ending = {
      ...classified,
      errorMessage: classified.errorMessage && masker.mask(classified.errorMessage),
    };
    if (ending.status !== 'completed') {
      record({
        steps: [],
        logs: [{ level: 'error', text: `[${ending.status}] ${ending.errorMessage ?? ''}` }],
      });
    }
    recorder.flush();
    const costAfter = sumCost(liveCostRecords(run.usage.responses(), run.createdAt));
    return {
      ending,
      startedAt,
      finishedAt: Date.now(),
      apiRetryCount: apiErrors.retries,
      costMicros: costAfter - costBefore,
    };
  }
}
