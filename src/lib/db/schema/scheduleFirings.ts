import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { FiringOutcome } from '../../contracts/schedules';
import { executions } from './executions';
import { schedules } from './schedules';
import { workflowRuns } from './workflows';

/**
 * Every slot the scheduler considered, and every manual "run now", with what became of it. Written
 * in the transaction that advances the schedule (and inserts the run, when one starts), so a slot
 * can never be fired twice: the unique key would refuse the second row.
 */
export const scheduleFirings = sqliteTable(
  'schedule_firings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    scheduleId: integer('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    /** The cron slot (epoch ms); null for a manual "run now", which belongs to no slot. */
    scheduledFor: integer('scheduled_for'),
    /** The slot plus its jitter (when it fired or was due to), or the moment of a manual run. */
    fireAt: integer('fire_at').notNull(),
    outcome: text('outcome').$type<FiringOutcome>().notNull(),
    /** The run it started, for an agent target. */
    executionId: integer('execution_id').references(() => executions.id, { onDelete: 'set null' }),
    /** The workflow run it started, for a workflow target. */
    workflowRunId: integer('workflow_run_id').references(() => workflowRuns.id, { onDelete: 'set null' }),
    /** What happened, in words. */
    reason: text('reason').notNull(),
    /** 1, or how many missed slots an overflow row stands for (see scheduling/slotPlan.ts). */
    slotCount: integer('slot_count').notNull().default(1),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    // NULLs are distinct in SQLite, so manual firings never collide with each other or with a slot.
    uniqueIndex('schedule_firings_one_per_slot').on(t.scheduleId, t.scheduledFor),
    // A schedule's history newest first, and the dashboard's "last firing of each schedule".
    index('schedule_firings_by_schedule_recent').on(t.scheduleId, t.id),
  ],
);

export type ScheduleFiring = typeof scheduleFirings.$inferSelect;
export type NewScheduleFiring = typeof scheduleFirings.$inferInsert;
