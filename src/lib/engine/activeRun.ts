import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { type ModelTokenUsage, UsageAccumulator } from '../claude/usage';
import type { ModelCostRecord } from '../contracts/costs';
import type { ExecutionLive, ExecutionTrigger, RunWarning } from '../contracts/executions';
import type { AgentConfiguration, RunLimits } from '../db/schema';
import type { RunningAttempt } from './attemptRunner';
import { DenialLog } from './denials';
import type { BudgetStop } from './events';
import type { Ledger } from './ledger';
import type { RunOutput } from './outputWriter';
import { queuedAt, type RunState, type StartPoint } from './runState';
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
  /** How long its tool calls wait for a person (a schedule's or a workflow step's own); default the agent's. */
  approvalTimeoutMinutes?: number | null | undefined;
  /** A continue: the run whose session it resumes, and whether it forks it. */
  parentExecutionId?: number | null;
  forked?: boolean;
  /** Where its first attempt starts; default its prompt in a new session. */
  from?: StartPoint;
}

/** The overrides a run keeps on its row, so a run woken from its park keeps them. */
export function limitsOf(request: RunRequest): RunLimits | null {
  const limits: RunLimits = {
    ...(request.timeoutSeconds !== undefined && { timeoutSeconds: request.timeoutSeconds }),
    ...(request.runRetries !== undefined && { runRetries: request.runRetries }),
    ...(request.workflowCapMicros != null && { workflowCapMicros: request.workflowCapMicros }),
    ...(request.approvalTimeoutMinutes != null && { approvalTimeoutMinutes: request.approvalTimeoutMinutes }),
  };
  return Object.keys(limits).length === 0 ? null : limits;
}

/** What earlier processes of a run left, when a parked run is taken up again. */
export interface EarlierLegs {
  costs: ModelCostRecord[];
  numTurns: number;
}

/** One execution in this process, across all its attempts. */
export interface ActiveRun {
  readonly executionId: number;
  readonly agentId: number;
  readonly agentLimit: number;
  /** The agent's, followed while the run waits (an edit can let it start). */
  requiredLabels: readonly string[];
  readonly agent: AgentConfiguration;
  readonly prompt: string;
  readonly createdAt: number;
  readonly timeoutSeconds: number;
  readonly runRetries: number;
  readonly workflowCapMicros: number | null;
  readonly approvalTimeoutMinutes: number;
  /** The run whose working directory it uses (a continue works where its chain started). */
  readonly workOf: number;
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
  readonly earlier: EarlierLegs;
  apiRetryCount: number;
  /** Its attempts the server handed back as it stopped: they use up none of its retries. */
  readonly handBacks: number;
  process: RunningAttempt | undefined;
  /** Figures at the start of the current attempt, for its own row. */
  attemptStart: { at: number; costMicros: number; apiRetries: number };
  readonly denials: DenialLog;
  /** Tool calls it made, over all its processes (StructuredOutput aside). */
  toolCalls: number;
  warnings: RunWarning[];
  /** Permission questions of one process are asked one after the other. */
  permissionQueue: Promise<unknown>;
  /** A resume to check once the process reports: the session it should have, the context it should carry. */
  resumeCheck: { sessionId: string | null; contextTokens: number } | null;
  done: Promise<void>;
}

export interface NewRunParts {
  executionId: number;
  prompt: string;
  origin: RunOrigin;
  createdAt: number;
  ledger: Ledger;
  output: RunOutput;
  workOf: number;
  /** A response's figures changed (the engine checks the budgets). */
  onResponse(run: ActiveRun, responseId: string, usage: ModelTokenUsage): void;
  /** For a parked run taken up again: its row as the pages show it, and what its processes left. */
  revived?: {
    view: ExecutionLive;
    earlier: EarlierLegs;
    lastSeq: number;
    attempt: number;
    handBacks: number;
    /** Its tool calls stored so far (the all-denied warning counts them). */
    toolCalls: number;
  };
}

/** A queued run, as the engine holds it from its insert (or its wake) to its final write or park. */
export function newActiveRun(request: RunRequest, parts: NewRunParts): ActiveRun {
  const { agent } = request;
  const { executionId, createdAt, revived } = parts;
  const workflowCapMicros = request.workflowCapMicros ?? null;
  const earlier = revived?.earlier ?? { costs: [], numTurns: 0 };
  const view = revived?.view ?? {
    ...initialView(executionId, agent, parts.origin, createdAt),
    parentExecutionId: request.parentExecutionId ?? null,
    forked: request.forked ?? false,
  };
  const priorMicros = earlier.costs.reduce((sum, row) => sum + row.costMicros, 0);
  const run: ActiveRun = {
    executionId,
    agentId: agent.id,
    agentLimit: agent.maxConcurrentRuns,
    requiredLabels: agent.requiredLabels,
    agent,
    prompt: parts.prompt,
    createdAt,
    timeoutSeconds: request.timeoutSeconds ?? agent.timeoutSeconds,
    runRetries: request.runRetries ?? agent.runRetries,
    workflowCapMicros,
    approvalTimeoutMinutes: request.approvalTimeoutMinutes ?? agent.approvalTimeoutMinutes,
    workOf: parts.workOf,
    state: queuedAt(request.from ?? { kind: 'prompt' }, revived?.attempt ?? 1),
    budgetStop: undefined,
    view,
    committedSeq: revived?.lastSeq ?? 0,
    output: parts.output,
    usage: new UsageAccumulator((id, usage) => parts.onResponse(run, id, usage)),
    spend: new SpendGuard(parts.ledger, {
      executionId,
      agent,
      createdAt,
      workflowCapMicros,
      prior: earlier.costs,
    }),
    results: [],
    earlier,
    apiRetryCount: view.apiRetryCount,
    handBacks: revived?.handBacks ?? 0,
    process: undefined,
    attemptStart: { at: createdAt, costMicros: priorMicros, apiRetries: view.apiRetryCount },
    denials: new DenialLog(agent, view.denials, view.deniedToolCalls),
    toolCalls: revived?.toolCalls ?? 0,
    warnings: [...view.warnings],
    permissionQueue: Promise.resolve(),
    resumeCheck: null,
    done: Promise.resolve(),
  };
  return run;
}
