import { SYSTEM_HEALTH_KEY, systemHealthAgent } from '../../agents/system-health';
import { SCHEDULE_DEFAULTS } from '../contracts/schedules';
import { execute, transaction } from '../db/plan';
import { createAgent, getBuiltinAgent, hasBuiltinAgent } from '../db/queries/agents';
import { insertSchedule } from '../db/queries/schedules';
import { getSetting, putSetting } from '../db/queries/settings';
import type { Store } from '../db/store';
import { localTimeZone } from '../scheduling/cron';

/** Where the id of the health reporter's built-in schedule is kept, once it was seeded. */
export const HEALTH_SCHEDULE_SETTING = 'builtins.healthSchedule';

/** Hourly, on the hour. */
export const HEALTH_SCHEDULE_CRON = '0 * * * *';

/**
 * Seeds the built-ins once, in one transaction: the System Health Reporter, and its hourly
 * schedule, paused (a run costs money; the dashboard has one switch to turn it on). Whatever the
 * user deletes stays deleted. The schedule is inserted as it is (no fire time: it is paused);
 * enabling it computes its next slot as any schedule's update does.
 */
export async function seedBuiltins(store: Store, now: number = Date.now()): Promise<void> {
  await transaction(store, function* (tx) {
    if (!(yield* hasBuiltinAgent(tx, SYSTEM_HEALTH_KEY)))
      yield* createAgent(tx, systemHealthAgent(now), SYSTEM_HEALTH_KEY);
    if ((yield* getSetting(tx, HEALTH_SCHEDULE_SETTING)) !== undefined) return;
    const agent = yield* getBuiltinAgent(tx, SYSTEM_HEALTH_KEY);
    if (!agent) return;
    const schedule = yield* insertSchedule(tx, {
      ...SCHEDULE_DEFAULTS,
      agentId: agent.id,
      name: 'System health, hourly',
      cronExpression: HEALTH_SCHEDULE_CRON,
      enabled: false,
      timezone: localTimeZone(),
      createdAt: now,
      updatedAt: now,
    });
    yield* putSetting(tx, HEALTH_SCHEDULE_SETTING, schedule.id);
  });
}

/** The health reporter's built-in schedule, unless it was never seeded or was deleted. */
export async function healthScheduleId(store: Store): Promise<number | null> {
  const id = await execute(store, getSetting(store, HEALTH_SCHEDULE_SETTING));
  return typeof id === 'number' ? id : null;
}
