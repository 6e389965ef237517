import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_HEALTH_KEY } from '../../src/agents/system-health';
import { cheapestCurrentModel } from '../../src/lib/claude/pricing';
import type { DbHandle } from '../../src/lib/db';
import { onSqlite, runOnSqlite } from '../../src/lib/db/plan';
import { getBuiltinAgent } from '../../src/lib/db/queries/agents';
import { getEarliestFireAt } from '../../src/lib/db/queries/schedules';
import { sqliteStore } from '../../src/lib/db/store';
import { HEALTH_SCHEDULE_CRON, healthScheduleId, seedBuiltins } from '../../src/lib/health/seed';
import { Scheduler } from '../../src/lib/scheduling/scheduler';
import {
  deleteSchedule,
  findSchedule,
  getSchedule,
  listFirings,
  listSchedules,
  updateSchedule,
} from '../../src/lib/scheduling/schedules';
import { captureLogger, DbLauncher, finishRun, ManualClock } from '../helpers/scheduling';
import { createTestDb } from '../helpers/testDb';

const at = (iso: string) => Date.parse(iso);
const START = at('2026-12-01T09:20:00Z');

let handle: DbHandle;
let clock: ManualClock;
let launcher: DbLauncher;
let scheduler: Scheduler;

beforeEach(() => {
  handle = createTestDb();
  clock = new ManualClock(START);
  launcher = new DbLauncher(handle.db);
  scheduler = new Scheduler({
    store: sqliteStore(handle.db),
    launcher,
    logger: captureLogger().logger,
    clock,
  });
});
afterEach(() => handle.sqlite.close());

/** As the timer would: tick at each fire time up to `until`; every run ends before the next slot. */
async function runUntil(until: number): Promise<void> {
  for (
    let earliest = onSqlite(handle.db, (s) => getEarliestFireAt(s));
    earliest !== null && earliest <= until;
  ) {
    clock.time = Math.max(clock.time, earliest);
    for (const firing of await scheduler.tick())
      if (firing.executionId !== null) finishRun(handle.db, firing.executionId);
    earliest = onSqlite(handle.db, (s) => getEarliestFireAt(s));
  }
  clock.time = until;
}

async function healthSchedule() {
  const id = await healthScheduleId(sqliteStore(handle.db));
  if (id === null) throw new Error('the built-in schedule was not seeded');
  return onSqlite(handle.db, (s) => getSchedule(s, id));
}

describe('the System Health Reporter’s built-in schedule', () => {
  it('is seeded paused, hourly, on the cheapest current model, and never fires while paused', async () => {
    await seedBuiltins(sqliteStore(handle.db), START);
    const agent = runOnSqlite(getBuiltinAgent(sqliteStore(handle.db), SYSTEM_HEALTH_KEY));
    expect(agent?.model).toBe(cheapestCurrentModel(START));
    const schedule = await healthSchedule();
    expect(schedule).toMatchObject({
      agentId: agent?.id,
      cronExpression: HEALTH_SCHEDULE_CRON,
      enabled: false,
    });
    expect(schedule.nextRuns).toEqual([]);
    await await runUntil(at('2026-12-01T14:00:00Z'));
    expect(onSqlite(handle.db, (s) => listFirings(s, schedule.id, { limit: 100 })).items).toEqual([]);
    expect(launcher.admitted).toEqual([]);
  });

  it('once switched on, fires every hour on the hour, one run per slot', async () => {
    await seedBuiltins(sqliteStore(handle.db), START);
    const { id } = await healthSchedule();
    await updateSchedule(sqliteStore(handle.db), id, { enabled: true }, clock.now());
    await await runUntil(at('2026-12-01T13:30:00Z'));
    const firings = onSqlite(handle.db, (s) => listFirings(s, id, { limit: 100 })).items.reverse();
    expect(firings.map((f) => [new Date(f.scheduledFor ?? 0).toISOString(), f.outcome])).toEqual([
      ['2026-12-01T10:00:00.000Z', 'started'],
      ['2026-12-01T11:00:00.000Z', 'started'],
      ['2026-12-01T12:00:00.000Z', 'started'],
      ['2026-12-01T13:00:00.000Z', 'started'],
    ]);
    expect(launcher.admitted).toHaveLength(4);
  });

  it('is seeded once: a second start adds nothing, and one the user deleted stays deleted', async () => {
    await seedBuiltins(sqliteStore(handle.db), START);
    const first = (await healthSchedule()).id;
    await seedBuiltins(sqliteStore(handle.db), START + 1_000);
    expect((await healthSchedule()).id).toBe(first);
    onSqlite(handle.db, (s) => deleteSchedule(s, first, START + 2_000));
    await seedBuiltins(sqliteStore(handle.db), START + 3_000);
    expect(onSqlite(handle.db, (s) => findSchedule(s, first))).toBeNull();
    expect(onSqlite(handle.db, (s) => listSchedules(s, { limit: 100 })).items).toEqual([]);
  });
});
