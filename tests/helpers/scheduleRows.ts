// Schedules and what they fired, on a dialect test's store (tests/dialects): rows as the
// scheduler reads and writes them.
import { eq } from 'drizzle-orm';
import { execute } from '../../src/lib/db/plan';
import { insertSchedule, listFiringsOfSchedule } from '../../src/lib/db/queries/schedules';
import type { NewSchedule } from '../../src/lib/db/schema';
import type { Store } from '../../src/lib/db/store';
import { insertAgent } from './stores';

/** A schedule of a new agent (unless `fields` names the target), every five minutes, due at `due`. */
export async function addScheduleRow(
  store: Store,
  due: number,
  fields: Partial<NewSchedule> = {},
): Promise<number> {
  const agentId = 'agentId' in fields ? fields.agentId : await insertAgent(store, `agent-${Math.random()}`);
  const row = await execute(
    store,
    insertSchedule(store, {
      agentId,
      cronExpression: '*/5 * * * *',
      nextRunAt: due,
      nextFireAt: due,
      createdAt: due,
      updatedAt: due,
      ...fields,
    }),
  );
  return row.id;
}

/** The schedule's history, oldest slot first. */
export async function scheduleHistory(store: Store, scheduleId: number) {
  const rows = await execute(store, listFiringsOfSchedule(store, scheduleId, { limit: 100_000 }));
  return rows.reverse();
}

/** The runs the schedule started, oldest first. */
export async function runsOfSchedule({ db, t }: Store, scheduleId: number) {
  return db
    .select()
    .from(t.executions)
    .where(eq(t.executions.scheduleId, scheduleId))
    .orderBy(t.executions.id);
}
