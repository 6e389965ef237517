import { runOnSqlite } from '@/lib/db/plan';
import { sqliteStore } from '@/lib/db/store';
import 'server-only';
import { SYSTEM_HEALTH_KEY } from '@/agents/system-health';
import type { Db } from '@/lib/db';
import { getBuiltinAgent } from '@/lib/db/queries/agents';
import { healthScheduleId } from '@/lib/health/seed';
import { findSchedule } from '@/lib/scheduling/schedules';

/** The health reporter and its built-in hourly schedule: what the Run now button and the switch act on. */
export function healthControls(db: Db): {
  reporter: { id: number; name: string } | null;
  schedule: { id: number; enabled: boolean } | null;
} {
  const reporter = runOnSqlite(getBuiltinAgent(sqliteStore(db), SYSTEM_HEALTH_KEY));
  const scheduleId = healthScheduleId(db);
  const schedule = scheduleId === null ? null : runOnSqlite(findSchedule(sqliteStore(db), scheduleId));
  return {
    reporter: reporter ? { id: reporter.id, name: reporter.name } : null,
    schedule: schedule ? { id: schedule.id, enabled: schedule.enabled } : null,
  };
}
