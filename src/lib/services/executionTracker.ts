import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { buildAgentEnv, buildQueryOptions, prepareRunDirectories } from '../claude/client';
import { ApiErrorObserver, classifyFailure } from '../claude/errorHandler';
import { MessageTranslator, type Translation } from '../claude/messages';
import { RunningAgent, type StopReason } from '../claude/runningAgent';
import { addUsage, type ModelTokenUsage, UsageAccumulator, ZERO_USAGE } from '../claude/usage';
import {
  type ExecutionStatus,
  type ExecutionSummary,
  type ExecutionTrigger,
  type TokenUsage,
  usdToMicros,
} from '../contracts/executions';
import type { DbHandle } from '../db';
import { type ModelUsageRecord, recordExecutionOutcome } from '../db/queries/costs';
import {
  getExecutionSummary,
  insertQueuedExecution,
  markExecutionRunning,
  recordExecutionInit,
  updateExecutionTokens,
} from '../db/queries/executions';
import { getAppSettings } from '../db/queries/settings';
import type { AgentConfiguration } from '../db/schema';
import type { AppEnv } from '../env';
import type { Logger } from '../logger';
import type { SecretMasker } from '../security/secrets';
import type { ExecutionEventBus } from './executionEvents';
import { ExecutionRecorder } from './executionRecorder';

export interface ExecutionTrackerDeps {
  handle: DbHandle;
  bus: ExecutionEventBus;
  env: AppEnv;
  logger: Logger;
  masker: SecretMasker;
}

interface ActiveRun {
  executionId: number;
  agent: AgentConfiguration;
  prompt: string;
  phase: 'queued' | 'running';
  /** Set before the process exists when a run is stopped that early. */
  stopReason: StopReason | undefined;
  process: RunningAgent | undefined;
  done: Promise<void>;
}

interface Ending {
  status: ExecutionStatus;
  errorCode: string | null;
  errorMessage: string | null;
}

/** How a run ended, from its result message, a thrown error, or why we stopped it. */
export function classifyEnding(
  result: SDKResultMessage | undefined,
  thrown: unknown,
  stopReason: StopReason | undefined,
  agent: AgentConfiguration,
  apiErrors: ApiErrorObserver,
): Ending {
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

/** Per-model rows as the SDK reports them; the live per-response figures where it reported none. */
function modelRecords(result: SDKResultMessage | undefined, live: ModelTokenUsage[]): ModelUsageRecord[] {
  const reported = Object.entries(result?.modelUsage ?? {});
  if (reported.length === 0) {
    return live.map((usage) => ({ ...usage, costMicros: 0, reportedCostMicros: 0 }));
  }
  return reported.map(([model, usage]) => {
    const oneHour = usage.cacheCreationEphemeral1hInputTokens ?? 0;
    const cost = usdToMicros(usage.costUSD);
    return {
      model,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      // The split reads 0 when the API sent no lifetime breakdown; 5 minutes is the API's default.
      cacheCreation5mTokens: Math.max(0, usage.cacheCreationInputTokens - oneHour),
      cacheCreation1hTokens: oneHour,
      cacheReadTokens: usage.cacheReadInputTokens,
      costMicros: cost,
      reportedCostMicros: cost,
    };
  });
}

function execTotals(usage: TokenUsage) {
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheCreationTokens: usage.cacheCreation5mTokens + usage.cacheCreation1hTokens,
    cacheReadTokens: usage.cacheReadTokens,
  };
}

/**
 * Owns the lifecycle of every execution in this process: queued → running → an end state.
 * Each SDK message becomes steps and log lines (batched by the recorder); the end state, token
 * counts and costs are written in one transaction.
 */
export class ExecutionTracker {
  private readonly active = new Map<number, ActiveRun>();

  constructor(private readonly deps: ExecutionTrackerDeps) {}

  /** FIFO: runs wait here until the global and their agent's limits let them start. */
  private readonly queue: ActiveRun[] = [];

  /** Creates the execution, queued; it starts as soon as the concurrency limits allow. */
  start(agent: AgentConfiguration, prompt: string | undefined, trigger: ExecutionTrigger): ExecutionSummary {
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
      phase: 'queued',
      stopReason: undefined,
      process: undefined,
      done: Promise.resolve(),
    };
    this.active.set(executionId, run);
    this.queue.push(run);
    this.publishUpdated(executionId, 0);
    this.dispatch();
    return this.summaryOf(executionId);
  }

  /** Starts queued runs, oldest first, while the limits allow (one agent at its limit does not block others). */
  dispatch(): void {
    const limit = getAppSettings(this.deps.handle.db).maxConcurrentRuns;
    let started = false;
    for (let i = 0; i < this.queue.length && this.runningCount() < limit; ) {
      const next = this.queue[i];
      if (next && this.runningCount(next.agent.id) < next.agent.maxConcurrentRuns) {
        this.queue.splice(i, 1);
        this.launch(next);
        started = true;
      } else i += 1;
    }
    // Everyone behind moved up.
    if (started) for (const waiting of this.queue) this.publishUpdated(waiting.executionId, 0);
  }

  /** 1-based place in the queue, or null when not queued. */
  queuePosition(executionId: number): number | null {
    const index = this.queue.findIndex((run) => run.executionId === executionId);
    return index === -1 ? null : index + 1;
  }

  /** Stops a queued or running run; false if it is neither (unknown, or already ended). */
  cancel(executionId: number): boolean {
    const run = this.active.get(executionId);
    if (!run) return false;
    if (run.phase === 'queued') this.endUnstarted(run, 'cancelled', 'Cancelled while queued');
    else this.stop(run, 'cancelled');
    return true;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Ends every run (`cancelled`, reason `shutdown`) and waits for their final writes. */
  async shutdown(): Promise<void> {
    for (const run of [...this.queue])
      this.endUnstarted(run, 'shutdown', 'The server shut down before the run started');
    const runs = [...this.active.values()];
    for (const run of runs) this.stop(run, 'shutdown');
    await Promise.allSettled(runs.map((run) => run.done));
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
    run.done = this.execute(run)
      .catch((error: unknown) =>
        this.deps.logger.error('execution crashed', { executionId: run.executionId, error }),
      )
      .finally(() => {
        this.active.delete(run.executionId);
        this.dispatch();
      });
  }

  private endUnstarted(run: ActiveRun, errorCode: 'cancelled' | 'shutdown', errorMessage: string): void {
    this.queue.splice(this.queue.indexOf(run), 1);
    this.active.delete(run.executionId);
    recordExecutionOutcome(
      this.deps.handle.db,
      run.executionId,
      run.agent.id,
      {
        status: 'cancelled',
        errorCode,
        errorMessage,
        finishedAt: Date.now(),
        durationMs: null,
        numTurns: 0,
        totals: execTotals(ZERO_USAGE),
        costMicros: 0,
        reportedCostMicros: 0,
        resultText: null,
        apiRetryCount: 0,
      },
      [],
    );
    this.publishUpdated(run.executionId, 0);
    for (const waiting of this.queue) this.publishUpdated(waiting.executionId, 0);
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

  private publishUpdated(executionId: number, seq: number): void {
    this.deps.bus.publishUpdated({ executionId, seq, execution: this.summaryOf(executionId) });
  }

  private async execute(run: ActiveRun) {
    const { executionId, agent, prompt } = run;
    const { handle, env, logger } = this.deps;
    const { db } = handle;
    const usage = new UsageAccumulator();
    const apiErrors = new ApiErrorObserver();
    const translator = new MessageTranslator();
    let tokensDirty = false;
    const recorder = new ExecutionRecorder(
      handle.sqlite,
      this.deps.bus,
      executionId,
      0,
      this.deps.masker,
      () => {
        if (!tokensDirty) return;
        tokensDirty = false;
        updateExecutionTokens(db, executionId, execTotals(usage.totals()), usage.responseCount);
        this.publishUpdated(executionId, recorder.lastSeq);
      },
    );
    const record = ({ steps, logs }: Translation) => {
      for (const s of steps) recorder.addStep(s);
      for (const l of logs) recorder.addLog(l);
    };

    const startedAt = Date.now();
    markExecutionRunning(db, executionId, startedAt);
    this.publishUpdated(executionId, recorder.lastSeq);
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
        }),
        instance: env.databasePath,
        executionId,
        onStderr: (data) => logger.debug('agent stderr', { executionId, data: data.slice(0, 2_000) }),
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
        if (usage.observe(message)) tokensDirty = true;
        apiErrors.observe(message);
        record(translator.translate(message));
      }
    } catch (error) {
      thrown = error;
    } finally {
      clearTimeout(timeout);
    }

    const { masker } = this.deps;
    const classified = classifyEnding(result, thrown, run.stopReason, agent, apiErrors);
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
    const models = modelRecords(result, usage.byModel());
    const totals = models.length > 0 ? models.reduce<TokenUsage>(addUsage, ZERO_USAGE) : usage.totals();
    const finishedAt = Date.now();
    recordExecutionOutcome(
      db,
      executionId,
      agent.id,
      {
        ...ending,
        finishedAt,
        durationMs: finishedAt - startedAt,
        numTurns: result?.num_turns ?? usage.responseCount,
        totals: execTotals(totals),
        costMicros: models.reduce((sum, m) => sum + m.costMicros, 0),
        reportedCostMicros: usdToMicros(result?.total_cost_usd ?? 0),
        resultText: result?.subtype === 'success' ? masker.mask(result.result) : null,
        apiRetryCount: apiErrors.retries,
      },
      models,
    );
    this.publishUpdated(executionId, recorder.lastSeq);
    logger.info('execution finished', { executionId, status: ending.status, errorCode: ending.errorCode });
  }
}
