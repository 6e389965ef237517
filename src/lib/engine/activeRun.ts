import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { type ModelTokenUsage, UsageAccumulator } from '../claude/usage';
import type { ExecutionLive, ExecutionTrigger } from '../contracts/executions';
import type { Db } from '../db';
import type { AgentConfiguration } from '../db/schema';
import type { RunningAttempt } from './attemptRunner';
import type { BudgetStop } from './events';
import type { RunOutput } from './outputWriter';
import type { RunState } from './runState';
import { initialView, type RunOrigin } from './runView';
import { SpendGuard } from './spendGuard';

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

/** One execution in this process, across all its attempts. */
export interface ActiveRun {
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
  done: Promise<void>;
}

export interface NewRunParts {
  executionId: number;
  prompt: string;
  origin: RunOrigin;
  createdAt: number;
  db: Db;
  output: RunOutput;
  /** A response's figures changed (the engine checks the budgets). */
  onResponse(run: ActiveRun, responseId: string, usage: ModelTokenUsage): void;
}

/** A queued run, as the engine holds it from its insert to its final write. */
export function newActiveRun(request: RunRequest, parts: NewRunParts): ActiveRun {
  const { agent } = request;
  const { executionId, createdAt } = parts;
  const workflowCapMicros = request.workflowCapMicros ?? null;
  const run: ActiveRun = {
    executionId,
    agentId: agent.id,
    agentLimit: agent.maxConcurrentRuns,
    agent,
    prompt: parts.prompt,
    createdAt,
    timeoutSeconds: request.timeoutSeconds ?? agent.timeoutSeconds,
    runRetries: request.runRetries ?? agent.runRetries,
    workflowCapMicros,
    state: { phase: 'queued', attempt: 1 },
    budgetStop: undefined,
    view: initialView(executionId, agent, parts.origin, createdAt),
    committedSeq: 0,
    output: parts.output,
    usage: new UsageAccumulator((id, usage) => parts.onResponse(run, id, usage)),
    spend: new SpendGuard(parts.db, { executionId, agent, createdAt, workflowCapMicros }),
    results: [],
    apiRetryCount: 0,
    process: undefined,
    attemptStart: { at: createdAt, costMicros: 0, apiRetries: 0 },
    done: Promise.resolve(),
  };
  return run;
}
