/**
 * Which of a schedule's due slots run, which were missed, and where the schedule goes next. Pure:
 * the scheduler writes the plan in one transaction.
 *
 * A slot is missed when its fire time is more than LATE_GRACE_MS in the past: a tick a few
 * seconds late is not downtime, a server that was down (or a clock that jumped ahead) is. Missed
 * slots are listed one row each up to MISSED_LISTED_CAP; the rest become one overflow row that
 * says how many and over what time. Walking them stops after MISSED_WALK_CAP: a schedule firing
 * every second that was down for a week would otherwise mean 600,000 steps (Kubernetes gives up
 * after 100 missed slots; Temporal once started 1,000 runs).
 */

export const LATE_GRACE_MS = 60_000;
export const MISSED_LISTED_CAP = 1_000;
export const MISSED_WALK_CAP = 10_000;

export interface PlannedSlot {
  slot: number;
  fireAt: number;
}

export type PlannedFiring =
  | (PlannedSlot & { kind: 'on_time' | 'catch_up' | 'missed' })
  /** Missed slots after the listed ones: `count` of them (a lower bound when `atLeast`) from `slot` until `until`. */
  | (PlannedSlot & { kind: 'missed_overflow'; count: number; atLeast: boolean; until: number });

export interface SlotPlan {
  /** In slot order: listed misses, the overflow row, the catch-up, then the slots due on time. */
  firings: PlannedFiring[];
  /** The first slot not yet due: where the schedule goes next. */
  next: PlannedSlot;
}

export interface SlotSource {
  nextAfter(after: number): number;
}

export interface PlanInput {
  cron: SlotSource;
  /** The schedule's stored next slot, due now. */
  firstSlot: number;
  now: number;
  jitterMs(slot: number): number;
  maxJitterMs: number;
  /** Catch-up `latest`: its window; null for catch-up `skip`. */
  catchUpWindowMs: number | null;
}

/** The last slot in (after, before), found by stepping forward over doubling windows. */
function lastSlotBetween(cron: SlotSource, after: number, before: number): number | null {
  for (let span = 1_000; ; span *= 2) {
    const from = Math.max(after, before - span);
    let slot = cron.nextAfter(from);
    if (slot < before) {
      for (let next = cron.nextAfter(slot); next < before; next = cron.nextAfter(next)) slot = next;
      return slot;
    }
    if (from === after) return null;
  }
}

interface MissedWalk {
  listed: PlannedFiring[];
  overflow: Extract<PlannedFiring, { kind: 'missed_overflow' }> | null;
  /** The latest missed slot walked; null when there was none or it lies in skipped ground. */
  latest: PlannedSlot | null;
  /** Slots skipped without walking (all certainly missed), as (after, before). */
  skipped: { after: number; before: number } | null;
}

/** A slot and when it fires. A module function, not a closure: see the note on `planDueSlots`. */
function slotAt(input: PlanInput, slot: number): PlannedSlot {
  return { slot, fireAt: slot + input.jitterMs(slot) };
}

/**
 * The plan of one due schedule. Called for each of a tick's due schedules, so it creates no named
 * closures: the server runs through tsx, which gives each one its name at creation, a slow
 * property definition.
 */
export function planDueSlots(input: PlanInput): SlotPlan {
  const { cron, now } = input;
  const lateBefore = now - LATE_GRACE_MS;
  const walk: MissedWalk = { listed: [], overflow: null, latest: null, skipped: null };
  const onTime: PlannedFiring[] = [];
  let walked = 0;
  let current = slotAt(input, input.firstSlot);
  while (current.fireAt <= now) {
    if (current.fireAt >= lateBefore) {
      onTime.push({ kind: 'on_time', ...current });
    } else {
      recordMissed(walk, current);
      walked += 1;
      // Past the walk cap, every slot before this point is missed whatever its jitter: skip to it.
      const certainlyMissedBefore = lateBefore - input.maxJitterMs;
      if (walked === MISSED_WALK_CAP && walk.overflow && current.slot < certainlyMissedBefore) {
        const resume = cron.nextAfter(certainlyMissedBefore - 1);
        walk.skipped = { after: current.slot, before: resume };
        walk.overflow.atLeast = true;
        walk.latest = null;
        current = slotAt(input, resume);
        continue;
      }
    }
    current = slotAt(input, cron.nextAfter(current.slot));
  }
  const boundary = onTime[0]?.slot ?? current.slot;
  return { firings: [...missedFirings(input, walk, boundary), ...onTime], next: current };
}

function recordMissed(walk: MissedWalk, missed: PlannedSlot): void {
  walk.latest = missed;
  if (walk.listed.length < MISSED_LISTED_CAP) walk.listed.push({ kind: 'missed', ...missed });
  else if (walk.overflow) walk.overflow.count += 1;
  else walk.overflow = { kind: 'missed_overflow', ...missed, count: 1, atLeast: false, until: 0 };
}

/** The missed rows, with the latest one turned into the catch-up when the policy and its age allow. */
function missedFirings(input: PlanInput, walk: MissedWalk, boundary: number): PlannedFiring[] {
  const { overflow, listed, skipped } = walk;
  if (overflow) overflow.until = boundary;
  let latest = walk.latest;
  if (input.catchUpWindowMs === null) return overflow ? [...listed, overflow] : listed;
  if (!latest && skipped) {
    const slot = lastSlotBetween(input.cron, skipped.after, skipped.before);
    latest = slot === null ? null : { slot, fireAt: slot + input.jitterMs(slot) };
  }
  if (!latest || input.now - latest.slot > input.catchUpWindowMs)
    return overflow ? [...listed, overflow] : listed;
  const catchUp: PlannedFiring = { kind: 'catch_up', ...latest };
  // Without an overflow row every missed slot is listed, the latest last.
  if (!overflow) return [...listed.slice(0, -1), catchUp];
  // The caught-up slot leaves the overflow: it was counted there unless it lay in skipped ground.
  overflow.until = latest.slot;
  if (walk.latest?.slot === latest.slot) overflow.count -= 1;
  return overflow.count > 0 ? [...listed, overflow, catchUp] : [...listed, catchUp];
}
