import { SYSTEM_HEALTH_KEY, systemHealthAgent } from '../../agents/system-health';
import type { Db } from '../db/index';
import { runOnSqlite } from '../db/plan';
import { createAgent, getBuiltinAgent, hasBuiltinAgent } from '../db/queries/agents';
import { getSetting, putSetting } from '../db/queries/settings';
import { sqliteStore } from '../db/store';
import { createSchedule } from '../scheduling/schedules';

/** Where the id of the health reporter's built-in schedule is kept, once it was seeded. */
export const HEALTH_SCHEDULE_SETTING = 'builtins.healthSchedule';

/** Hourly, on the hour. */
export const HEALTH_SCHEDULE_CRON = '0 * * * *';

/**
 * Seeds the built-ins once: the System Health Reporter, and its hourly schedule, paused (a run
 * costs money; the dashboard has one switch to turn it on). Whatever the user deletes stays deleted.
 */
export function seedBuiltins(db: Db, now: number = Date.now()): void {
  if (!runOnSqlite(hasBuiltinAgent(sqliteStore(db), SYSTEM_HEALTH_KEY)))
    runOnSqlite(createAgent(sqliteStore(db), systemHealthAgent(now), SYSTEM_HEALTH_KEY));
  if (runOnSqlite(getSetting(sqliteStore(db), HEALTH_SCHEDULE_SETTING)) !== undefined) return;
  const agent = runOnSqlite(getBuiltinAgent(sqliteStore(db), SYSTEM_HEALTH_KEY));
  if (!agent) return;
  const schedule = createSchedule(
    db,
    {
      agentId: agent.id,
      name: 'System health, hourly',
      cronExpression: HEALTH_SCHEDULE_CRON,
      enabled: false,
    },
    now,
  );
  runOnSqlite(putSetting(sqliteStore(db), HEALTH_SCHEDULE_SETTING, schedule.id));
}

/** The health reporter's built-in schedule, unless it was never seeded or was deleted. */
export function healthScheduleId(db: Db): number | null {
  const id = runOnSqlite(getSetting(sqliteStore(db), HEALTH_SCHEDULE_SETTING));
  return typeof id === 'number' ? id : null;
}
