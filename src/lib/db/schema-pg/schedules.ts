import { sql } from 'drizzle-orm';
import { boolean, check, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { CatchUpPolicy, OverlapPolicy } from '../../contracts/schedules';
import type { WorkflowInputValues } from '../../contracts/workflows';
import { agentConfigurations } from './agents';
import { int64, rowId } from './columns';

/** ../schema/schedules.ts in Postgres: exactly one of the two targets, as there. */
export const schedules = pgTable(
  'schedules',
  {
    id: rowId('id'),
    agentId: int64('agent_id').references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    workflowId: int64('workflow_id'),
    workflowInput: jsonb('workflow_input').$type<WorkflowInputValues>(),
    name: text('name').notNull().default(''),
    cronExpression: text('cron_expression').notNull(),
    timezone: text('timezone').notNull().default('UTC'),
    prompt: text('prompt'),
    enabled: boolean('enabled').notNull().default(true),
    overlapPolicy: text('overlap_policy').$type<OverlapPolicy>().notNull().default('skip'),
    catchUp: text('catch_up').$type<CatchUpPolicy>().notNull().default('skip'),
    catchUpWindowSeconds: int64('catch_up_window_seconds').notNull().default(3_600),
    jitterSeconds: int64('jitter_seconds').notNull().default(0),
    approvalTimeoutMinutes: int64('approval_timeout_minutes'),
    nextRunAt: int64('next_run_at'),
    nextFireAt: int64('next_fire_at'),
    createdAt: int64('created_at').notNull(),
    updatedAt: int64('updated_at').notNull(),
    deletedAt: int64('deleted_at'),
  },
  (t) => [
    index('schedules_due').on(t.enabled, t.deletedAt, t.nextFireAt),
    index('schedules_by_agent').on(t.agentId),
    index('schedules_by_workflow').on(t.workflowId),
    check('schedules_one_target', sql`(agent_id is null) <> (workflow_id is null)`),
  ],
);
