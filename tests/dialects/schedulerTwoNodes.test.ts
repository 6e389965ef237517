import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import type { NewSchedule } from '../../src/lib/db/schema';
import type { Store } from '../../src/lib/db/store';
import { Scheduler } from '../../src/lib/scheduling/scheduler';
import { addScheduleRow, runsOfSchedule, scheduleHistory } from '../helpers/scheduleRows';
import { captureLogger, StoreLauncher } from '../helpers/scheduling';
import { anotherPostgresPool, describeOnPostgres, emptyTables } from '../helpers/stores';

// Two servers on one Postgres database, each a Scheduler on its own pool and its own real timer:
// every slot is claimed by one of them, once. Waits ~30 s of wall time (its own file, so in
// parallel with the others).

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const SLOTS = 30;

describeOnPostgres('scheduler on two nodes', (store) => {
  let other: Awaited<ReturnType<typeof anotherPostgresPool>> | undefined;
  let launchers: StoreLauncher[];
  let logs: ReturnType<typeof captureLogger>[];
  let nodes: Scheduler[];

  beforeAll(async () => {
    other = await anotherPostgresPool(store());
  });
  afterAll(() => other?.close());

  beforeEach(async () => {
    await emptyTables(store(), (t) => [t.scheduleFirings, t.executions, t.schedules, t.agentConfigurations]);
    if (!other) throw new Error('the second pool is not open');
    launchers = [new StoreLauncher(), new StoreLauncher()];
    logs = [captureLogger(), captureLogger()];
    nodes = [store(), other.store].map(
      (on, i) =>
        new Scheduler({
          store: on,
          launcher: launchers[i] as StoreLauncher,
          logger: (logs[i] as ReturnType<typeof captureLogger>).logger,
        }),
    );
  });

  /** Every second (`fields` aside), each slot's run left to pile up: the test counts them. */
  const addSchedule = (fields: Partial<NewSchedule> & Pick<NewSchedule, 'nextRunAt'>) =>
    addScheduleRow(store(), fields.nextRunAt ?? 0, {
      cronExpression: '* * * * * *',
      overlapPolicy: 'allow',
      ...fields,
    });

  /** The schedule's firings, by slot. */
  async function firingsOf(on: Store, scheduleId: number) {
    const firings = await scheduleHistory(on, scheduleId);
    return firings.sort((a, b) => (a.scheduledFor ?? 0) - (b.scheduledFor ?? 0));
  }
  const runsOf = runsOfSchedule;

  /** Both nodes run until `done` holds, then stop (a tick under way ends first). */
  async function runBoth(done: () => Promise<boolean>): Promise<void> {
    for (const node of nodes) node.start();
    try {
      await vi.waitFor(
        async () => {
          if (!(await done())) throw new Error('not yet');
        },
        { timeout: 90 * SECOND, interval: 250 },
      );
    } finally {
      await Promise.all(nodes.map((node) => node.stop()));
    }
  }

  const admitted = () => launchers.flatMap((launcher) => launcher.admitted);
  /** A claim that failed (e.g. on the slot's unique key, another node having fired it): none should. */
  const errorsLogged = () => logs.flatMap((log) => log.lines()).filter((line) => Number(line.level) >= 50);

  it('a schedule every second: each of 30 slots has one firing row and one run', async () => {
    const first = Math.ceil(Date.now() / SECOND) * SECOND + SECOND;
    const id = await addSchedule({ nextRunAt: first });
    await runBoth(async () => (await firingsOf(store(), id)).length >= SLOTS);

    const firings = await firingsOf(store(), id);
    expect(firings.length).toBeGreaterThanOrEqual(SLOTS);
    // Every second from the first, each once, each started (a tick is never a minute late).
    expect(firings.map((firing) => firing.scheduledFor)).toEqual(
      Array.from({ length: firings.length }, (_, i) => first + i * SECOND),
    );
    expect(new Set(firings.map((firing) => firing.outcome))).toEqual(new Set(['started']));
    const runIds = firings.map((firing) => firing.executionId);
    expect(new Set(runIds).size).toBe(firings.length);
    const runs = await runsOf(store(), id);
    expect(runs.map((run) => run.id).sort((a, b) => a - b)).toEqual(
      [...runIds].sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
    expect([...admitted()].sort((a, b) => a - b)).toEqual(runs.map((run) => run.id).sort((a, b) => a - b));
    expect(errorsLogged()).toEqual([]);
  }, 120_000);

  it('slots missed while both were stopped are recorded once, and the latest caught up once', async () => {
    // Every minute, last fired ten minutes ago: both nodes were down since.
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE;
    const missedFrom = minute - 10 * MINUTE;
    const id = await addSchedule({
      cronExpression: '0 * * * * *',
      catchUp: 'latest',
      catchUpWindowSeconds: 3_600,
      nextRunAt: missedFrom,
    });
    await runBoth(async () =>
      (await firingsOf(store(), id)).some((firing) => (firing.scheduledFor ?? 0) >= minute),
    );

    const firings = await firingsOf(store(), id);
    const slots = firings.map((firing) => firing.scheduledFor);
    expect(slots).toEqual(Array.from({ length: firings.length }, (_, i) => missedFrom + i * MINUTE));
    const caughtUp = firings.filter((firing) => firing.outcome === 'caught_up');
    expect(caughtUp).toHaveLength(1);
    const missed = firings.filter((firing) => firing.outcome === 'missed');
    expect(missed.every((firing) => (firing.scheduledFor ?? 0) < (caughtUp[0]?.scheduledFor ?? 0))).toBe(
      true,
    );
    expect(missed.length).toBeGreaterThanOrEqual(8);
    const started = firings.filter((firing) => firing.executionId !== null);
    expect((await runsOf(store(), id)).map((run) => run.id).sort((a, b) => a - b)).toEqual(
      started.map((firing) => firing.executionId).sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
    expect(admitted()).toHaveLength(started.length);
    expect(errorsLogged()).toEqual([]);
  }, 120_000);
});
