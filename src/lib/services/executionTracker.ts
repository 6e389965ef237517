import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { buildAgentEnv, buildQueryOptions, prepareRunDirectories } from '../claude/client';
import { MessageTranslator, type Translation } from '../claude/messages';
import { RunningAgent, type StopReason } from '../claude/runningAgent';
import {
  addUsage,
  type ModelTokenUsage,
  type TokenUsage,
  UsageAccumulator,
  ZERO_USAGE,
} from '../claude/usage';
import {
  type ExecutionStatus,
  type ExecutionSummary,
  type ExecutionTrigger,
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
  /** Set before the process exists when a run is stopped that early. */
  stopReason: StopReason | undefined;
  agent: RunningAgent | undefined;
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
  if (result?.subtype === 'success' && !result.is_error)
    return { status: 'completed', errorCode: null, errorMessage: null };
  if (result?.subtype === 'error_max_turns') {
    return {
      status: 'failed',
      errorCode: 'max_turns',
      errorMessage: `Reached the limit of ${agent.maxTurns} turns`,
    };
  }
  if (result) {
    const text = result.subtype === 'success' ? result.result : result.errors.join('; ');
    return {
      status: 'failed',
      errorCode: result.terminal_reason ?? result.subtype,
      errorMessage: text || result.subtype,
    };
  }
  const message = thrown instanceof Error ? thrown.message : 'The agent process ended without a result';
  return { status: 'failed', errorCode: 'process_crash', errorMessage: message };
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

  /** Creates the execution and starts the agent; returns once the row exists. */
  start(agent: AgentConfiguration, prompt: string | undefined, trigger: ExecutionTrigger): ExecutionSummary {
    const { db } = this.deps.handle;
    const executionId = insertQueuedExecution(db, {
      agentId: agent.id,
      prompt: prompt ?? agent.defaultPrompt,
      model: agent.model,
      trigger,
    });
    const summary = this.publishUpdated(executionId, 0);
    const run: ActiveRun = { stopReason: undefined, agent: undefined, done: Promise.resolve() };
    run.done = this.execute(executionId, agent, prompt ?? agent.defaultPrompt, run)
      .catch((error: unknown) => this.deps.logger.error('execution crashed', { executionId, error }))
      .finally(() => this.active.delete(executionId));
    this.active.set(executionId, run);
    return summary;
  }

  /** Stops a run that is under way; false if it is not (unknown, or already ended). */
  cancel(executionId: number): boolean {
    const run = this.active.get(executionId);
    if (!run) return false;
    this.stop(run, 'cancelled');
    return true;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Stops every run (they end `cancelled`, reason `shutdown`) and waits for their final writes. */
  async shutdown(): Promise<void> {
    const runs = [...this.active.values()];
    for (const run of runs) this.stop(run, 'shutdown');
    await Promise.allSettled(runs.map((run) => run.done));
  }

  private stop(run: ActiveRun, reason: StopReason): void {
    run.stopReason ??= reason;
    run.agent?.cancel(reason);
  }

  private publishUpdated(executionId: number, seq: number): ExecutionSummary {
    const execution = getExecutionSummary(this.deps.handle.db, executionId);
    if (!execution) throw new Error(`execution ${executionId} vanished`);
    this.deps.bus.publishUpdated({ executionId, seq, execution });
    return execution;
  }

  private async execute(executionId: number, agent: AgentConfiguration, prompt: string, run: ActiveRun) {
    const { handle, env, logger } = this.deps;
    const { db } = handle;
    const usage = new UsageAccumulator();
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
      run.agent = new RunningAgent({
        prompt,
        options: buildQueryOptions({
          agent,
          cwd: dirs.workDir,
          env: buildAgentEnv(env, executionId, dirs),
          claudeCodeExecutable: env.claudeCodeExecutable,
        }),
        instance: env.databasePath,
        executionId,
        onStderr: (data) => logger.debug('agent stderr', { executionId, data: data.slice(0, 2_000) }),
      });
      if (run.stopReason) run.agent.cancel(run.stopReason);
      for await (const message of run.agent.messages()) {
        if (message.type === 'system' && message.subtype === 'init') {
          recordExecutionInit(db, executionId, {
            sessionId: message.session_id,
            apiKeySource: message.apiKeySource,
            model: message.model,
          });
        }
        if (message.type === 'result') result = message;
        if (usage.observe(message)) tokensDirty = true;
        record(translator.translate(message));
      }
    } catch (error) {
      thrown = error;
    } finally {
      clearTimeout(timeout);
    }

    const { masker } = this.deps;
    const classified = classifyEnding(result, thrown, run.stopReason, agent);
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
      },
      models,
    );
    this.publishUpdated(executionId, recorder.lastSeq);
    logger.info('execution finished', { executionId, status: ending.status, errorCode: ending.errorCode });
  }
}
