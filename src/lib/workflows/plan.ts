import { EXECUTION_STATUSES, isEndedStatus } from '../contracts/executions';
import type {
  RunIf,
  WorkflowDefinition,
  WorkflowRunStatus,
  WorkflowStepStatus,
  WorkflowStop,
} from '../contracts/workflows';

/**
 * The rules of a workflow run, as pure functions of its steps' statuses: which steps start, which
 * are skipped and why, and how the run ends. The runner (runner.ts) stores and applies them.
 */

type StepStatuses = ReadonlyMap<string, WorkflowStepStatus>;

const UNENDED = new Set<WorkflowStepStatus>(['pending', 'queued', 'running']);
/** A step that ran, or was meant to run, and did not complete. `skipped` is neither success nor failure. */
const FAILED = new Set<WorkflowStepStatus>([
  'failed',
  'timeout',
  'budget_exceeded',
  'cancelled',
  'interrupted',
]);

export const isStepEnded = (status: WorkflowStepStatus): boolean => !UNENDED.has(status);
export const isStepActive = (status: WorkflowStepStatus): boolean =>
  status === 'queued' || status === 'running';
export const isStepFailed = (status: WorkflowStepStatus): boolean => FAILED.has(status);

/** A queued or running step ends as its execution does. */
const EXECUTION_ENDINGS: readonly WorkflowStepStatus[] = EXECUTION_STATUSES.filter(isEndedStatus);

/**
 * The moves a step may make. pending → failed or budget_exceeded: it could not become a run (its
 * agent is gone, a monthly budget refused it). Anything else is a stale or repeated event.
 */
const STEP_TRANSITIONS: Record<WorkflowStepStatus, readonly WorkflowStepStatus[]> = {
  pending: ['queued', 'skipped', 'failed', 'budget_exceeded'],
  queued: ['running', ...EXECUTION_ENDINGS],
  running: EXECUTION_ENDINGS,
  completed: [],
  failed: [],
  skipped: [],
  cancelled: [],
  timeout: [],
  budget_exceeded: [],
  interrupted: [],
};

export const canMoveStep = (from: WorkflowStepStatus, to: WorkflowStepStatus): boolean =>
  STEP_TRANSITIONS[from].includes(to);

const ENDED_AS: Record<WorkflowStepStatus, string> = {
  pending: 'has not run',
  queued: 'has not run',
  running: 'is running',
  completed: 'completed',
  failed: 'failed',
  skipped: 'was skipped',
  cancelled: 'was cancelled',
  timeout: 'timed out',
  budget_exceeded: 'ran out of budget',
  interrupted: 'was interrupted',
};

export type Verdict = { kind: 'wait' } | { kind: 'run' } | { kind: 'skip'; reason: string };

/**
 * A step is decided once every dependency has ended: `success` runs if all completed; `failure`
 * runs if at least one failed (failed, timeout, budget_exceeded, cancelled, interrupted);
 * `always` runs in any case, after skipped dependencies too.
 */
export function runIfVerdict(
  runIf: RunIf,
  deps: readonly { key: string; status: WorkflowStepStatus }[],
): Verdict {
  if (deps.some((dep) => !isStepEnded(dep.status))) return { kind: 'wait' };
  if (runIf === 'always') return { kind: 'run' };
  if (runIf === 'failure') {
    return deps.some((dep) => isStepFailed(dep.status))
      ? { kind: 'run' }
      : { kind: 'skip', reason: 'Runs only when a dependency fails, and none did' };
  }
  const blocker = deps.find((dep) => dep.status !== 'completed');
  return blocker
    ? {
        kind: 'skip',
        reason: `Runs only when every dependency completed, and "${blocker.key}" ${ENDED_AS[blocker.status]}`,
      }
    : { kind: 'run' };
}

function verdictOf(step: WorkflowDefinition['steps'][number], statuses: StepStatuses): Verdict {
  const deps = step.dependsOn.map((key) => ({ key, status: statuses.get(key) ?? 'pending' }));
  return runIfVerdict(step.runIf, deps);
}

export interface StepPlan {
  /** Decided not to run, in the order decided: a skip can decide its dependants. */
  skips: { key: string; reason: string }[];
  /** Ready to start, in definition order, as many as maxParallel leaves room for. */
  launches: string[];
}

export function planSteps(definition: WorkflowDefinition, statuses: StepStatuses): StepPlan {
  const current = new Map(statuses);
  const skips: StepPlan['skips'] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const step of definition.steps) {
      if (current.get(step.key) !== 'pending') continue;
      const verdict = verdictOf(step, current);
      if (verdict.kind !== 'skip') continue;
      current.set(step.key, 'skipped');
      skips.push({ key: step.key, reason: verdict.reason });
      changed = true;
    }
  }
  const active = [...current.values()].filter(isStepActive).length;
  const launches = definition.steps
    .filter((step) => current.get(step.key) === 'pending' && verdictOf(step, current).kind === 'run')
    .slice(0, Math.max(0, definition.maxParallel - active))
    .map((step) => step.key);
  return { skips, launches };
}

export interface RunOutcome {
  status: WorkflowRunStatus;
  /** Null: nothing to add to what the run already says (a stop keeps the reason it was given). */
  error: string | null;
}

/**
 * How the run ends, once every step has ended (null before). A stop ends it as asked (cancelled,
 * budget_exceeded). Otherwise a failed step is handled when one of its direct `runIf: failure`
 * dependants completed; the run is `completed` with no unhandled failure, `interrupted` when the
 * only unhandled failures are steps the server's stop interrupted, and `failed` otherwise.
 */
export function runOutcome(
  definition: WorkflowDefinition,
  statuses: StepStatuses,
  stopping: WorkflowStop | null,
): RunOutcome | null {
  const statusOf = (key: string) => statuses.get(key) ?? 'pending';
  if (definition.steps.some((step) => !isStepEnded(statusOf(step.key)))) return null;
  if (stopping) return { status: stopping, error: null };
  const handled = (key: string) =>
    definition.steps.some(
      (step) =>
        step.runIf === 'failure' && step.dependsOn.includes(key) && statusOf(step.key) === 'completed',
    );
  const unhandled = definition.steps.filter((step) => isStepFailed(statusOf(step.key)) && !handled(step.key));
  if (unhandled.length === 0) return { status: 'completed', error: null };
  const status = unhandled.every((step) => statusOf(step.key) === 'interrupted') ? 'interrupted' : 'failed';
  const which = unhandled.map((step) => `"${step.key}" ${ENDED_AS[statusOf(step.key)]}`).join('; ');
  return { status, error: `Unhandled: ${which}` };
}
