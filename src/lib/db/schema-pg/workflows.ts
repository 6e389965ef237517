import { sql } from 'drizzle-orm';
import { foreignKey, index, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type {
  WorkflowDefinition,
  WorkflowInputValues,
  WorkflowRunStatus,
  WorkflowStepStatus,
  WorkflowStop,
  WorkflowTrigger,
} from '../../contracts/workflows';
import { int64, rowId } from './columns';
import { executions } from './executions';
import { schedules } from './schedules';

/** ../schema/workflows.ts in Postgres. Spend and budget in integer micro-dollars (bigint). */
export const workflows = pgTable(
  'workflows',
  {
    id: rowId('id'),
    name: text('name').notNull(),
    version: int64('version').notNull(),
    createdAt: int64('created_at').notNull(),
    updatedAt: int64('updated_at').notNull(),
    deletedAt: int64('deleted_at'),
  },
  (t) => [uniqueIndex('workflows_live_name_unique').on(t.name).where(sql`${t.deletedAt} is null`)],
);

export const workflowVersions = pgTable(
  'workflow_versions',
  {
    workflowId: int64('workflow_id')
      .notNull()
      .references(() => workflows.id, { onDelete: 'cascade' }),
    version: int64('version').notNull(),
    definition: jsonb('definition').$type<WorkflowDefinition>().notNull(),
    createdAt: int64('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workflowId, t.version] })],
);

export const workflowRuns = pgTable(
  'workflow_runs',
  {
    id: rowId('id'),
    workflowId: int64('workflow_id').notNull(),
    workflowVersion: int64('workflow_version').notNull(),
    status: text('status').$type<WorkflowRunStatus>().notNull(),
    stopping: text('stopping').$type<WorkflowStop>(),
    trigger: text('trigger').$type<WorkflowTrigger>().notNull(),
    scheduleId: int64('schedule_id').references(() => schedules.id, { onDelete: 'set null' }),
    input: jsonb('input').$type<WorkflowInputValues>().notNull(),
    spendMicros: int64('spend_micros').notNull().default(0),
    budgetMicros: int64('budget_micros'),
    createdAt: int64('created_at').notNull(),
    startedAt: int64('started_at'),
    finishedAt: int64('finished_at'),
    error: text('error'),
  },
  (t) => [
    foreignKey({
      // Named: the generated name is past Postgres' 63-byte identifiers, which would cut it.
      name: 'workflow_runs_workflow_version_fk',
      columns: [t.workflowId, t.workflowVersion],
      foreignColumns: [workflowVersions.workflowId, workflowVersions.version],
    }).onDelete('cascade'),
    index('workflow_runs_by_workflow_recent').on(t.workflowId, t.id),
    index('workflow_runs_by_status').on(t.status),
    index('workflow_runs_active_by_schedule')
      .on(t.scheduleId)
      .where(sql`${t.status} in ('queued', 'running')`),
  ],
);

export const workflowRunSteps = pgTable(
  'workflow_run_steps',
  {
    runId: int64('run_id')
      .notNull()
      .references(() => workflowRuns.id, { onDelete: 'cascade' }),
    stepKey: text('step_key').notNull(),
    status: text('status').$type<WorkflowStepStatus>().notNull(),
    executionId: int64('execution_id').references(() => executions.id, { onDelete: 'set null' }),
    reason: text('reason'),
    resultText: text('result_text'),
    output: jsonb('output').$type<unknown>(),
    missingValues: jsonb('missing_values').$type<string[]>().notNull().default([]),
    spendMicros: int64('spend_micros').notNull().default(0),
    startedAt: int64('started_at'),
    finishedAt: int64('finished_at'),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.stepKey] }),
    uniqueIndex('workflow_run_steps_by_execution').on(t.executionId),
  ],
);
