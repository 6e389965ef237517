import type { OverlapPolicy } from '../contracts/schedules';
import type { Schedule } from '../db/schema';
import type { StartedRun } from './launcher';
import { MISSED_LISTED_CAP, type PlannedFiring } from './slotPlan';

/** What each firing row says, in words. Times in ISO UTC; the page shows them in the schedule's zone. */

const MISSED = 'Missed: the server was not running at this time, or its clock jumped ahead';

const duration = (seconds: number) =>
  seconds % 3_600 === 0
    ? `${seconds / 3_600} h`
    : seconds % 60 === 0
      ? `${seconds / 60} min`
      : `${seconds} s`;

const iso = (epochMs: number) => new Date(epochMs).toISOString();

export function missedReason(
  schedule: Pick<Schedule, 'catchUp' | 'catchUpWindowSeconds'>,
  planned: PlannedFiring,
  now: number,
): string {
  if (planned.kind === 'missed_overflow') {
    const count = `${planned.atLeast ? 'At least ' : ''}${planned.count.toLocaleString('en-US')}`;
    return `${count} more slots from ${iso(planned.slot)} until ${iso(planned.until)} were missed while the server was not running (one row for all of them: only the first ${MISSED_LISTED_CAP.toLocaleString('en-US')} are listed one by one)`;
  }
  if (schedule.catchUp === 'skip') return `${MISSED} (catch-up: skip)`;
  return now - planned.slot > schedule.catchUpWindowSeconds * 1_000
    ? `${MISSED}; older than the catch-up window of ${duration(schedule.catchUpWindowSeconds)}`
    : `${MISSED}; catch-up runs only the latest missed slot`;
}

/** "run #12", "workflow run #4": how reasons name what a firing started or found running. */
export const runName = (run: StartedRun): string =>
  run.kind === 'agent' ? `run #${run.executionId}` : `workflow run #${run.workflowRunId}`;

export const startedReason = (run: StartedRun) => `Started ${runName(run)}`;

export const caughtUpReason = (run: StartedRun, windowSeconds: number) =>
  `Caught up: started ${runName(run)} for the latest slot missed while the server was not running (within the ${duration(windowSeconds)} catch-up window)`;

export const manualReason = (run: StartedRun) => `Run now: started ${runName(run)}`;

export const invalidTargetReason = (message: string) => `Could not start: ${message}`;

export interface ActiveRun {
  id: number;
  status: string;
}

/** Why the overlap policy holds this slot back, or null when it may run. `noun`: what the runs are. */
export function overlapReason(
  policy: OverlapPolicy,
  active: ActiveRun[],
  noun: 'run' | 'workflow run' = 'run',
): string | null {
  if (policy === 'allow') return null;
  if (policy === 'skip') {
    const blocking = active[0];
    return blocking
      ? `Skipped: ${noun} #${blocking.id} from this schedule is still ${blocking.status} (overlap policy: skip)`
      : null;
  }
  const waiting = active.find((run) => run.status === 'queued');
  return waiting
    ? `Skipped: ${noun} #${waiting.id} from this schedule is already waiting to start (overlap policy: buffer_one)`
    : null;
}
