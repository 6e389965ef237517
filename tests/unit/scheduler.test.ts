import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CreateScheduleInput, ScheduleFiringDto } from '../../src/lib/contracts/schedules';
import { type DbHandle, openDatabase } from '../../src/lib/db';
import { changesOf, onSqlite, runOnSqlite, transactionOnSqlite } from '../../src/lib/db/plan';
import { softDeleteAgent } from '../../src/lib/db/queries/agents';
import { interruptUnfinishedExecutions } from '../../src/lib/db/queries/executions';
import { getEarliestFireAt, listFiringsOfSchedule, toFiringDto } from '../../src/lib/db/queries/schedules';
import { softDeleteWorkflow } from '../../src/lib/db/queries/workflows';
import {
  agentConfigurations,
  appSettings,
  executions,
  workflowRuns,
  workflows,
} from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { jitterMs } from '../../src/lib/scheduling/jitter';
import { Scheduler, type SchedulerHooks } from '../../src/lib/scheduling/scheduler';
import { createSchedule, getSchedule, updateSchedule } from '../../src/lib/scheduling/schedules';
import { MISSED_LISTED_CAP } from '../../src/lib/scheduling/slotPlan';
import { updateWorkflow } from '../../src/lib/workflows/definitions';
import type { WorkflowRunner } from '../../src/lib/workflows/runner';
import { captureLogger, createTestAgent, DbLauncher, finishRun, ManualClock } from '../helpers/scheduling';
import { createTestDb } from '../helpers/testDb';
import { makeAgents, runnerWithEngine, saveWorkflow, type TestEngine } from '../helpers/workflowEngine';

const at = (isoTime: string) => Date.parse(isoTime);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let handle: DbHandle;
let clock: ManualClock;
let launcher: DbLauncher;
let log: ReturnType<typeof captureLogger>;
let scheduler: Scheduler;
const extraHandles: DbHandle[] = [];

function newScheduler(hooks?: SchedulerHooks): Scheduler {
  return new Scheduler({ store: sqliteStore(handle.db), launcher, logger: log.logger, clock, hooks });
}

beforeEach(() => {
  handle = createTestDb();
  clock = new ManualClock(at('2026-05-04T08:00:00Z'));
  launcher = new DbLauncher(handle.db);
  log = captureLogger();
  scheduler = newScheduler();
});

afterEach(() => {
  for (const extra of extraHandles.splice(0)) extra.sqlite.close();
  handle.sqlite.close();
});

async function schedule(input: Omit<CreateScheduleInput, 'agentId'> & { agentId?: number }) {
  const agentId = input.agentId ?? createTestAgent(handle.db).id;
  const created = await createSchedule(
    sqliteStore(handle.db),
    { timezone: 'UTC', ...input, agentId },
    clock.now(),
  );
  return { ...created, agentId };
}

/** The agent row alone is marked deleted, as if its delete had not taken its schedules along. */
function deleteAgentRowOnly(agentId: number): void {
  handle.db
    .update(agentConfigurations)
    .set({ deletedAt: clock.now() })
    .where(eq(agentConfigurations.id, agentId))
    .run();
}

/** The schedule's history, oldest first. */
function history(scheduleId: number): ScheduleFiringDto[] {
  return onSqlite(handle.db, (s) => listFiringsOfSchedule(s, scheduleId, { limit: 100_000 }))
    .reverse()
    .map(toFiringDto);
}

function runsOf(scheduleId: number) {
  return handle.db
    .select()
    .from(executions)
    .where(eq(executions.scheduleId, scheduleId))
    .orderBy(executions.id)
    .all();
}

/** As the timer would: tick at each fire time up to `until`. */
async function runUntil(until: number, afterTick?: () => void): Promise<void> {
  for (
    let earliest = onSqlite(handle.db, (s) => getEarliestFireAt(s));
    earliest !== null && earliest <= until;
  ) {
    clock.time = Math.max(clock.time, earliest);
    await scheduler.tick();
    afterTick?.();
    earliest = onSqlite(handle.db, (s) => getEarliestFireAt(s));
  }
  clock.time = until;
}

const outcomes = (firings: ScheduleFiringDto[]) => firings.map((f) => [iso(f.scheduledFor), f.outcome]);

describe('firing a slot', () => {
  it('starts one run per due slot, recorded with it, and moves the schedule to its next slot', async () => {
    const { id } = await schedule({ cronExpression: '*/10 * * * *', prompt: 'Check the disks.' });
    clock.time = at('2026-05-04T08:09:59Z');
    expect(await scheduler.tick()).toEqual([]);
    clock.time = at('2026-05-04T08:10:00.004Z');
    const [firing] = await scheduler.tick();
    const [run] = runsOf(id);
    expect(firing).toMatchObject({
      scheduleId: id,
      scheduledFor: at('2026-05-04T08:10:00Z'),
      fireAt: at('2026-05-04T08:10:00Z'),
      manual: false,
      outcome: 'started',
      executionId: run?.id,
      reason: `Started run #${run?.id}`,
    });
    expect(run).toMatchObject({
      trigger: 'schedule',
      scheduleId: id,
      prompt: 'Check the disks.',
      status: 'running',
    });
    expect(launcher.admitted).toEqual([run?.id]);
    expect(onSqlite(handle.db, (s) => getSchedule(s, id)).nextRuns[0]).toBe('2026-05-04T08:20:00.000Z');
    expect(await scheduler.tick()).toEqual([]);
  });

  it('a tick late by less than the grace period still starts the slot on time', async () => {
    const { id } = await schedule({ cronExpression: '*/10 * * * *' });
    clock.time = at('2026-05-04T08:10:59Z');
    expect(outcomes(await scheduler.tick())).toEqual([['2026-05-04T08:10:00.000Z', 'started']]);
    expect(runsOf(id)).toHaveLength(1);
  });

  it('a refusal is recorded with its reason, once, and the next slot is considered afresh', async () => {
    const { id } = await schedule({ cronExpression: '*/10 * * * *' });
    launcher.refuse = () => ({
      outcome: 'refused_breaker',
      reason: 'The circuit breaker is open after 3 failures',
    });
    await runUntil(at('2026-05-04T08:10:00Z'));
    await scheduler.tick();
    expect(history(id).map((f) => [f.outcome, f.reason])).toEqual([
      ['refused_breaker', 'The circuit breaker is open after 3 failures'],
    ]);
    launcher.refuse = null;
    await runUntil(at('2026-05-04T08:20:00Z'));
    expect(outcomes(history(id))).toEqual([
      ['2026-05-04T08:10:00.000Z', 'refused_breaker'],
      ['2026-05-04T08:20:00.000Z', 'started'],
    ]);
    expect(runsOf(id)).toHaveLength(1);
  });

  it('a schedule of a deleted agent is deleted instead of fired', async () => {
    const { id, agentId } = await schedule({ cronExpression: '*/10 * * * *' });
    deleteAgentRowOnly(agentId);
    await runUntil(at('2026-05-04T09:00:00Z'));
    expect(history(id)).toEqual([]);
    expect(() => onSqlite(handle.db, (s) => getSchedule(s, id))).toThrow('Schedule not found');
    expect(onSqlite(handle.db, (s) => getEarliestFireAt(s))).toBeNull();
  });
});

describe('time zones across DST changes', () => {
  // 2026: New York springs forward on 8 March (02:00 → 03:00) and falls back on 1 November (01:00–02:00
  // twice); Berlin on 29 March (02:00 → 03:00) and on 25 October (02:00–03:00 twice).
  async function firedDuring(from: string, until: string) {
    clock.time = at(from);
    const newYork = await schedule({
      cronExpression: '30 1,2 * * *',
      timezone: 'America/New_York',
      overlapPolicy: 'allow',
    });
    const berlin = await schedule({
      cronExpression: '0 30 2 * * *',
      timezone: 'Europe/Berlin',
      overlapPolicy: 'allow',
    });
    await runUntil(at(until));
    return {
      newYork: history(newYork.id),
      berlin: history(berlin.id),
      runs: [runsOf(newYork.id), runsOf(berlin.id)],
    };
  }

  it('spring forward: a slot in the gap fires once, at the end of the gap', async () => {
    const { newYork, berlin, runs } = await firedDuring('2026-03-07T12:00:00Z', '2026-03-30T12:00:00Z');
    const onDay = (firings: ScheduleFiringDto[], day: string) =>
      outcomes(firings.filter((f) => iso(f.scheduledFor)?.startsWith(day)));
    expect(onDay(newYork, '2026-03-08')).toEqual([
      ['2026-03-08T06:30:00.000Z', 'started'], // 01:30 EST
      ['2026-03-08T07:00:00.000Z', 'started'], // 02:30 does not exist: 03:00 EDT
    ]);
    expect(onDay(newYork, '2026-03-09')).toEqual([
      ['2026-03-09T05:30:00.000Z', 'started'],
      ['2026-03-09T06:30:00.000Z', 'started'],
    ]);
    expect(onDay(berlin, '2026-03-29')).toEqual([['2026-03-29T01:00:00.000Z', 'started']]); // 03:00 CEST
    expect(onDay(berlin, '2026-03-30')).toEqual([['2026-03-30T00:30:00.000Z', 'started']]);
    // Every local day once (twice for New York), each slot with exactly one run.
    expect(newYork).toHaveLength(2 * 23);
    expect(berlin).toHaveLength(23);
    expect(runs.map((r) => r.length)).toEqual([newYork.length, berlin.length]);
  });

  it('fall back: a slot in the repeated hour fires once, the first time round', async () => {
    const { newYork, berlin, runs } = await firedDuring('2026-10-24T12:00:00Z', '2026-11-02T12:00:00Z');
    const onDay = (firings: ScheduleFiringDto[], day: string) =>
      outcomes(firings.filter((f) => iso(f.scheduledFor)?.startsWith(day)));
    expect(onDay(berlin, '2026-10-25')).toEqual([['2026-10-25T00:30:00.000Z', 'started']]); // 02:30 CEST only
    expect(onDay(berlin, '2026-10-26')).toEqual([['2026-10-26T01:30:00.000Z', 'started']]);
    expect(onDay(newYork, '2026-11-01')).toEqual([
      ['2026-11-01T05:30:00.000Z', 'started'], // 01:30 EDT; not again at 01:30 EST
      ['2026-11-01T07:30:00.000Z', 'started'], // 02:30 EST
    ]);
    expect(newYork).toHaveLength(2 * 9);
    expect(berlin).toHaveLength(9);
    expect(runs.map((r) => r.length)).toEqual([newYork.length, berlin.length]);
  });
});

describe('overlap policies', () => {
  const tenMinutes = (n: number) => at('2026-05-04T08:00:00Z') + n * 10 * MINUTE;

  it('skip: a slot is skipped while a run from the schedule is queued or running', async () => {
    const { id } = await schedule({ cronExpression: '*/10 * * * *' });
    await runUntil(tenMinutes(2));
    const [first] = runsOf(id);
    expect(history(id).map((f) => [f.outcome, f.reason])).toEqual([
      ['started', `Started run #${first?.id}`],
      [
        'skipped_overlap',
        `Skipped: run #${first?.id} from this schedule is still running (overlap policy: skip)`,
      ],
    ]);
    finishRun(handle.db, first?.id ?? 0);
    await runUntil(tenMinutes(3));
    expect(history(id).map((f) => f.outcome)).toEqual(['started', 'skipped_overlap', 'started']);
    expect(runsOf(id)).toHaveLength(2);
  });

  it('buffer_one: one run may wait behind the running one; a slot finding one waiting is skipped', async () => {
    const { id } = await schedule({ cronExpression: '*/10 * * * *', overlapPolicy: 'buffer_one' });
    await runUntil(tenMinutes(3));
    const [running, waiting] = runsOf(id);
    expect(runsOf(id).map((r) => r.status)).toEqual(['running', 'queued']);
    expect(history(id).map((f) => [f.outcome, f.reason])).toEqual([
      ['started', `Started run #${running?.id}`],
      ['started', `Started run #${waiting?.id}`],
      [
        'skipped_overlap',
        `Skipped: run #${waiting?.id} from this schedule is already waiting to start (overlap policy: buffer_one)`,
      ],
    ]);
    finishRun(handle.db, running?.id ?? 0);
    await runUntil(tenMinutes(4));
    expect(runsOf(id).map((r) => r.status)).toEqual(['completed', 'running', 'queued']);
  });

  it('allow: every slot starts a run, whatever is still going', async () => {
    const { id } = await schedule({ cronExpression: '*/10 * * * *', overlapPolicy: 'allow' });
    await runUntil(tenMinutes(3));
    expect(history(id).map((f) => f.outcome)).toEqual(['started', 'started', 'started']);
    expect(runsOf(id).map((r) => r.status)).toEqual(['running', 'queued', 'queued']);
  });
});

describe('downtime and catch-up', () => {
  /** Fires 08:15 normally, then the server is down from 08:20 until 11:20. */
  async function threeHoursDown(input: Omit<CreateScheduleInput, 'agentId' | 'cronExpression'>) {
    const created = await schedule({ cronExpression: '*/15 * * * *', ...input });
    await runUntil(at('2026-05-04T08:20:00Z'), () => {
      for (const run of runsOf(created.id)) finishRun(handle.db, run.id);
    });
    clock.time = at('2026-05-04T11:20:00Z');
    const firings = await scheduler.tick();
    return { id: created.id, firings };
  }

  it('latest: exactly one run, for the latest missed slot; the others are recorded missed', async () => {
    const { id, firings } = await threeHoursDown({ catchUp: 'latest', catchUpWindowSeconds: 3_600 });
    const missed = firings.filter((f) => f.outcome === 'missed');
    expect(missed.map((f) => iso(f.scheduledFor))).toEqual(
      Array.from({ length: 11 }, (_, i) => iso(at('2026-05-04T08:30:00Z') + i * 15 * MINUTE)),
    );
    const reasons = new Map(missed.map((f) => [iso(f.scheduledFor), f.reason]));
    expect(reasons.get('2026-05-04T10:15:00.000Z')).toBe(
      'Missed: the server was not running at this time, or its clock jumped ahead; older than the catch-up window of 1 h',
    );
    expect(reasons.get('2026-05-04T10:30:00.000Z')).toBe(
      'Missed: the server was not running at this time, or its clock jumped ahead; catch-up runs only the latest missed slot',
    );
    const caughtUp = firings.filter((f) => f.outcome === 'caught_up');
    expect(caughtUp.map((f) => iso(f.scheduledFor))).toEqual(['2026-05-04T11:15:00.000Z']);
    expect(runsOf(id).map((r) => r.id)).toEqual([expect.any(Number), caughtUp[0]?.executionId]);
    expect(onSqlite(handle.db, (s) => getSchedule(s, id)).nextRuns[0]).toBe('2026-05-04T11:30:00.000Z');
  });

  it('skip: no run, every missed slot recorded', async () => {
    const { id, firings } = await threeHoursDown({});
    expect(firings.map((f) => f.outcome)).toEqual(Array(12).fill('missed'));
    expect(firings[0]?.reason).toBe(
      'Missed: the server was not running at this time, or its clock jumped ahead (catch-up: skip)',
    );
    expect(runsOf(id)).toHaveLength(1);
  });

  it('latest: a missed slot older than the window is not caught up', async () => {
    const { id } = await schedule({
      cronExpression: '0 9 * * *',
      catchUp: 'latest',
      catchUpWindowSeconds: 3_600,
    });
    clock.time = at('2026-05-04T12:00:00Z');
    expect((await scheduler.tick()).map((f) => [f.outcome, f.reason])).toEqual([
      [
        'missed',
        'Missed: the server was not running at this time, or its clock jumped ahead; older than the catch-up window of 1 h',
      ],
    ]);
    expect(runsOf(id)).toHaveLength(0);
  });

  it('a per-second schedule down for a week writes about a thousand rows, not 600,000, and one run', async () => {
    const { id } = await schedule({ cronExpression: '* * * * * *', catchUp: 'latest' });
    clock.time += 7 * 24 * HOUR;
    const firings = await scheduler.tick();
    const overflow = firings.find((f) => f.slotCount > 1);
    expect(firings.filter((f) => f.outcome === 'missed')).toHaveLength(MISSED_LISTED_CAP + 1);
    expect(overflow?.reason).toMatch(
      /^At least 9,000 more slots from 2026-05-04T08:16:41\.000Z until 2026-05-11T07:58:59\.000Z were missed while the server was not running/,
    );
    // The latest missed slot is caught up; the slots of the last minute find it queued or running.
    expect(firings.filter((f) => f.outcome === 'caught_up').map((f) => iso(f.scheduledFor))).toEqual([
      '2026-05-11T07:58:59.000Z',
    ]);
    expect(firings.filter((f) => f.outcome === 'skipped_overlap')).toHaveLength(61);
    expect(runsOf(id)).toHaveLength(1);
    expect(onSqlite(handle.db, (s) => getSchedule(s, id)).nextRuns[0]).toBe('2026-05-11T08:00:01.000Z');
  });
});

describe('pause', () => {
  it('a paused schedule never fires; resuming starts from the next slot, without catching up', async () => {
    const { id } = await schedule({ cronExpression: '*/10 * * * *', catchUp: 'latest' });
    expect(
      (await updateSchedule(sqliteStore(handle.db), id, { enabled: false }, clock.now())).nextRuns,
    ).toEqual([]);
    await runUntil(at('2026-05-05T08:00:00Z'));
    expect(await scheduler.tick()).toEqual([]);
    expect(onSqlite(handle.db, (s) => getEarliestFireAt(s))).toBeNull();
    clock.time = at('2026-05-05T08:03:00Z');
    expect(
      (await updateSchedule(sqliteStore(handle.db), id, { enabled: true }, clock.now())).nextRuns[0],
    ).toBe('2026-05-05T08:10:00.000Z');
    await runUntil(at('2026-05-05T08:10:00Z'));
    expect(outcomes(history(id))).toEqual([['2026-05-05T08:10:00.000Z', 'started']]);
  });
});

describe('exactly once', () => {
  it('a crash after the claim and before the run was admitted does not fire the slot again', async () => {
    const { id } = await schedule({ cronExpression: '*/10 * * * *' });
    launcher.failAdmit = true;
    clock.time = at('2026-05-04T08:10:00Z');
    const [claimed] = await scheduler.tick();
    expect(claimed?.outcome).toBe('started');
    expect(
      log.lines().some((line) => line.msg === 'a scheduled run could not be admitted; it stays queued'),
    ).toBe(true);

    // Restart: a new connection to the same file, the start-up recovery, a new scheduler.
    const restarted = openDatabase(handle.path);
    extraHandles.push(restarted);
    transactionOnSqlite(restarted.db, interruptUnfinishedExecutions);
    const relaunched = new DbLauncher(restarted.db);
    const again = new Scheduler({
      store: sqliteStore(restarted.db),
      launcher: relaunched,
      logger: log.logger,
      clock,
    });
    clock.time = at('2026-05-04T08:10:30Z');
    expect(await again.tick()).toEqual([]);
    expect(runsOf(id).map((r) => [r.id, r.status])).toEqual([[claimed?.executionId, 'interrupted']]);
    clock.time = at('2026-05-04T08:20:00Z');
    expect(outcomes(await again.tick())).toEqual([['2026-05-04T08:20:00.000Z', 'started']]);
    expect(runsOf(id)).toHaveLength(2);
  });

  it('a slot already recorded is not fired again when the schedule is set back onto it (clock jumped back)', async () => {
    const { id } = await schedule({ cronExpression: '0 * * * *', overlapPolicy: 'allow' });
    await runUntil(at('2026-05-04T09:00:00Z'));
    clock.time = at('2026-05-04T08:30:00Z');
    await updateSchedule(sqliteStore(handle.db), id, { enabled: false }, clock.now());
    expect(
      (await updateSchedule(sqliteStore(handle.db), id, { enabled: true }, clock.now())).nextRuns[0],
    ).toBe('2026-05-04T09:00:00.000Z');
    await runUntil(at('2026-05-04T10:00:00Z'));
    expect(outcomes(history(id))).toEqual([
      ['2026-05-04T09:00:00.000Z', 'started'],
      ['2026-05-04T10:00:00.000Z', 'started'],
    ]);
    expect(runsOf(id)).toHaveLength(2);
  });

  it('two scheduler processes on one file, ticking the same instant, start one run per slot', async () => {
    const agent = createTestAgent(handle.db);
    const ids: number[] = [];
    for (let i = 0; i < 50; i++)
      ids.push((await schedule({ agentId: agent.id, cronExpression: '*/10 * * * *' })).id);
    const worker = path.join(import.meta.dirname, '../helpers/schedulerProcess.ts');
    const startAt = Date.now() + 2_500;
    const tick = () =>
      promisify(execFile)(process.execPath, [
        '--import',
        'tsx',
        worker,
        handle.path,
        String(at('2026-05-04T08:10:00Z')),
        String(startAt),
      ]);
    const outputs = await Promise.all([tick(), tick()]);
    const fired = outputs.flatMap(
      ({ stdout }) => JSON.parse(stdout) as { scheduleId: number; executionId: number }[],
    );
    expect(fired.map((f) => f.scheduleId).sort((a, b) => a - b)).toEqual(ids);
    for (const id of ids) {
      expect(history(id).map((f) => f.outcome)).toEqual(['started']);
      expect(runsOf(id)).toHaveLength(1);
    }
  }, 30_000);

  it('the unique key refuses a second row for a slot', async () => {
    const { id } = await schedule({ cronExpression: '0 * * * *' });
    await runUntil(at('2026-05-04T09:00:00Z'));
    expect(() =>
      handle.sqlite
        .prepare(
          "insert into schedule_firings (schedule_id, scheduled_for, fire_at, outcome, reason, created_at) values (?, ?, ?, 'started', 'x', 0)",
        )
        .run(id, at('2026-05-04T09:00:00Z'), at('2026-05-04T09:00:00Z')),
    ).toThrow(/UNIQUE constraint failed: schedule_firings.schedule_id, schedule_firings.scheduled_for/);
  });
});

describe('run now', () => {
  it('records a manual firing and starts a run, even while paused and overlapping', async () => {
    const { id } = await schedule({ cronExpression: '0 3 * * *', enabled: false });
    const first = await scheduler.runNow(id);
    const second = await scheduler.runNow(id);
    expect([first, second].map((f) => [f.manual, f.scheduledFor, f.outcome])).toEqual([
      [true, null, 'started'],
      [true, null, 'started'],
    ]);
    expect(first.reason).toBe(`Run now: started run #${first.executionId}`);
    expect(runsOf(id).map((r) => [r.id, r.trigger])).toEqual([
      [first.executionId, 'schedule'],
      [second.executionId, 'schedule'],
    ]);
  });

  it('a refused run now is recorded and starts nothing', async () => {
    const { id } = await schedule({ cronExpression: '0 3 * * *' });
    launcher.refuse = () => ({
      outcome: 'refused_budget',
      reason: 'The global monthly budget ($5.00) is exhausted',
    });
    expect(await scheduler.runNow(id)).toMatchObject({
      manual: true,
      outcome: 'refused_budget',
      executionId: null,
      reason: 'The global monthly budget ($5.00) is exhausted',
    });
    expect(runsOf(id)).toHaveLength(0);
    await expect(scheduler.runNow(id + 1)).rejects.toThrow('Schedule not found');
  });

  it('refuses to run a schedule whose agent was deleted', async () => {
    const deletedWith = await schedule({ cronExpression: '0 3 * * *' });
    runOnSqlite(softDeleteAgent(sqliteStore(handle.db), deletedWith.agentId));
    await expect(scheduler.runNow(deletedWith.id)).rejects.toThrow('Schedule not found');
    const leftBehind = await schedule({ cronExpression: '0 3 * * *' });
    deleteAgentRowOnly(leftBehind.agentId);
    await expect(scheduler.runNow(leftBehind.id)).rejects.toThrow('Agent not found');
    expect([...history(deletedWith.id), ...history(leftBehind.id)]).toEqual([]);
  });
});

describe('jitter', () => {
  it('is deterministic per schedule and slot, whole seconds within 0..jitterSeconds', async () => {
    const slots = Array.from({ length: 2_000 }, (_, i) => at('2026-05-04T00:00:00Z') + i * HOUR);
    const delays = slots.map((slot) => jitterMs(7, slot, 600));
    expect(delays).toEqual(slots.map((slot) => jitterMs(7, slot, 600)));
    expect(delays.every((d) => d >= 0 && d <= 600_000 && d % 1_000 === 0)).toBe(true);
    expect(new Set(delays).size).toBeGreaterThan(500);
    expect(slots.map((slot) => jitterMs(8, slot, 600))).not.toEqual(delays);
    expect(jitterMs(7, slots[0] ?? 0, 0)).toBe(0);
  });

  it('a slot fires at its jittered time, not before, and the history keeps both times', async () => {
    const { id } = await schedule({ cronExpression: '0 * * * *', jitterSeconds: 900 });
    const slot = at('2026-05-04T09:00:00Z');
    const fireAt = slot + jitterMs(id, slot, 900);
    clock.time = fireAt - 1;
    expect(await scheduler.tick()).toEqual([]);
    clock.time = fireAt;
    expect((await scheduler.tick()).map((f) => [f.scheduledFor, f.fireAt, f.outcome])).toEqual([
      [slot, fireAt, 'started'],
    ]);
  });
});

describe('hooks and failures', () => {
  it('inTransaction writes commit with the firings; afterCommit sees them committed', async () => {
    const seenCommitted: boolean[] = [];
    const reader = openDatabase(handle.path);
    extraHandles.push(reader);
    scheduler = newScheduler({
      *inTransaction(tx, firings) {
        for (const firing of firings) {
          yield* changesOf(
            tx.db
              .insert(tx.t.appSettings)
              .values({ key: `outbox.${firing.id}`, value: firing.outcome, updatedAt: 0 }),
          );
        }
      },
      afterCommit: (firing) => {
        seenCommitted.push(
          reader.sqlite.prepare('select 1 from schedule_firings where id = ?').get(firing.id) !== undefined,
        );
      },
    });
    await schedule({ cronExpression: '*/10 * * * *' });
    await runUntil(at('2026-05-04T08:10:00Z'));
    expect(seenCommitted).toEqual([true]);
    expect(
      handle.db
        .select()
        .from(appSettings)
        .all()
        .map((row) => row.value),
    ).toEqual(['started']);
  });

  it('a claim that fails is rolled back alone and tried again 30 s later; other schedules fire', async () => {
    const failing = await schedule({ cronExpression: '*/10 * * * *' });
    const healthy = await schedule({ cronExpression: '*/10 * * * *' });
    let failures = 1;
    scheduler = newScheduler({
      *inTransaction(_tx, firings) {
        if (firings.some((firing) => firing.scheduleId === failing.id) && failures-- > 0)
          throw new Error('outbox full');
      },
    });
    clock.time = at('2026-05-04T08:10:00Z');
    expect((await scheduler.tick()).map((f) => f.scheduleId)).toEqual([healthy.id]);
    expect(runsOf(failing.id)).toHaveLength(0);
    expect(onSqlite(handle.db, (s) => getEarliestFireAt(s))).toBe(at('2026-05-04T08:10:30Z'));
    clock.time = at('2026-05-04T08:10:30Z');
    expect(outcomes(await scheduler.tick())).toEqual([['2026-05-04T08:10:00.000Z', 'started']]);
    expect(runsOf(failing.id)).toHaveLength(1);
  });
});

describe('timer', () => {
  it('ticks at start, then sleeps until the earliest slot (at most 30 s); wake() re-arms after a change', async () => {
    const { id } = await schedule({ cronExpression: '0 * * * *' });
    scheduler.start();
    expect(clock.armed()?.ms).toBe(0);
    await clock.fire();
    expect(clock.armed()?.ms).toBe(30_000);
    clock.time = at('2026-05-04T08:59:50Z');
    await schedule({ cronExpression: '0 * * * *' });
    await scheduler.wake();
    expect(clock.armed()?.ms).toBe(10_000);
    clock.time = at('2026-05-04T09:00:00Z');
    await clock.fire();
    expect(history(id).map((f) => f.outcome)).toEqual(['started']);
    scheduler.stop();
    expect(clock.timers).toEqual([]);
  });
});

describe('a workflow target', () => {
  let engine: TestEngine;
  let runner: WorkflowRunner;
  let agents: Record<string, number>;

  beforeEach(async () => {
    ({ engine, runner } = runnerWithEngine(sqliteStore(handle.db)));
    launcher = new DbLauncher(handle.db, runner);
    scheduler = newScheduler();
    agents = await makeAgents(sqliteStore(handle.db), ['gatherer', 'writer']);
  });

  /** Gathers facts about `topic`, then writes them up: every ten minutes unless told otherwise. */
  async function workflowSchedule(input: Partial<CreateScheduleInput> = {}) {
    const workflow = await saveWorkflow(sqliteStore(handle.db), {
      name: `report-${Math.random().toString(36).slice(2)}`,
      inputs: [{ name: 'topic', required: true }],
      steps: [
        { key: 'a', agentId: agents.gatherer ?? 0, prompt: 'Gather facts about {{input.topic}}' },
        { key: 'b', agentId: agents.writer ?? 0, prompt: 'Write up {{steps.a.result}}', dependsOn: ['a'] },
      ],
    });
    const created = await createSchedule(
      sqliteStore(handle.db),
      {
        timezone: 'UTC',
        cronExpression: '*/10 * * * *',
        workflowId: workflow.id,
        workflowInput: { topic: 'disks' },
        ...input,
      },
      clock.now(),
    );
    return { ...created, workflow };
  }

  const workflowRunsOf = (scheduleId: number) =>
    handle.db
      .select()
      .from(workflowRuns)
      .where(eq(workflowRuns.scheduleId, scheduleId))
      .orderBy(workflowRuns.id)
      .all();

  /** The engine runs every step of the workflow run to completion. */
  async function completeRun(): Promise<void> {
    for (const key of ['a', 'b']) {
      await engine.startStep(key);
      await engine.endStep(key, 'completed');
    }
  }

  it('a slot starts a workflow run with the schedule’s input, committed with its firing; its steps start after the commit', async () => {
    const { id } = await workflowSchedule();
    const admittedInTransaction: number[] = [];
    scheduler = newScheduler({
      *inTransaction(tx) {
        admittedInTransaction.push(engine.admitted.length);
        // A read in the transaction, as a hook's plan makes statements (a generator must yield).
        yield* getEarliestFireAt(tx);
      },
    });
    clock.time = at('2026-05-04T08:10:00Z');
    const [firing] = await scheduler.tick();
    const [run] = workflowRunsOf(id);
    expect(firing).toMatchObject({
      outcome: 'started',
      executionId: null,
      workflowRunId: run?.id,
      reason: `Started workflow run #${run?.id}`,
    });
    expect(run).toMatchObject({
      trigger: 'schedule',
      scheduleId: id,
      status: 'queued',
      input: { topic: 'disks' },
    });
    expect(admittedInTransaction).toEqual([0]);
    expect(launcher.admittedWorkflowRuns).toEqual([run?.id]);
    expect(engine.launchedKeys()).toEqual(['a']);
    expect(engine.promptOf('a')).toBe('Gather facts about disks');
    expect(engine.admitted).toEqual([engine.executionOf('a')]);
    expect(runsOf(id)).toEqual([]);
  });

  it('skip: a slot is skipped while a workflow run from this schedule is active; other runs of the workflow do not count', async () => {
    const { id, workflow } = await workflowSchedule();
    const manual = await runner.start(workflow.id, { input: { topic: 'cpu' }, trigger: 'manual' });
    await runUntil(at('2026-05-04T08:20:00Z'));
    const [first] = workflowRunsOf(id);
    expect(history(id).map((f) => [f.outcome, f.reason])).toEqual([
      ['started', `Started workflow run #${first?.id}`],
      [
        'skipped_overlap',
        `Skipped: workflow run #${first?.id} from this schedule is still queued (overlap policy: skip)`,
      ],
    ]);
    expect(first?.id).not.toBe(manual.id);
    await completeRun();
    expect(workflowRunsOf(id).map((r) => r.status)).toEqual(['completed']);
    await runUntil(at('2026-05-04T08:30:00Z'));
    expect(history(id).map((f) => f.outcome)).toEqual(['started', 'skipped_overlap', 'started']);
  });

  it('buffer_one: one workflow run may wait behind the running one', async () => {
    const { id } = await workflowSchedule({ overlapPolicy: 'buffer_one' });
    await runUntil(at('2026-05-04T08:10:00Z'));
    await engine.startStep('a');
    await runUntil(at('2026-05-04T08:30:00Z'));
    const [running, waiting] = workflowRunsOf(id);
    expect(workflowRunsOf(id).map((r) => r.status)).toEqual(['running', 'queued']);
    expect(history(id).map((f) => f.reason)).toEqual([
      `Started workflow run #${running?.id}`,
      `Started workflow run #${waiting?.id}`,
      `Skipped: workflow run #${waiting?.id} from this schedule is already waiting to start (overlap policy: buffer_one)`,
    ]);
  });

  it('a monthly budget that refuses one of its agents refuses the slot, recorded, with nothing written', async () => {
    const { id } = await workflowSchedule();
    const message = 'The monthly budget of agent “writer” ($5.00) is exhausted: $5.01 spent in 2026-05';
    engine.refusals.set(agents.writer ?? 0, {
      message,
      budget: 'agent_monthly',
      limitUsd: 5,
      spentUsd: 5.01,
    });
    await runUntil(at('2026-05-04T08:10:00Z'));
    expect(history(id).map((f) => [f.outcome, f.reason])).toEqual([['refused_budget', message]]);
    expect(workflowRunsOf(id)).toEqual([]);
    engine.refusals.clear();
    await runUntil(at('2026-05-04T08:20:00Z'));
    expect(history(id).map((f) => f.outcome)).toEqual(['refused_budget', 'started']);
  });

  it('an input that no longer fits the workflow is recorded refused_invalid, once per slot, and starts nothing', async () => {
    const { id, workflow } = await workflowSchedule();
    await updateWorkflow(
      sqliteStore(handle.db),
      workflow.id,
      { inputs: [...workflow.inputs, { name: 'region', required: true }] },
      () => false,
    );
    await runUntil(at('2026-05-04T08:20:00Z'));
    expect(history(id).map((f) => [f.outcome, f.reason])).toEqual([
      ['refused_invalid', 'Could not start: Invalid input.region: region is required'],
      ['refused_invalid', 'Could not start: Invalid input.region: region is required'],
    ]);
    expect(workflowRunsOf(id)).toEqual([]);
    expect(handle.db.select().from(executions).all()).toEqual([]);
    await updateSchedule(
      sqliteStore(handle.db),
      id,
      { workflowInput: { topic: 'disks', region: 'eu' } },
      clock.now(),
    );
    await runUntil(at('2026-05-04T08:30:00Z'));
    expect(history(id).map((f) => f.outcome)).toEqual(['refused_invalid', 'refused_invalid', 'started']);
    expect(workflowRunsOf(id)[0]?.input).toEqual({ topic: 'disks', region: 'eu' });
  });

  it('run now starts a workflow run, recorded as manual, even while paused and overlapping', async () => {
    const { id } = await workflowSchedule();
    await runUntil(at('2026-05-04T08:10:00Z'));
    await updateSchedule(sqliteStore(handle.db), id, { enabled: false }, clock.now());
    const firing = await scheduler.runNow(id);
    const runs = workflowRunsOf(id);
    expect(runs).toHaveLength(2);
    expect(firing).toMatchObject({
      manual: true,
      scheduledFor: null,
      outcome: 'started',
      workflowRunId: runs[1]?.id,
      reason: `Run now: started workflow run #${runs[1]?.id}`,
    });
  });

  it('deleting the workflow deletes its schedules; a schedule left behind is deleted when it comes due', async () => {
    const deletedWith = await workflowSchedule();
    transactionOnSqlite(handle.db, (tx) => softDeleteWorkflow(tx, deletedWith.workflow.id, clock.now()));
    expect(() => onSqlite(handle.db, (s) => getSchedule(s, deletedWith.id))).toThrow('Schedule not found');

    const leftBehind = await workflowSchedule();
    handle.db
      .update(workflows)
      .set({ deletedAt: clock.now() })
      .where(eq(workflows.id, leftBehind.workflow.id))
      .run();
    await expect(scheduler.runNow(leftBehind.id)).rejects.toThrow('Workflow not found');
    await runUntil(at('2026-05-04T09:00:00Z'));
    expect([...history(deletedWith.id), ...history(leftBehind.id)]).toEqual([]);
    expect(() => onSqlite(handle.db, (s) => getSchedule(s, leftBehind.id))).toThrow('Schedule not found');
    expect(workflowRunsOf(leftBehind.id)).toEqual([]);
  });
});
