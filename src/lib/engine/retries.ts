import { TRANSIENT_FAILURES } from '../claude/failures';
import type { LogDraft, StepDraft } from '../claude/messages';
import type { NewExecutionAttempt } from '../db/queries/executions';
import type { AttemptVerdict } from './circuitBreaker';
import { retryDelayMs } from './retryPolicy';
import { type RunEnding, STORAGE_ERROR } from './runState';

/**
 * Whole-run retries: which endings are transient, whether a failed attempt gets another one and
 * when, what the run's log says about it, and the timers that bring it back to the queue.
 */

export const isTransient = (ending: RunEnding): boolean =>
  ending.status === 'failed' && TRANSIENT_FAILURES.has(ending.errorCode as never);

/** What an attempt tells the circuit breaker about the API's health (a storage fault says nothing of it). */
export function verdictOf(ending: RunEnding): AttemptVerdict {
  if (isTransient(ending)) return { kind: 'transient', failureClass: ending.errorCode ?? 'unknown' };
  return ending.status === 'completed' || (ending.status === 'failed' && ending.errorCode !== STORAGE_ERROR)
    ? { kind: 'healthy' }
    : { kind: 'neutral' };
}

export interface RetryPlan {
  delayMs: number;
  retryAt: number;
}

export interface RetryBudget {
  /** The attempt that just ended (1-based). */
  attempt: number;
  /** Retries the run may make after its first attempt. */
  runRetries: number;
  /** The agent's base delay, doubled per attempt. */
  baseDelayMs: number;
}

/**
 * Another attempt for a transient failure of a run nobody stopped, while the policy allows; null
 * when the run ends here.
 */
export function planRetry(
  ending: RunEnding,
  stillRunning: boolean,
  budget: RetryBudget,
  now: number,
): RetryPlan | null {
  if (!stillRunning || !isTransient(ending) || budget.attempt > budget.runRetries) return null;
  const delayMs = retryDelayMs(budget.baseDelayMs, budget.attempt);
  return { delayMs, retryAt: now + delayMs };
}

/** The step and log line that tell the run's reader a retry is coming. */
export function retryNotice(
  failed: NewExecutionAttempt,
  runRetries: number,
  delayMs: number,
): { step: StepDraft; log: LogDraft } {
  const { attempt, errorCode: failure } = failed;
  const summary = `Attempt ${attempt} of ${runRetries + 1} failed (${failure}); attempt ${attempt + 1} in ${(delayMs / 1000).toFixed(1)} s`;
  return {
    step: {
      kind: 'system',
      summary,
      payload: { attempt, failure, retryDelayMs: delayMs },
      toolName: null,
      toolUseId: null,
      isError: true,
    },
    log: { level: 'warn', text: `[retry] ${summary}` },
  };
}

/** One pending retry per run: brings it back when due, or is cancelled when the run is stopped. */
export class RetryTimers {
  private readonly timers = new Map<number, NodeJS.Timeout>();

  schedule(executionId: number, delayMs: number, due: () => void): void {
    this.cancel(executionId);
    this.timers.set(
      executionId,
      setTimeout(() => {
        this.timers.delete(executionId);
        due();
      }, delayMs),
    );
  }

  cancel(executionId: number): void {
    clearTimeout(this.timers.get(executionId));
    this.timers.delete(executionId);
  }
}
