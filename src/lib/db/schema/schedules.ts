import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { CatchUpPolicy, OverlapPolicy } from '../../contracts/schedules';
import type { WorkflowInputValues } from '../../contracts/workflows';
import { agentConfigurations } from './agents';

/** Cron schedules that start agent runs or workflow runs unattended: exactly one of the two targets. */
export const schedules = sqliteTable(
  'schedules',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The agent it runs; null when it runs a workflow. */
    agentId: integer('agent_id').references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    /**
     * The workflow it runs; null when it runs an agent. No foreign key: the workflows schema already
     * points here (a run's schedule), and a cycle of schema modules is refused. Workflows are only
     * ever soft-deleted, which deletes their schedules (and the scheduler checks again when it claims).
     */
    workflowId: integer('workflow_id'),
    /** The workflow run's input values; null for an agent, or a workflow without inputs. */
    workflowInput: text('workflow_input', { mode: 'json' }).$type<WorkflowInputValues>(),
    name: text('name').notNull().default(''),
    cronExpression: text('cron_expression').notNull(),
    /**
     * An IANA zone, always written by the code (the server's zone when none was given). The 'UTC'
     * default predates schedules and is never relied on: dropping it makes drizzle-kit rebuild the table.
     */
    timezone: text('timezone').notNull().default('UTC'),
    /** Overrides the agent's default prompt; null to use it (an agent target only). */
    prompt: text('prompt'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    overlapPolicy: text('overlap_policy').$type<OverlapPolicy>().notNull().default('skip'),
    catchUp: text('catch_up').$type<CatchUpPolicy>().notNull().default('skip'),
    catchUpWindowSeconds: integer('catch_up_window_seconds').notNull().default(3_600),
    jitterSeconds: integer('jitter_seconds').notNull().default(0),
    /** How long its runs' tool calls wait for a person; null: the agent's own setting. */
    approvalTimeoutMinutes: integer('approval_timeout_minutes'),
    /** The next slot to consider (a cron time, epoch ms); null while paused. */
    nextRunAt: integer('next_run_at'),
    /** When that slot is due: next_run_at plus its jitter. The timer and the due query read this. */
    nextFireAt: integer('next_fire_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** Soft delete: a deleted schedule's firings and runs stay in the history. */
    deletedAt: integer('deleted_at'),
  },
  (t) => [
    // The tick's "due now" read and the timer's "earliest due" read: a range on the last column.
    index('schedules_due').on(t.enabled, t.deletedAt, t.nextFireAt),
    index('schedules_by_agent').on(t.agentId),
    index('schedules_by_workflow').on(t.workflowId),
    // Unqualified names: drizzle-kit would qualify them with the temporary table of a rebuild.
    check('schedules_one_target', sql`(agent_id is null) <> (workflow_id is null)`),
  ],
);

export type Schedule = typeof schedules.$inferSelect;
export type NewSchedule = typeof schedules.$inferInsert;
