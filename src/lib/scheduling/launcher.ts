import type { WorkflowInputValues } from '../contracts/workflows';
import type { Plan } from '../db/plan';
import type { Schedule } from '../db/schema';
import type { Store } from '../db/store';

/** Why a run may not start now, with the firing outcome that records it. */
export interface RunRefusal {
  outcome: 'refused_budget' | 'refused_breaker' | 'skipped_storage';
  /** In words, e.g. "The global monthly budget ($50.00) is exhausted: $50.02 spent in 2026-11". */
  reason: string;
}

/** What a schedule runs: an agent (its prompt, or null for the agent's default) or a workflow with its input. */
export type ScheduleTarget =
  | { kind: 'agent'; agentId: number; prompt: string | null; approvalTimeoutMinutes: number | null }
  | { kind: 'workflow'; workflowId: number; input: WorkflowInputValues };

/** What a firing started: an execution, or a workflow run. */
export type StartedRun = { kind: 'agent'; executionId: number } | { kind: 'workflow'; workflowRunId: number };

/** The schedule's target. The table's check constraint guarantees exactly one. */
export function targetOf(
  schedule: Pick<
    Schedule,
    'id' | 'agentId' | 'workflowId' | 'workflowInput' | 'prompt' | 'approvalTimeoutMinutes'
  >,
): ScheduleTarget {
  if (schedule.agentId !== null)
    return {
      kind: 'agent',
      agentId: schedule.agentId,
      prompt: schedule.prompt,
      approvalTimeoutMinutes: schedule.approvalTimeoutMinutes,
    };
  if (schedule.workflowId !== null)
    return { kind: 'workflow', workflowId: schedule.workflowId, input: schedule.workflowInput ?? {} };
  throw new Error(`Schedule ${schedule.id} has no target`);
}

/**
 * The scheduler's port to the run engine and the workflow runner, which implement it. A scheduled
 * run is an ordinary run: queued, limited and budgeted like any other.
 */
export interface RunLauncher {
  /**
   * Why the target may not start now (a monthly budget spent, the circuit open; for a workflow, a
   * budget refusing one of its agents), or null, read in the scheduler's transaction `tx`. No side effects.
   */
  refusal(tx: Store, target: ScheduleTarget, now: number): Plan<RunRefusal | null>;
  /**
   * Writes the queued run through `tx`, as a plan inside the scheduler's transaction: an execution
   * (trigger 'schedule', scheduleId set), or a workflow run with its first steps. Nothing starts
   * until `admit` is called after the commit. Throws a domain error when the target cannot start as
   * the schedule says (e.g. a workflow's input no longer fits its fields): the firing records it.
   */
  createRun(tx: Store, scheduleId: number, target: ScheduleTarget, now: number): Plan<StartedRun>;
  /** Hands a committed run to the engine (or the runner). */
  admit(run: StartedRun): void;
  /** Forgets a run `createRun` wrote in a transaction that then rolled back. */
  discard(run: StartedRun): void;
}
