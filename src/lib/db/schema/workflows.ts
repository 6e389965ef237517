import { sql } from 'drizzle-orm';
import {
  foreignKey,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import type {
  WorkflowDefinition,
  WorkflowInputValues,
  WorkflowRunStatus,
  WorkflowStepStatus,
  WorkflowStop,
  WorkflowTrigger,
} from '../../contracts/workflows';
import { executions } from './executions';
import { schedules } from './schedules';

/** A workflow's identity; its definition lives in versions, so past runs keep the one they ran. */
export const workflows = sqliteTable(
  'workflows',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The current version's name, here for the list and the unique index. */
    name: text('name').notNull(),
    /** The current version. */
    version: integer('version').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** Soft delete: its runs keep their definition and stay in the history. */
    deletedAt: integer('deleted_at'),
  },
  (t) => [uniqueIndex('workflows_live_name_unique').on(t.name).where(sql`${t.deletedAt} is null`)],
);

export type Workflow = typeof workflows.$inferSelect;

/**
 * One saved definition of a workflow, never changed once written. The definition is the validated
 * JSON, not normalized rows: it is always read and checked whole (a graph), nothing queries inside
 * it, and a version is a snapshot that a normalized form would have to copy row by row.
 */
export const workflowVersions = sqliteTable(
  'workflow_versions',
  {
    workflowId: integer('workflow_id')
      .notNull()
      .references(() => workflows.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    definition: text('definition', { mode: 'json' }).$type<WorkflowDefinition>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workflowId, t.version] })],
);

export type WorkflowVersion = typeof workflowVersions.$inferSelect;

/** One run of a workflow. Spend and budget in micro-dollars. */
export const workflowRuns = sqliteTable(
  'workflow_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workflowId: integer('workflow_id').notNull(),
    workflowVersion: integer('workflow_version').notNull(),
    status: text('status').$type<WorkflowRunStatus>().notNull(),
    /** A stop was asked (cancel, budget): the run ends with this status once its stopped steps ended. */
    stopping: text('stopping').$type<WorkflowStop>(),
    trigger: text('trigger').$type<WorkflowTrigger>().notNull(),
    scheduleId: integer('schedule_id').references(() => schedules.id, { onDelete: 'set null' }),
    /** The input values, defaults filled in. */
    input: text('input', { mode: 'json' }).$type<WorkflowInputValues>().notNull(),
    /** The sum of the steps' spend, moved with each of them. */
    spendMicros: integer('spend_micros').notNull().default(0),
    /** The workflow's maxCostUsd when the run started; null for none. */
    budgetMicros: integer('budget_micros'),
    createdAt: integer('created_at').notNull(),
    /** When its first step started running. */
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    error: text('error'),
  },
  (t) => [
    foreignKey({
      columns: [t.workflowId, t.workflowVersion],
      foreignColumns: [workflowVersions.workflowId, workflowVersions.version],
    }).onDelete('cascade'),
    // A workflow's runs, newest first: ids follow in each entry, so the page reads them without a sort.
    index('workflow_runs_by_workflow_recent').on(t.workflowId, t.id),
    // Resume at start-up reads the unfinished runs.
    index('workflow_runs_by_status').on(t.status),
    // A schedule's overlap policy: its runs still queued or running (partial, so history costs nothing).
    index('workflow_runs_active_by_schedule')
      .on(t.scheduleId)
      .where(sql`${t.status} in ('queued', 'running')`),
  ],
);

export type WorkflowRun = typeof workflowRuns.$inferSelect;

/** A step of a workflow run: one row per step of the definition, from the run's start. */
export const workflowRunSteps = sqliteTable(
  'workflow_run_steps',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => workflowRuns.id, { onDelete: 'cascade' }),
    stepKey: text('step_key').notNull(),
    status: text('status').$type<WorkflowStepStatus>().notNull(),
    /** Set in the same transaction that queues the step, and never replaced: no step runs twice. */
    executionId: integer('execution_id').references(() => executions.id, { onDelete: 'set null' }),
    /** Why it was skipped, or why it ended without a run of its own, in words. */
    reason: text('reason'),
    resultText: text('result_text'),
    /** The structured output of its agent, when it has one. */
    output: text('output', { mode: 'json' }).$type<unknown>(),
    /** Template references that had no value when its prompt was rendered. */
    missingValues: text('missing_values', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Its execution's spend so far, live. */
    spendMicros: integer('spend_micros').notNull().default(0),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.stepKey] }),
    // The engine's events name an execution: find its step.
    uniqueIndex('workflow_run_steps_by_execution').on(t.executionId),
  ],
);

export type WorkflowRunStep = typeof workflowRunSteps.$inferSelect;
