import type { ScheduleFiringDto } from '../contracts/schedules';
import type { Plan } from '../db/plan';
import type { Store } from '../db/store';
import { recordEventIn } from '../notifications/events';
import { scheduleFiringEvents } from '../notifications/producers';
import { getSchedule } from './schedules';

/**
 * The scheduler's `inTransaction` hook: a claim's refused and missed slots queued as notifications
 * in the claim's own transaction, so they commit with the firings or not at all.
 */
export function* recordFiringEvents(tx: Store, firings: readonly ScheduleFiringDto[]): Plan<void> {
  // Most claims start their run: only a refused or missed slot needs the schedule read, under the write lock.
  const first = firings.find((firing) => firing.outcome.startsWith('refused') || firing.outcome === 'missed');
  if (!first) return;
  const schedule = yield* getSchedule(tx, first.scheduleId);
  for (const event of scheduleFiringEvents(firings, schedule)) yield* recordEventIn(tx, event);
}
