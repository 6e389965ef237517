import { eq } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { createChannelSchema } from '../../src/lib/contracts/notifications';
import { changesOf, execute } from '../../src/lib/db/plan';
import { getEarliestFireAt } from '../../src/lib/db/queries/schedules';
import { getWorkflowRun } from '../../src/lib/db/queries/workflowRuns';
import { insertWorkflow } from '../../src/lib/db/queries/workflows';
import type { NewSchedule } from '../../src/lib/db/schema';
import type { Store } from '../../src/lib/db/store';
import type { RunEngine } from '../../src/lib/engine/engine';
import { createChannel } from '../../src/lib/notifications/channels';
import { engineRunLauncher } from '../../src/lib/scheduling/engineLauncher';
import { recordFiringEvents } from '../../src/lib/scheduling/firingNotifications';
import { Scheduler, type SchedulerHooks } from '../../src/lib/scheduling/scheduler';
import { newBox } from '../helpers/notifications';
import { addScheduleRow, runsOfSchedule, scheduleHistory } from '../helpers/scheduleRows';
import { captureLogger, ManualClock, StoreLauncher } from '../helpers/scheduling';
import { describeOnEachDialect, emptyTables, insertAgent, insertRun } from '../helpers/stores';
import { twoStepDefinition } from '../helpers/workflowDrafts';
import { runnerWithEngine } from '../helpers/workflowEngine';

// The scheduler's tick on both dialects: each batch claimed as one plan in one transaction on the
// store. Slots, time zones and the rest of the policy are tests/unit/scheduler.test.ts (SQLite).

const NOW = 1_800_000_000_000;
const MINUTE = 60_000;

const addSchedule = (store: Store, fields: Partial<NewSchedule> = {}) => addScheduleRow(store, NOW, fields);
const history = scheduleHistory;
const runsOf = runsOfSchedule;

async function scheduleRow({ db, t }: Store, id: number) {
  const [row] = await db.select().from(t.schedules).where(eq(t.schedules.id, id));
  return row;
}

describeOnEachDialect('scheduler', (store) => {
  let clock: ManualClock;
  let launcher: StoreLauncher;
  const scheduler = (hooks?: SchedulerHooks) =>
    new Scheduler({ store: store(), launcher, logger: captureLogger().logger, clock, hooks });

  beforeEach(async () => {
    await emptyTables(store(), (t) => [
      t.scheduleFirings,
      t.executions,
      t.schedules,
      t.workflows,
      t.agentConfigurations,
      t.appSettings,
    ]);
    clock = new ManualClock(NOW);
    launcher = new StoreLauncher();
  });

  it('fires a due slot once: its run queued and admitted after the commit, the schedule moved on', async () => {
    const id = await addSchedule(store());
    const ticking = scheduler();
    const [firing, ...others] = await ticking.tick();
    expect(others).toEqual([]);
    const runs = await runsOf(store(), id);
    expect(runs.map((run) => [run.id, run.status, run.trigger])).toEqual([
      [firing?.executionId, 'queued', 'schedule'],
    ]);
    expect(firing).toMatchObject({ scheduleId: id, scheduledFor: NOW, outcome: 'started' });
    expect(launcher.admitted).toEqual([firing?.executionId]);
    expect(await ticking.tick()).toEqual([]);
    expect(await history(store(), id)).toHaveLength(1);
    expect(await scheduleRow(store(), id)).toMatchObject({ nextRunAt: NOW + 5 * MINUTE });
  });

  it('after three hours down, catch-up latest runs the latest slot once and records the others missed', async () => {
    const id = await addSchedule(store(), {
      cronExpression: '*/15 * * * *',
      catchUp: 'latest',
      catchUpWindowSeconds: 3_600,
    });
    clock.time = NOW + 3 * 60 * MINUTE + 5 * MINUTE;
    const firings = await scheduler().tick();
    const outcomes = firings.map((firing) => firing.outcome);
    expect(outcomes.filter((outcome) => outcome === 'missed')).toHaveLength(12);
    const caughtUp = firings.filter((firing) => firing.outcome === 'caught_up');
    expect(caughtUp.map((firing) => firing.scheduledFor)).toEqual([NOW + 3 * 60 * MINUTE]);
    expect((await runsOf(store(), id)).map((run) => run.id)).toEqual([caughtUp[0]?.executionId]);
    expect(await history(store(), id)).toHaveLength(13);
  });

  it('skip: a slot finding the schedule’s run still going is recorded skipped, and starts nothing', async () => {
    const agentId = await insertAgent(store(), 'busy');
    const id = await addSchedule(store(), { agentId, overlapPolicy: 'skip' });
    const running = await insertRun(store(), agentId, { scheduleId: id, trigger: 'schedule' });
    const [firing] = await scheduler().tick();
    expect(firing).toMatchObject({ outcome: 'skipped_overlap', executionId: null });
    expect(firing?.reason).toContain(`#${running}`);
    expect((await runsOf(store(), id)).map((run) => run.id)).toEqual([running]);
  });

  it('a claim whose statement fails is rolled back alone and tried again 30 s later; the others fire', async () => {
    const failing = await addSchedule(store());
    const healthy = await addSchedule(store());
    let failures = 1;
    const ticking = scheduler({
      *inTransaction(tx, firings) {
        if (!firings.some((firing) => firing.scheduleId === failing) || failures-- <= 0) return;
        // The same key twice: a failed statement, which on Postgres spoils its transaction.
        const row = { key: 'outbox.full', value: 'x', updatedAt: 0 };
        yield* changesOf(tx.db.insert(tx.t.appSettings).values(row));
        yield* changesOf(tx.db.insert(tx.t.appSettings).values(row));
      },
    });
    expect((await ticking.tick()).map((firing) => firing.scheduleId)).toEqual([healthy]);
    expect(await runsOf(store(), failing)).toEqual([]);
    expect(await history(store(), failing)).toEqual([]);
    // The run written before the failure was rolled back: dropped by the launcher, never admitted.
    expect(launcher.discarded).toEqual([{ kind: 'agent', executionId: expect.any(Number) }]);
    expect(launcher.admitted).toEqual((await runsOf(store(), healthy)).map((run) => run.id));
    expect(await execute(store(), getEarliestFireAt(store()))).toBe(NOW + 30_000);
    clock.time = NOW + 30_000;
    const [retried, ...others] = await ticking.tick();
    expect(others).toEqual([]);
    expect(retried).toMatchObject({ scheduleId: failing, scheduledFor: NOW, outcome: 'started' });
    expect((await runsOf(store(), failing)).map((run) => run.id)).toEqual([retried?.executionId]);
  });

  it('run now starts a run even while paused, recorded as manual; an unknown schedule is not found', async () => {
    const id = await addSchedule(store(), { enabled: false });
    const ticking = scheduler();
    expect(await ticking.tick()).toEqual([]);
    const firing = await ticking.runNow(id);
    expect(firing).toMatchObject({ scheduleId: id, manual: true, scheduledFor: null, outcome: 'started' });
    expect((await runsOf(store(), id)).map((run) => run.id)).toEqual([firing.executionId]);
    expect(launcher.admitted).toEqual([firing.executionId]);
    await expect(ticking.runNow(id + 1)).rejects.toThrow('Schedule not found');
  });

  it('the notification hook queues a refused slot’s event in the claim’s transaction', async () => {
    await emptyTables(store(), (t) => [t.notificationOutbox, t.notificationEvents, t.notificationChannels]);
    const { channel } = await createChannel(
      store(),
      newBox(),
      createChannelSchema.parse({
        type: 'webhook',
        name: 'hook',
        url: 'https://hooks.example.invalid/h',
        events: ['schedule.refused'],
      }),
    );
    const id = await addSchedule(store());
    launcher.refuse = () => ({ outcome: 'refused_budget', reason: 'The global monthly budget is spent' });
    const [firing] = await scheduler({ inTransaction: recordFiringEvents }).tick();
    expect(firing).toMatchObject({ scheduleId: id, outcome: 'refused_budget', executionId: null });
    const { db, t } = store();
    const events = await db.select().from(t.notificationEvents);
    expect(events.map((event) => [event.type, (event.data as { scheduleId: number }).scheduleId])).toEqual([
      ['schedule.refused', id],
    ]);
    const outbox = await db.select().from(t.notificationOutbox);
    expect(outbox.map((row) => [row.channelId, row.eventId])).toEqual([[channel.id, events[0]?.id]]);
  });

  it('the timer ticks at start, then sleeps until the next slot', async () => {
    await addSchedule(store());
    const ticking = scheduler();
    ticking.start();
    expect(clock.armed()?.ms).toBe(0);
    await clock.fire();
    // The next slot is five minutes away: the longest sleep, 30 s, comes first.
    expect(clock.armed()?.ms).toBe(30_000);
    expect(launcher.admitted).toHaveLength(1);
    ticking.stop();
    expect(clock.timers).toEqual([]);
  });
});

describeOnEachDialect('scheduler, a workflow target', (store) => {
  it('fires a workflow run whose first step is queued in the claim, and admitted after the commit', async () => {
    await emptyTables(store(), (t) => [
      t.scheduleFirings,
      t.workflowRunSteps,
      t.executions,
      t.workflowRuns,
      t.schedules,
      t.workflowVersions,
      t.workflows,
      t.agentConfigurations,
    ]);
    const agentId = await insertAgent(store(), 'gatherer');
    const workflow = await execute(
      store(),
      insertWorkflow(store(), twoStepDefinition('report', agentId), NOW),
    );
    const id = await addSchedule(store(), {
      agentId: null,
      workflowId: workflow.id,
      workflowInput: { url: 'https://example.com' },
    });
    // A workflow target reaches the engine only for its storage check; its steps go to the TestEngine.
    const engine = { storageRefusal: () => null } as unknown as RunEngine;
    const { engine: steps, runner } = runnerWithEngine(store());
    const scheduler = new Scheduler({
      store: store(),
      launcher: engineRunLauncher(engine, runner),
      logger: captureLogger().logger,
      clock: new ManualClock(NOW),
    });
    const [firing] = await scheduler.tick();
    expect(firing).toMatchObject({ scheduleId: id, outcome: 'started', executionId: null });
    const run = await execute(store(), getWorkflowRun(store(), firing?.workflowRunId ?? 0));
    expect(run).toMatchObject({
      trigger: 'schedule',
      status: 'queued',
      input: { url: 'https://example.com' },
    });
    expect(run?.steps.map((step) => [step.key, step.status])).toEqual([
      ['fetch', 'queued'],
      ['sum', 'pending'],
    ]);
    expect(steps.admitted).toEqual([steps.executionOf('fetch')]);
  });
});
