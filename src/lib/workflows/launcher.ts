import type { EndedStatus } from '../contracts/executions';
import type { Plan } from '../db/plan';
import type { Store } from '../db/store';
import type { BudgetStop } from '../engine/events';

/** A monthly budget that refuses an agent now: in words, and named as `POST /api/executions` names it. */
export interface StepRefusal extends BudgetStop {
  message: string;
}

/**
 * The workflow runner's port to the run engine: a step is an ordinary execution, so the engine's
 * global and per-agent limits, retries, timeouts, live log and cost apply to it as to any run.
 * The engine implements this; the runner never starts an agent itself.
 */
export interface StepLauncher {
  /** A monthly budget that refuses the agent now, or null, read on `store`. */
  refusal(store: Store, agentId: number, now: number): Plan<StepRefusal | null>;
  /**
   * Inserts the queued execution (trigger 'workflow', workflowRunId, stepKey), as a plan inside
   * the runner's transaction `tx`, with its own spending cap `maxCostMicros` (the workflow's
   * remaining budget; null = none) and optional timeout/retry overrides. Nothing starts before
   * `admit`, after the commit. Throws a domain error when the step cannot be a run (e.g. its agent
   * was deleted).
   */
  createRun(
    tx: Store,
    request: {
      workflowRunId: number;
      stepKey: string;
      agentId: number;
      prompt: string;
      maxCostMicros: number | null;
      timeoutSeconds?: number;
      runRetries?: number;
      approvalTimeoutMinutes?: number;
    },
    now: number,
  ): Plan<number>;
  /** Hands a committed queued execution to the engine's queue. */
  admit(executionId: number): void;
  /** Forgets an execution `createRun` wrote in a transaction that rolled back. */
  discard(executionId: number): void;
  /** Stops a queued or running step's execution; reason 'cancelled' or 'budget' (ends budget_exceeded). */
  stop(executionId: number, reason: 'cancelled' | 'budget', message: string): void;
}

/** Statuses an execution ends with. */
export type EndedExecutionStatus = EndedStatus;

/** The engine's events the runner listens to (the engine calls them after its own commit). */
export interface StepRunStarted {
  executionId: number;
  startedAt: number;
}

export interface StepRunEnded {
  executionId: number;
  status: EndedExecutionStatus;
  /** The final result text; null unless it completed. */
  resultText: string | null;
  /** The SDK's `structured_output`, for agents with an output schema. */
  structuredOutput?: unknown;
  /** The execution's whole spend, final. */
  costMicros: number;
}

export interface StepSpend {
  executionId: number;
  /** The execution's whole spend so far (absolute, not a difference), on every usage event. */
  costMicros: number;
}
