import type { FiringOutcome, ScheduleFiringDto } from '../contracts/schedules';
import { isDomainError, notFound } from '../core/errors';
import type { Logger } from '../core/logger';
import { execute, type Plan, transaction } from '../db/plan';
import {
  advanceSchedule,
  type DueSchedule,
  getActiveRunsOfSchedule,
  getActiveWorkflowRunsOfSchedule,
  getEarliestFireAt,
  getScheduleWithTarget,
  insertFiring,
  isSlotRecorded,
  postponeSchedule,
  selectDueSchedules,
  softDeleteSchedule,
} from '../db/queries/schedules';
import type { Store } from '../db/store';
import { compileCron } from './cron';
import {
  type ActiveRun,
  caughtUpReason,
  invalidTargetReason,
  manualReason,
  missedReason,
  overlapReason,
  startedReason,
} from './firingReasons';
import { jitterMs } from './jitter';
import { type RunLauncher, type StartedRun, targetOf } from './launcher';
import { checkTarget } from './schedules';
import { type PlannedFiring, planDueSlots } from './slotPlan';

/** Time and timers, injected so tests can drive the scheduler through DST changes and downtime. */
export interface SchedulerClock {
  now(): number;
  /** `callback` returns the tick's promise when it is one (a test clock awaits it). */
  setTimeout(callback: () => unknown, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SchedulerHooks {
  /**
   * Inside the claim transaction, once per schedule claimed, with every firing it recorded (the
   * notification outbox writes here: a long downtime's missed slots make one message, not one
   * each). Write only through `tx`, as a plan: if another schedule's claim fails, the batch is
   * rolled back and claimed again, and this runs again for the firings that are then recorded.
   * Throwing fails this schedule's claim (retried 30 s later).
   */
  inTransaction?(tx: Store, firings: readonly ScheduleFiringDto[]): Plan<void>;
  /** After the commit, once per firing (live UI). */
  afterCommit?(firing: ScheduleFiringDto): void;
}

export interface SchedulerOptions {
  store: Store;
  launcher: RunLauncher;
  logger: Logger;
  clock?: SchedulerClock;
  hooks?: SchedulerHooks;
  /** Due schedules claimed per tick; a full batch is followed by another right away. */
  batchSize?: number;
  /** The longest the timer sleeps, so a clock jump is noticed within it. */
  maxSleepMs?: number;
}

/** How long a schedule whose claim failed waits before it is tried again. */
const RETRY_AFTER_FAILURE_MS = 30_000;
/** The sleep after a tick failed as a whole (e.g. the file locked past busy_timeout), so failure cannot spin. */
const SLEEP_AFTER_FAILURE_MS = 1_000;

/** What one schedule's claim wrote, to be admitted and reported once committed. */
interface Claim {
  firings: ScheduleFiringDto[];
  admit: StartedRun[];
}

/** What a claim needs of a schedule: a due one's columns (a manual run passes the whole schedule). */
type ClaimedSchedule = Omit<DueSchedule, 'targetDeletedAt'>;

/**
 * A schedule's jitter per slot. Made here, not as an arrow in the tick's code: the server runs
 * through tsx, which names such a closure at each creation (a slow property definition).
 */
function jitterOf(schedule: Pick<ClaimedSchedule, 'id' | 'jitterSeconds'>): (slot: number) => number {
  return (slot) => jitterMs(schedule.id, slot, schedule.jitterSeconds);
}

/** The slot a firing is for (null for a manual run) and when it fired. */
interface FiringSlot {
  scheduledFor: number | null;
  fireAt: number;
}

/** What became of a slot, in a firing row's words. */
interface Verdict {
  outcome: FiringOutcome;
  reason: string;
}

/** A schedule's claim threw: the batch is rolled back and claimed again without it. */
class ClaimFailed extends Error {
  constructor(
    readonly scheduleId: number,
    override readonly cause: unknown,
  ) {
    super(`claim of schedule ${scheduleId} failed`);
  }
}

/**
 * Fires schedules: every slot it considers becomes exactly one firing row, written in the same
 * transaction that moves the schedule to its next slot and, when a run starts, inserts the queued
 * execution. The engine is handed the run only after the commit, so a crash in between leaves a
 * queued run (recovered as interrupted at the next start) and a recorded slot that no restart
 * fires again.
 *
 * A batch is claimed as one plan in one transaction (`transaction`, db/plan.ts), the launcher's and
 * the hooks' writes included. On SQLite that takes the write lock first (BEGIN IMMEDIATE), so a
 * second process on the same file waits and then finds the slot taken; on Postgres the due read
 * locks its rows and skips those another node holds. The unique (schedule, slot) key is the last line.
 */
export class Scheduler {
  private readonly store: Store;
  private readonly launcher: RunLauncher;
  private readonly logger: Logger;
  private readonly clock: SchedulerClock;
  private readonly hooks: SchedulerHooks;
  private readonly batchSize: number;
  private readonly maxSleepMs: number;
  private timer: unknown = null;
  private running = false;
  /** A timer's tick is under way: the timer is armed again when it ends, never beside it. */
  private ticking = false;
  /** The timer's last tick, for `stop` to wait on. */
  private timerTick: Promise<void> = Promise.resolve();

  constructor(options: SchedulerOptions) {
    this.store = options.store;
    this.launcher = options.launcher;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.hooks = options.hooks ?? {};
    this.batchSize = options.batchSize ?? 100;
    this.maxSleepMs = options.maxSleepMs ?? 30_000;
  }

  /** Claims what is due now (missed slots after downtime included), then sleeps until the next slot. */
  start(): void {
    this.running = true;
    this.armAfter(0);
  }

  /** Stops the timer; resolves once a tick under way has ended (its runs admitted). */
  stop(): Promise<void> {
    this.running = false;
    this.disarm();
    return this.timerTick;
  }

  /**
   * Call after a schedule was created, changed or deleted: the next slot may now be sooner. During
   * a tick nothing is needed: the timer is armed when it ends, from the schedules as they are then.
   */
  wake(): Promise<void> {
    return this.running ? this.arm() : Promise.resolve();
  }

  /**
   * One batch: claims up to `batchSize` due schedules in one transaction, then admits the runs
   * and reports the firings. Returns the firings recorded. A schedule whose claim throws is put
   * off for RETRY_AFTER_FAILURE_MS and the batch is claimed again without it, in a new
   * transaction: one per batch, not a savepoint per schedule, as failures are rare and every tick
   * pays for savepoints (and on Postgres a failed statement spoils the rest of its transaction).
   */
  async tick(): Promise<ScheduleFiringDto[]> {
    const now = this.clock.now();
    for (;;) {
      const claims: Claim[] = [];
      try {
        await this.claimOrDiscard(claims, (tx) => this.claimDue(tx, now, claims));
      } catch (err) {
        if (!(err instanceof ClaimFailed)) throw err;
        this.logger.error(
          { err: err.cause, scheduleId: err.scheduleId },
          'could not claim a due schedule; retrying later',
        );
        await execute(this.store, postponeSchedule(this.store, err.scheduleId, now + RETRY_AFTER_FAILURE_MS));
        continue;
      }
      return this.afterCommit(claims);
    }
  }

  /** A manual "run now": recorded in the history and started, or refused, like a slot. Ignores pause and overlap. */
  async runNow(scheduleId: number): Promise<ScheduleFiringDto> {
    const now = this.clock.now();
    const claim: Claim = { firings: [], admit: [] };
    await this.claimOrDiscard([claim], (tx) => this.claimManual(tx, scheduleId, now, claim));
    const [firing] = this.afterCommit([claim]);
    if (!firing) throw new Error('run now recorded no firing');
    return firing;
  }

  /**
   * Runs a claim's transaction. The claims are filled as it goes, so when it rolls back, the runs
   * it created (and the launcher holds for admission) are dropped rather than kept forever.
   */
  private async claimOrDiscard(claims: readonly Claim[], claim: (tx: Store) => Plan<void>): Promise<void> {
    try {
      await transaction(this.store, claim);
    } catch (err) {
      for (const run of claims.flatMap((each) => each.admit)) this.launcher.discard(run);
      throw err;
    }
  }

  private *claimDue(tx: Store, now: number, claims: Claim[]): Plan<void> {
    for (const schedule of yield* selectDueSchedules(tx, now, this.batchSize)) {
      const claim: Claim = { firings: [], admit: [] };
      claims.push(claim);
      try {
        yield* this.claimSlots(tx, claim, schedule, now);
      } catch (cause) {
        throw new ClaimFailed(schedule.id, cause);
      }
    }
  }

  private *claimManual(tx: Store, scheduleId: number, now: number, claim: Claim): Plan<void> {
    const schedule = yield* getScheduleWithTarget(tx, scheduleId);
    if (!schedule) throw notFound('Schedule');
    yield* checkTarget(tx, schedule);
    yield* this.startOrRefuse(tx, claim, schedule, { scheduledFor: null, fireAt: now }, now, (run) => ({
      outcome: 'started',
      reason: manualReason(run),
    }));
    if (this.hooks.inTransaction) yield* this.hooks.inTransaction(tx, claim.firings);
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Sleeps until the earliest due slot (one indexed read), never longer than maxSleepMs. */
  private async arm(): Promise<void> {
    let delay: number;
    try {
      const earliest = await execute(this.store, getEarliestFireAt(this.store));
      delay = earliest === null ? this.maxSleepMs : Math.max(0, earliest - this.clock.now());
    } catch (err) {
      this.logger.error({ err }, 'scheduler could not read its next slot');
      delay = SLEEP_AFTER_FAILURE_MS;
    }
    this.armAfter(Math.min(this.maxSleepMs, delay));
  }

  /** Never while a tick runs: two ticks at once would claim side by side. */
  private armAfter(delayMs: number): void {
    this.disarm();
    if (!this.running || this.ticking) return;
    this.timer = this.clock.setTimeout(() => this.onTimer(), delayMs);
  }

  private onTimer(): Promise<void> {
    this.timer = null;
    this.ticking = true;
    this.timerTick = this.tickThenArm();
    return this.timerTick;
  }

  private async tickThenArm(): Promise<void> {
    let failed = false;
    try {
      await this.tick();
    } catch (err) {
      this.logger.error({ err }, 'scheduler tick failed');
      failed = true;
    } finally {
      this.ticking = false;
    }
    if (failed) this.armAfter(SLEEP_AFTER_FAILURE_MS);
    else await this.arm();
  }

  private *claimSlots(tx: Store, claim: Claim, schedule: DueSchedule, now: number): Plan<void> {
    if (schedule.targetDeletedAt !== null) {
      // The agent's or workflow's delete should have taken its schedules along; make sure it did.
      yield* softDeleteSchedule(tx, schedule.id, now);
      this.logger.warn({ scheduleId: schedule.id }, 'schedule of a deleted agent or workflow deleted');
      return;
    }
    const plan = planDueSlots({
      cron: compileCron(schedule.cronExpression, schedule.timezone),
      firstSlot: schedule.nextRunAt ?? now,
      now,
      jitterMs: jitterOf(schedule),
      maxJitterMs: schedule.jitterSeconds * 1_000,
      catchUpWindowMs: schedule.catchUp === 'latest' ? schedule.catchUpWindowSeconds * 1_000 : null,
    });
    for (const planned of plan.firings) {
      // Already recorded (the schedule was set back onto a slot it had fired, e.g. by a clock jumping back).
      if (yield* isSlotRecorded(tx, schedule.id, planned.slot)) continue;
      yield* this.consider(tx, claim, schedule, planned, now);
    }
    yield* advanceSchedule(tx, schedule.id, plan.next.slot, plan.next.fireAt);
    if (claim.firings.length > 0 && this.hooks.inTransaction)
      yield* this.hooks.inTransaction(tx, claim.firings);
  }

  private *consider(
    tx: Store,
    claim: Claim,
    schedule: ClaimedSchedule,
    planned: PlannedFiring,
    now: number,
  ): Plan<void> {
    const slot: FiringSlot = { scheduledFor: planned.slot, fireAt: planned.fireAt };
    if (planned.kind === 'missed' || planned.kind === 'missed_overflow') {
      const missed: Verdict = { outcome: 'missed', reason: missedReason(schedule, planned, now) };
      const slotCount = planned.kind === 'missed_overflow' ? planned.count : 1;
      yield* this.record(tx, claim, schedule.id, slot, missed, now, null, slotCount);
      return;
    }
    const skipped =
      schedule.overlapPolicy === 'allow'
        ? null
        : overlapReason(schedule.overlapPolicy, yield* this.activeRuns(tx, schedule), this.runNoun(schedule));
    if (skipped) {
      yield* this.record(tx, claim, schedule.id, slot, { outcome: 'skipped_overlap', reason: skipped }, now);
      return;
    }
    yield* this.startOrRefuse(tx, claim, schedule, slot, now, (run) =>
      planned.kind === 'catch_up'
        ? { outcome: 'caught_up', reason: caughtUpReason(run, schedule.catchUpWindowSeconds) }
        : { outcome: 'started', reason: startedReason(run) },
    );
  }

  /**
   * What the overlap policy looks at: the schedule's own runs (or workflow runs) still active. The
   * query's plan itself, not one wrapping it: every statement of a tick passes through each plan
   * that delegates to it (bench: scheduler).
   */
  private activeRuns(tx: Store, schedule: ClaimedSchedule): Plan<ActiveRun[]> {
    return schedule.workflowId === null
      ? getActiveRunsOfSchedule(tx, schedule.id)
      : getActiveWorkflowRunsOfSchedule(tx, schedule.id);
  }

  private runNoun(schedule: ClaimedSchedule): 'run' | 'workflow run' {
    return schedule.workflowId === null ? 'run' : 'workflow run';
  }

  /** Starts a run for the firing, or records why it cannot start now. */
  private *startOrRefuse(
    tx: Store,
    claim: Claim,
    schedule: ClaimedSchedule,
    slot: FiringSlot,
    now: number,
    verdictOf: (run: StartedRun) => Verdict,
  ): Plan<void> {
    const target = targetOf(schedule);
    const refusal = yield* this.launcher.refusal(tx, target, now);
    if (refusal) {
      yield* this.record(tx, claim, schedule.id, slot, refusal, now);
      return;
    }
    let run: StartedRun;
    try {
      run = yield* this.launcher.createRun(tx, schedule.id, target, now);
    } catch (err) {
      // The target cannot start as the schedule says: recorded, and the next slot tries afresh.
      if (!isDomainError(err)) throw err;
      const reason = invalidTargetReason(err.message);
      yield* this.record(tx, claim, schedule.id, slot, { outcome: 'refused_invalid', reason }, now);
      return;
    }
    claim.admit.push(run);
    yield* this.record(tx, claim, schedule.id, slot, verdictOf(run), now, run);
  }

  /**
   * Writes the firing row, naming the run it started. A slot recorded meanwhile by another claim
   * (another process on the database) fails this claim: its run must not start twice; the retry
   * finds the slot taken. The row is one object literal, not spreads of the parts: a tick writes a
   * hundred, and spreads of differently shaped parts cost V8 a slow copy each (the tick's garbage,
   * hence its GC pauses, bench: scheduler).
   */
  private *record(
    tx: Store,
    claim: Claim,
    scheduleId: number,
    slot: FiringSlot,
    verdict: Verdict,
    now: number,
    run: StartedRun | null = null,
    slotCount = 1,
  ): Plan<void> {
    const recorded = yield* insertFiring(tx, {
      scheduleId,
      scheduledFor: slot.scheduledFor,
      fireAt: slot.fireAt,
      outcome: verdict.outcome,
      executionId: run?.kind === 'agent' ? run.executionId : null,
      workflowRunId: run?.kind === 'workflow' ? run.workflowRunId : null,
      reason: verdict.reason,
      slotCount,
      createdAt: now,
    });
    if (!recorded)
      throw new Error(`slot ${slot.scheduledFor} of schedule ${scheduleId} was recorded by another claim`);
    claim.firings.push(recorded);
  }

  /** Runs go to the engine only now that their rows are committed; then the live UI hears of it. */
  private afterCommit(claims: Claim[]): ScheduleFiringDto[] {
    const firings = claims.flatMap((claim) => claim.firings);
    for (const run of claims.flatMap((claim) => claim.admit)) {
      try {
        this.launcher.admit(run);
      } catch (err) {
        this.logger.error({ err, run }, 'a scheduled run could not be admitted; it stays queued');
      }
    }
    for (const firing of firings) {
      try {
        this.hooks.afterCommit?.(firing);
      } catch (err) {
        this.logger.warn({ err, firingId: firing.id }, 'afterCommit hook failed');
      }
    }
    return firings;
  }
}
