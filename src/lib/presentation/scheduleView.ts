import {
  NEXT_RUNS_COUNT,
  type ScheduleDto,
  type ScheduleFiringDto,
  UNRUN_OUTCOMES,
} from '@/lib/contracts/schedules';
import { nextRuns } from '@/lib/scheduling/cron';

/**
 * Pure state of the live schedule views. A `schedule.fired` frame carries the firing only: the
 * schedule's next runs are moved on here with the same cron code the server runs, so the pages
 * stay right without asking the server again. A frame may come twice (or after the page's own
 * answer already had it), so nothing moves backwards.
 */

/** The dashboard's lists: the next schedules to fire, and those whose last slot started nothing. */
export const UPCOMING_LIMIT = 5;
export const ATTENTION_LIMIT = 10;

const unrun: ReadonlySet<string> = new Set(UNRUN_OUTCOMES);

/** The last firing started nothing (refused, skipped or missed): the dashboard lists it. */
export function needsAttention(schedule: ScheduleDto): boolean {
  return schedule.lastFiring !== null && unrun.has(schedule.lastFiring.outcome);
}

/** The next runs after a slot was considered: the ones still ahead of it, topped up to five. */
function nextRunsAfter(schedule: ScheduleDto, slot: number): string[] {
  const ahead = schedule.nextRuns.filter((run) => Date.parse(run) > slot);
  const from = ahead.length > 0 ? Date.parse(ahead[ahead.length - 1] ?? '') : slot;
  const more = nextRuns(schedule.cronExpression, schedule.timezone, from, NEXT_RUNS_COUNT - ahead.length);
  return [...ahead, ...more.map((at) => new Date(at).toISOString())];
}

/** The schedule after one of its firings: that firing is its last, and a slot moves its next runs on. */
export function applyFiring(schedule: ScheduleDto, firing: ScheduleFiringDto): ScheduleDto {
  if (firing.scheduleId !== schedule.id) return schedule;
  if (schedule.lastFiring !== null && schedule.lastFiring.id >= firing.id) return schedule;
  const moved =
    schedule.enabled && firing.scheduledFor !== null ? nextRunsAfter(schedule, firing.scheduledFor) : null;
  return { ...schedule, lastFiring: firing, ...(moved && { nextRuns: moved }) };
}

/** A history page, newest first, with a firing that just came in (once, however often it arrives). */
export function withFiring(
  firings: readonly ScheduleFiringDto[],
  firing: ScheduleFiringDto,
  limit: number,
): ScheduleFiringDto[] {
  if (firings.some((known) => known.id === firing.id)) return [...firings];
  return [firing, ...firings].sort((a, b) => b.id - a.id).slice(0, limit);
}

/**
 * Schedules the server rendered again, merged into the live ones: a schedule the page already
 * moved past (a later firing applied from a frame) keeps what it has; new ones are added.
 */
export function mergeSchedules(
  current: readonly ScheduleDto[],
  incoming: readonly ScheduleDto[],
): ScheduleDto[] {
  const firingId = (schedule: ScheduleDto | undefined) => schedule?.lastFiring?.id ?? 0;
  const merged = new Map(current.map((schedule) => [schedule.id, schedule]));
  for (const schedule of incoming) {
    const known = merged.get(schedule.id);
    if (!known || firingId(schedule) >= firingId(known)) merged.set(schedule.id, schedule);
  }
  return [...merged.values()];
}

/** Soonest next run first; paused schedules (no next run) last. */
export function byNextRun(a: ScheduleDto, b: ScheduleDto): number {
  const next = (schedule: ScheduleDto) => schedule.nextRuns[0] ?? '9999';
  return next(a).localeCompare(next(b));
}

/** A schedule's name, or its number when it has none. */
export const scheduleTitle = (schedule: Pick<ScheduleDto, 'id' | 'name'>): string =>
  schedule.name === '' ? `Schedule #${schedule.id}` : schedule.name;

/** What the schedule runs, as the pages name it. */
export function targetName(schedule: Pick<ScheduleDto, 'agentName' | 'workflowName'>): string {
  return schedule.agentName ?? schedule.workflowName ?? '—';
}

/** The page of what the schedule runs. */
export function targetHref(schedule: Pick<ScheduleDto, 'agentId' | 'workflowId'>): string | null {
  if (schedule.agentId !== null) return `/agents/${schedule.agentId}`;
  if (schedule.workflowId !== null) return `/workflows/${schedule.workflowId}`;
  return null;
}
