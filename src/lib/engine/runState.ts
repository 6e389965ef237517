import type { StopReason } from '../claude/runningAgent';
import type { ExecutionStatus } from '../contracts/executions';

export type { StopReason };

/**
 * A run's lifecycle as one value: where it is, with only the facts that phase has. Every change goes
 * through `transition`, which refuses anything the table below does not allow.
 */

export type EndStatus = Exclude<ExecutionStatus, 'queued' | 'running'>;

/** The error code of a run ended by a storage fault (its output could not be stored). */
export const STORAGE_ERROR = 'storage_error';

export interface RunEnding {
  status: EndStatus;
  errorCode: string | null;
  errorMessage: string | null;
}

export type RunState =
  /** Waiting for admission (limits, breaker); `attempt` is the one that will start. */
  | { phase: 'queued'; attempt: number }
  | { phase: 'running'; attempt: number; startedAt: number }
  /** Asked to stop while its process runs; the attempt's ending is still to come. */
  | { phase: 'stopping'; attempt: number; startedAt: number; reason: StopReason; message: string | null }
  /** A transient failure; `attempt` (the next one) is queued again at `retryAt`. */
  | { phase: 'backoff'; attempt: number; retryAt: number; failure: RunEnding }
  | { phase: 'ended'; attempt: number; ending: RunEnding };

export type RunPhase = RunState['phase'];

export type RunInput =
  | { type: 'launch'; at: number }
  | { type: 'stop'; reason: StopReason; message: string | null }
  /** A monthly budget ran out, or storage refuses runs, while the run waited: it ends without starting. */
  | { type: 'refuse'; ending: RunEnding }
  /** `retryAt` is set when the retry policy grants another attempt. */
  | { type: 'attempt_ended'; ending: RunEnding; retryAt: number | null }
  | { type: 'retry_due' };

export type RunInputType = RunInput['type'];

/** Every legal move: phase → input → the phases it may lead to. Anything else is a bug. */
export const RUN_TRANSITIONS: {
  readonly [P in RunPhase]: { readonly [I in RunInputType]?: readonly RunPhase[] };
} = {
  queued: { launch: ['running'], stop: ['ended'], refuse: ['ended'] },
  running: { stop: ['stopping'], attempt_ended: ['backoff', 'ended'] },
  stopping: { stop: ['stopping'], attempt_ended: ['ended'] },
  backoff: { retry_due: ['queued'], stop: ['ended'] },
  ended: {},
};

export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
}

/** How a run that never got (back) to a process ends when it is stopped. */
export function endingBeforeStart(reason: StopReason, message: string | null): RunEnding {
  switch (reason) {
    case 'cancelled':
      return { status: 'cancelled', errorCode: 'cancelled', errorMessage: 'Cancelled by the user' };
    case 'shutdown':
      return {
        status: 'cancelled',
        errorCode: 'shutdown',
        errorMessage: 'The server shut down before the run started',
      };
    case 'budget':
      return { status: 'budget_exceeded', errorCode: 'budget_exceeded', errorMessage: message };
    case 'timeout':
      return { status: 'timeout', errorCode: 'timeout', errorMessage: message };
    case 'storage':
      return { status: 'failed', errorCode: STORAGE_ERROR, errorMessage: message };
  }
}

function next(state: RunState, input: RunInput): RunState {
  const { attempt } = state;
  switch (input.type) {
    case 'launch':
      return { phase: 'running', attempt, startedAt: input.at };
    case 'refuse':
      return { phase: 'ended', attempt, ending: input.ending };
    case 'retry_due':
      return { phase: 'queued', attempt };
    case 'stop':
      if (state.phase === 'running')
        return { ...state, phase: 'stopping', reason: input.reason, message: input.message };
      // A second stop keeps the first reason: the run ends for the reason it was first stopped.
      if (state.phase === 'stopping') return state;
      return { phase: 'ended', attempt, ending: endingBeforeStart(input.reason, input.message) };
    case 'attempt_ended':
      if (state.phase === 'running' && input.retryAt !== null) {
        return { phase: 'backoff', attempt: attempt + 1, retryAt: input.retryAt, failure: input.ending };
      }
      return { phase: 'ended', attempt, ending: input.ending };
  }
}

/** The state after `input`; throws when the table does not allow the move. */
export function transition(state: RunState, input: RunInput): RunState {
  const allowed = RUN_TRANSITIONS[state.phase][input.type];
  if (!allowed) throw new IllegalTransitionError(`A ${state.phase} run cannot take '${input.type}'`);
  const after = next(state, input);
  if (!allowed.includes(after.phase)) {
    throw new IllegalTransitionError(`'${input.type}' may not take a ${state.phase} run to ${after.phase}`);
  }
  return after;
}

/** The status the API and pages show for a state: a run waiting for its retry is queued again. */
export function statusOf(state: RunState): ExecutionStatus {
  switch (state.phase) {
    case 'queued':
    case 'backoff':
      return 'queued';
    case 'running':
    case 'stopping':
      return 'running';
    case 'ended':
      return state.ending.status;
  }
}
