import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { FiringOutcome } from '../../contracts/schedules';
import { int64, rowId } from './columns';
import { executions } from './executions';
import { schedules } from './schedules';
import { workflowRuns } from './workflows';

/** ../schema/scheduleFirings.ts in Postgres. */
export const scheduleFirings = pgTable(
  'schedule_firings',
  {
    id: rowId('id'),
    scheduleId: int64('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    scheduledFor: int64('scheduled_for'),
    fireAt: int64('fire_at').notNull(),
    outcome: text('outcome').$type<FiringOutcome>().notNull(),
    executionId: int64('execution_id').references(() => executions.id, { onDelete: 'set null' }),
    workflowRunId: int64('workflow_run_id').references(() => workflowRuns.id, { onDelete: 'set null' }),
    reason: text('reason').notNull(),
    slotCount: int64('slot_count').notNull().default(1),
    createdAt: int64('created_at').notNull(),
  },
  (t) => [
    // NULLs are distinct in Postgres too (the default), so manual firings never collide.
    uniqueIndex('schedule_firings_one_per_slot').on(t.scheduleId, t.scheduledFor),
    index('schedule_firings_by_schedule_recent').on(t.scheduleId, t.id),
  ],
);
