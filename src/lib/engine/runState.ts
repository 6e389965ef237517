import type { StopReason } from '../claude/runningAgent';
import type { EndedStatus, ExecutionStatus } from '../contracts/executions';
import type { StartPoint } from '../db/schema';

export type { StartPoint, StopReason };

/**
 * A run's lifecycle as one value: where it is, with only the facts that phase has. Every change goes
 * through `transition`, which refuses anything the table below does not allow.
 *
 * A run that needs a person for a tool call goes `running → awaiting` (its process waits in the
 * permission callback, its slot given up). An answer within the hold takes it back to `running`;
 * past the hold it is `parking` (the call was turned down with an interrupt) and then `parked`: no
 * process, no slot, nothing in memory. The answer later starts it again from the database, `queued`
 * with a `resume` start: the same session, told what was decided. A continue starts the same way.
 */

export type EndStatus = EndedStatus;

/** The error code of a run ended by a storage fault (its output could not be stored). */
export const STORAGE_ERROR = 'storage_error';

export const HANDED_BACK_MESSAGE =
  'handed back: the server stopped while this run was running; it starts again on the next start';

export interface RunEnding {
  status: EndStatus;
  errorCode: string | null;
  errorMessage: string | null;
}

export type RunState =
  /** Waiting for admission (limits, breaker); `attempt` is the one that will start. */
  | { phase: 'queued'; attempt: number; from: StartPoint }
  | { phase: 'running'; attempt: number; startedAt: number; from: StartPoint }
  /** A tool call waits for a person; the process waits in its permission callback, without a slot. */
  | { phase: 'awaiting'; attempt: number; startedAt: number; from: StartPoint; approvalId: number }
  /** The wait outlasted the hold: the call was turned down with an interrupt and the process is ending. */
  | { phase: 'parking'; attempt: number; startedAt: number; approvalId: number }
  /** No process: the run waits in the database for the answer (final for this in-memory run). */
  | { phase: 'parked'; attempt: number; approvalId: number }
  /**
   * Asked to stop while its process runs; the attempt's ending is still to come. `from` is the
   * attempt's start point (null for a run whose process was parking), kept for a hand-back.
   */
  | {
      phase: 'stopping';
      attempt: number;
      startedAt: number;
      reason: StopReason;
      message: string | null;
      from: StartPoint | null;
    }
  /** A transient failure; `attempt` (the next one) is queued again at `retryAt`. */
  | { phase: 'backoff'; attempt: number; retryAt: number; failure: RunEnding; from: StartPoint }
  | { phase: 'ended'; attempt: number; ending: RunEnding }
  /**
   * The server stopped and left the run for the next start (final for this in-memory run): `attempt`
   * is the one that start runs, from the same start point.
   */
  | { phase: 'handed_back'; attempt: number; from: StartPoint };

export type RunPhase = RunState['phase'];

export type RunInput =
  | { type: 'launch'; at: number }
  | { type: 'stop'; reason: StopReason; message: string | null }
  /** A monthly budget ran out, or storage refuses runs, while the run waited: it ends without starting. */
  | { type: 'refuse'; ending: RunEnding }
  /** `retryAt` is set when the retry policy grants another attempt. */
  | { type: 'attempt_ended'; ending: RunEnding; retryAt: number | null }
  | { type: 'retry_due' }
  /** A tool call needs a person. */
  | { type: 'approval_requested'; approvalId: number }
  /** Answered within the hold, and the run got a slot back: the process goes on. */
  | { type: 'approval_answered' }
  /** Not answered within the hold (or no slot for the answer): end the turn and let the process go. */
  | { type: 'park' }
  /** The server stops: a run without a process is left for the next start. */
  | { type: 'hand_back' };

export type RunInputType = RunInput['type'];

/** Every legal move: phase → input → the phases it may lead to. Anything else is a bug. */
export const RUN_TRANSITIONS: {
  readonly [P in RunPhase]: { readonly [I in RunInputType]?: readonly RunPhase[] };
} = {
  queued: { launch: ['running'], stop: ['ended'], refuse: ['ended'], hand_back: ['handed_back'] },
  running: { stop: ['stopping'], attempt_ended: ['backoff', 'ended'], approval_requested: ['awaiting'] },
  awaiting: {
    approval_answered: ['running'],
    park: ['parking'],
    stop: ['stopping'],
    attempt_ended: ['backoff', 'ended'],
  },
  parking: { attempt_ended: ['parked'], stop: ['stopping'] },
  parked: {},
  stopping: { stop: ['stopping'], attempt_ended: ['ended', 'handed_back'] },
  backoff: { retry_due: ['queued'], stop: ['ended'], hand_back: ['handed_back'] },
  ended: {},
  handed_back: {},
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
    // A run without a process is handed back without a stop (`hand_back`): stopped, it ends like this.
    case 'handback':
      return {
        status: 'cancelled',
        errorCode: 'shutdown',
        errorMessage: 'The server shut down before the run started',
      };
    case 'budget':
      return { status: 'budget_exceeded', errorCode: 'budget_exceeded', errorMessage: message };
    case 'timeout':
      return { status: 'timeout', errorCode: 'timeout', errorMessage: message };
    case 'approval_timeout':
      return { status: 'failed', errorCode: 'approval_timeout', errorMessage: message };
    case 'storage':
      return { status: 'failed', errorCode: STORAGE_ERROR, errorMessage: message };
  }
}

/** The start a queued attempt keeps: a retry of a resumed run resumes again; a fresh run starts fresh. */
const startOf = (state: RunState): StartPoint =>
  'from' in state && state.from ? state.from : { kind: 'prompt' };

function next(state: RunState, input: RunInput): RunState {
  const { attempt } = state;
  switch (input.type) {
    case 'launch':
      return { phase: 'running', attempt, startedAt: input.at, from: startOf(state) };
    case 'refuse':
      return { phase: 'ended', attempt, ending: input.ending };
    case 'retry_due':
      return { phase: 'queued', attempt, from: startOf(state) };
    case 'approval_requested':
      if (state.phase !== 'running') return state;
      return { ...state, phase: 'awaiting', approvalId: input.approvalId };
    case 'approval_answered':
      if (state.phase !== 'awaiting') return state;
      return { phase: 'running', attempt, startedAt: state.startedAt, from: state.from };
    case 'park':
      if (state.phase !== 'awaiting') return state;
      return { phase: 'parking', attempt, startedAt: state.startedAt, approvalId: state.approvalId };
    case 'stop':
      if (state.phase === 'running' || state.phase === 'awaiting' || state.phase === 'parking')
        return {
          phase: 'stopping',
          attempt,
          startedAt: state.startedAt,
          reason: input.reason,
          message: input.message,
          from: 'from' in state ? state.from : null,
        };
      // A second stop keeps the first reason: the run ends for the reason it was first stopped.
      if (state.phase === 'stopping') return state;
      return { phase: 'ended', attempt, ending: endingBeforeStart(input.reason, input.message) };
    case 'hand_back':
      return { phase: 'handed_back', attempt, from: startOf(state) };
    case 'attempt_ended':
      if (state.phase === 'parking') return { phase: 'parked', attempt, approvalId: state.approvalId };
      // Handed back mid-attempt: the next start runs the next attempt, from the same start.
      if (state.phase === 'stopping' && state.reason === 'handback' && state.from !== null)
        return { phase: 'handed_back', attempt: attempt + 1, from: state.from };
      if ((state.phase === 'running' || state.phase === 'awaiting') && input.retryAt !== null) {
        return {
          phase: 'backoff',
          attempt: attempt + 1,
          retryAt: input.retryAt,
          failure: input.ending,
          from: state.from,
        };
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
    case 'handed_back':
      return 'queued';
    case 'running':
    case 'stopping':
      return 'running';
    case 'awaiting':
    case 'parking':
    case 'parked':
      return 'awaiting_approval';
    case 'ended':
      return state.ending.status;
  }
}

/** The state a run starts in: queued for its first attempt, from its prompt or a session to resume. */
export const queuedAt = (from: StartPoint, attempt = 1): RunState => ({ phase: 'queued', attempt, from });
