import type { LogDraft, StepDraft } from '../claude/messages';
import { HANDED_BACK } from '../contracts/executions';
import type { HandedBack } from '../db/schema';
import { systemStep } from './findings';
import { HANDED_BACK_MESSAGE, type RunPhase, type RunState, type StartPoint } from './runState';

/**
 * Hand-back: when the server stops after its drain, a run still under way is not failed. Its
 * process is stopped, the partial attempt recorded (with what it spent), and the run is left
 * `queued` for the next start, which runs it again as a new attempt from the same start point.
 * Runs that never got a process (queued, waiting for a retry) are left the same way.
 */

const LEFT_QUEUED_MESSAGE =
  'left queued: the server stopped before this run started; it starts on the next start';

/**
 * What the end of a drain does with a run in each phase: `stop` its process and hand it back;
 * `park` it (a tool call waiting for a person: its approval outlives the server, as it always
 * did); `leave` it queued for the next start (no process); `none` (its process is ending on its
 * own way to a park, or it is over).
 */
export type HandBackMove = 'stop' | 'park' | 'leave' | 'none';

export function handBackMove(phase: RunPhase): HandBackMove {
  switch (phase) {
    case 'running':
    case 'stopping':
      return 'stop';
    case 'awaiting':
      return 'park';
    case 'queued':
    case 'backoff':
      return 'leave';
    case 'parking':
    case 'parked':
    case 'ended':
    case 'handed_back':
      return 'none';
  }
}

/** What the next start needs to queue a handed-back run again. */
export function handedBackRecord(state: RunState, at: number): HandedBack {
  if (state.phase !== 'handed_back') throw new Error(`a ${state.phase} run is not handed back`);
  return { at, attempt: state.attempt, from: state.from };
}

/** Where a queued run starts, from its row: its stored start point, or its prompt. */
export const startPointOf = (row: { handedBack: HandedBack | null }): StartPoint =>
  row.handedBack?.from ?? { kind: 'prompt' };

/** The step and log line that tell the run's reader why it is queued again. */
export function handBackNotice(hadProcess: boolean): { step: StepDraft; log: LogDraft } {
  const summary = hadProcess ? HANDED_BACK_MESSAGE : LEFT_QUEUED_MESSAGE;
  return {
    step: systemStep(summary, { type: HANDED_BACK }),
    log: { level: 'warn', text: `[claudeops] ${summary}` },
  };
}

/**
 * The attempt number the retry policy counts: attempts handed back are the server's doing, not the
 * run's failures, so they use up none of its retries.
 */
export const attemptsCounted = (attempt: number, handBacks: number): number => attempt - handBacks;
