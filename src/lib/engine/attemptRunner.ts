import type { CanUseTool, SDKMessage, SDKResultMessage, SessionStore } from '@anthropic-ai/claude-agent-sdk';
import {
  type AgentTools,
  buildAgentEnv,
  buildQueryOptions,
  discardLocalTranscript,
  prepareRunDirectories,
  type SessionResume,
} from '../claude/client';
import { ApiErrorObserver, classifyFailure } from '../claude/failures';
import { RunningAgent } from '../claude/runningAgent';
import type { AppEnv } from '../config/env';
import { HANDED_BACK } from '../contracts/executions';
import type { Logger } from '../core/logger';
import { type StorageFault, storageFaultOf } from '../core/storageFault';
import type { AgentConfiguration } from '../db/schema';
import { HANDED_BACK_MESSAGE, type RunEnding, STORAGE_ERROR, type StopReason } from './runState';

export interface AttemptSpec {
  executionId: number;
  agent: AgentConfiguration;
  prompt: string;
  env: AppEnv;
  logger: Logger;
  /** The SDK's own spending stop, behind the live check; undefined for none. */
  maxBudgetUsd: number | undefined;
  timeoutSeconds: number;
  tools?: AgentTools | undefined;
  /** Asks a person about calls no rule covers; absent: they are denied. */
  canUseTool?: CanUseTool | undefined;
  sessionStore?: SessionStore | undefined;
  resume?: SessionResume | undefined;
  /** The execution whose working directory it uses (a continue's chain root); default its own. */
  workOf?: number | undefined;
}

export interface AttemptHooks {
  /** Every SDK message, in order. */
  onMessage(message: SDKMessage): void;
  /** The Claude Code process exists. */
  onSpawn?(pid: number): void;
}

/** How one attempt ended: one Claude Code process in, one typed ending out. */
export interface AttemptResult {
  ending: RunEnding;
  result: SDKResultMessage | undefined;
  /** Claude Code's own API retries in this attempt. */
  apiRetries: number;
  finishedAt: number;
  /** The attempt could not start because storage failed (its directories could not be made). */
  storageFault: StorageFault | null;
}

export interface RunningAttempt {
  readonly done: Promise<AttemptResult>;
  /** Stops the process; the attempt ends for the first reason given. Never throws. */
  stop(reason: StopReason, message: string | null): void;
  /** The time limit stops counting while a person is asked, and goes on after. */
  pauseTimeout(): void;
  resumeTimeout(): void;
  /** API retries seen so far in this attempt. */
  readonly apiRetries: number;
}

interface Stop {
  reason: StopReason;
  message: string | null;
}

/** How an attempt ended, from why it was stopped, its result message, or what it threw. */
export function classifyEnding(
  result: SDKResultMessage | undefined,
  thrown: unknown,
  stop: Stop | undefined,
  agent: Pick<AgentConfiguration, 'maxTurns'> & { timeoutSeconds: number },
  apiErrors: ApiErrorObserver,
): RunEnding {
  if (stop?.reason === 'budget' || result?.subtype === 'error_max_budget_usd') {
    const message = stop?.message ?? 'Claude Code stopped the run at its maxBudgetUsd limit';
    return { status: 'budget_exceeded', errorCode: 'budget_exceeded', errorMessage: message };
  }
  switch (stop?.reason) {
    case 'timeout':
      return {
        status: 'timeout',
        errorCode: 'timeout',
        errorMessage: `Stopped after the ${agent.timeoutSeconds} s limit`,
      };
    case 'cancelled':
      return {
        status: 'cancelled',
        errorCode: 'cancelled',
        errorMessage: stop.message ?? 'Cancelled by the user',
      };
    case 'shutdown':
      return {
        status: 'cancelled',
        errorCode: 'shutdown',
        errorMessage: 'The server shut down during the run',
      };
    // Not the run's failure: the run is queued again for the next start (see handBack.ts).
    case 'handback':
      return { status: 'interrupted', errorCode: HANDED_BACK, errorMessage: HANDED_BACK_MESSAGE };
    case 'approval_timeout':
      return {
        status: 'failed',
        errorCode: 'approval_timeout',
        errorMessage: stop.message ?? 'Nobody answered a tool call in time',
      };
    case 'storage':
      return { status: 'failed', errorCode: STORAGE_ERROR, errorMessage: stop.message };
  }
  const failure = classifyFailure(result, thrown, apiErrors);
  if (!failure) return { status: 'completed', errorCode: null, errorMessage: null };
  const message =
    failure.failureClass === 'max_turns' ? `Reached the limit of ${agent.maxTurns} turns` : failure.message;
  return { status: 'failed', errorCode: failure.failureClass, errorMessage: message };
}

/** Starts one attempt: the agent's process, its timeout, and the classification of how it ended. */
export function startAttempt(spec: AttemptSpec, hooks: AttemptHooks): RunningAttempt {
  const apiErrors = new ApiErrorObserver();
  let stop: Stop | undefined;
  let process: RunningAgent | undefined;

  const halt = (reason: StopReason, message: string | null) => {
    stop ??= { reason, message };
    process?.cancel(stop.reason);
  };
  const limit = new PausableTimer(spec.timeoutSeconds * 1000, () => halt('timeout', null));

  const run = async (): Promise<AttemptResult> => {
    const { executionId, agent, env, logger } = spec;
    let result: SDKResultMessage | undefined;
    let thrown: unknown;
    const transcript = new LocalTranscript();
    try {
      const dirs = prepareRunDirectories(env, executionId, agent, spec.workOf);
      // Only in ClaudeOps' own config dir (API-key runs); without a key Claude Code uses the user's.
      if (env.anthropicApiKey && spec.sessionStore) transcript.kept(dirs.configDir);
      process = new RunningAgent({
        prompt: spec.prompt,
        options: buildQueryOptions({
          agent,
          cwd: dirs.workDir,
          env: buildAgentEnv(env, agent, executionId, dirs),
          claudeCodeExecutable: env.claudeCodeExecutable,
          maxBudgetUsd: spec.maxBudgetUsd,
          tools: spec.tools,
          canUseTool: spec.canUseTool,
          sessionStore: spec.sessionStore,
          resume: spec.resume,
        }),
        instance: env.databasePath,
        executionId,
        onStderr: (data) => logger.debug({ executionId, data: data.slice(0, 2_000) }, 'agent stderr'),
        ...(hooks.onSpawn ? { onSpawn: hooks.onSpawn } : {}),
      });
      if (stop) process.cancel(stop.reason);
      for await (const message of process.messages()) {
        transcript.observe(message);
        if (message.type === 'result') result = message;
        apiErrors.observe(message);
        hooks.onMessage(message);
      }
    } catch (error) {
      thrown = error;
    } finally {
      limit.cancel();
      process = undefined;
      transcript.discard(logger, executionId);
    }
    const storageFault = stop ? null : storageFaultOf(thrown);
    const ending = storageFault
      ? { status: 'failed' as const, errorCode: STORAGE_ERROR, errorMessage: storageFault.detail }
      : classifyEnding(
          result,
          thrown,
          stop,
          { ...spec.agent, timeoutSeconds: spec.timeoutSeconds },
          apiErrors,
        );
    return { ending, result, apiRetries: apiErrors.retries, finishedAt: Date.now(), storageFault };
  };

  const done = run();
  return {
    done,
    stop: halt,
    pauseTimeout: () => limit.pause(),
    resumeTimeout: () => limit.resume(),
    get apiRetries() {
      return apiErrors.retries;
    },
  };
}

/** A one-shot timer that can stop counting for a while. */
class PausableTimer {
  private timer: NodeJS.Timeout | undefined;
  private remainingMs: number;
  private startedAt = Date.now();

  constructor(
    limitMs: number,
    private readonly fire: () => void,
  ) {
    this.remainingMs = limitMs;
    this.resume();
  }

  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remainingMs -= Date.now() - this.startedAt;
  }

  resume(): void {
    if (this.timer || this.remainingMs === Number.POSITIVE_INFINITY) return;
    this.startedAt = Date.now();
    this.timer = setTimeout(
      () => {
        this.remainingMs = Number.POSITIVE_INFINITY;
        this.timer = undefined;
        this.fire();
      },
      Math.max(0, this.remainingMs),
    );
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remainingMs = Number.POSITIVE_INFINITY;
  }
}

/**
 * Claude Code's own JSONL copy of a session in ClaudeOps' config dir: ClaudeOps keeps the
 * transcript in its database (masked), so this plaintext copy is removed once the process ended,
 * unless a batch failed to reach the database (then it is the only whole copy, and stays).
 */
class LocalTranscript {
  private configDir: string | undefined;
  private sessionId: string | undefined;
  private mirrorFailed = false;

  kept(configDir: string): void {
    this.configDir = configDir;
  }

  observe(message: SDKMessage): void {
    if (message.type !== 'system') return;
    if (message.subtype === 'init') this.sessionId = message.session_id;
    if (message.subtype === 'mirror_error') this.mirrorFailed = true;
  }

  discard(logger: Logger, executionId: number): void {
    if (!this.configDir || !this.sessionId) return;
    if (this.mirrorFailed) {
      logger.warn({ executionId, sessionId: this.sessionId }, 'transcript not fully stored; local copy kept');
      return;
    }
    discardLocalTranscript(this.configDir, this.sessionId);
  }
}
