import 'server-only';
import { SYSTEM_HEALTH_KEY } from '@/agents/system-health';
import { execute } from '@/lib/db/plan';
import { getBuiltinAgent } from '@/lib/db/queries/agents';
import type { Store } from '@/lib/db/store';
import { healthScheduleId } from '@/lib/health/seed';
import { findSchedule } from '@/lib/scheduling/schedules';

/** The health reporter and its built-in hourly schedule: what the Run now button and the switch act on. */
export async function healthControls(store: Store): Promise<{
  reporter: { id: number; name: string } | null;
  schedule: { id: number; enabled: boolean } | null;
}> {
  const reporter = await execute(store, getBuiltinAgent(store, SYSTEM_HEALTH_KEY));
  const scheduleId = await healthScheduleId(store);
  const schedule = scheduleId === null ? null : await execute(store, findSchedule(store, scheduleId));
  return {
    reporter: reporter ? { id: reporter.id, name: reporter.name } : null,
    schedule: schedule ? { id: schedule.id, enabled: schedule.enabled } : null,
  };
}
