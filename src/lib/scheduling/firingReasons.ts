import type { OverlapPolicy } from '../contracts/schedules';
import type { Schedule } from '../db/schema';
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

export function missedReason(schedule: Schedule, planned: PlannedFiring, now: number): string {
  if (planned.kind === 'missed_overflow') {
    const count = `${planned.atLeast ? 'At least ' : ''}${planned.count.toLocaleString('en-US')}`;
    return `${count} more slots from ${iso(planned.slot)} until ${iso(planned.until)} were missed while the server was not running (one row for all of them: only the first ${MISSED_LISTED_CAP.toLocaleString('en-US')} are listed one by one)`;
  }
  if (schedule.catchUp === 'skip') return `${MISSED} (catch-up: skip)`;
  return now - planned.slot > schedule.catchUpWindowSeconds * 1_000
    ? `${MISSED}; older than the catch-up window of ${duration(schedule.catchUpWindowSeconds)}`
    : `${MISSED}; catch-up runs only the latest missed slot`;
}

export const startedReason = (executionId: number) => `Started run #${executionId}`;

export const caughtUpReason = (executionId: number, windowSeconds: number) =>
  `Caught up: started run #${executionId} for the latest slot missed while the server was not running (within the ${duration(windowSeconds)} catch-up window)`;

export const manualReason = (executionId: number) => `Run now: started run #${executionId}`;

export interface ActiveRun {
  id: number;
  status: string;
}

/** Why the overlap policy holds this slot back, or null when it may run. */
export function overlapReason(policy: OverlapPolicy, active: ActiveRun[]): string | null {
  if (policy === 'allow') return null;
  if (policy === 'skip') {
    const blocking = active[0];
    return blocking
      ? `Skipped: run #${blocking.id} from this schedule is still ${blocking.status} (overlap policy: skip)`
      : null;
  }
  const waiting = active.find((run) => run.status === 'queued');
  return waiting
    ? `Skipped: run #${waiting.id} from this schedule is already waiting to start (overlap policy: buffer_one)`
    : null;
}
