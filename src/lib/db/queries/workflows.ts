import { and, asc, eq, isNull } from 'drizzle-orm';
import {
  type WorkflowDefinition,
  type WorkflowDto,
  type WorkflowSummaryDto,
  workflowDefinitionSchema,
} from '../../contracts/workflows';
import { changesOf, firstOf, type Plan, rowsOf } from '../plan';
import { insertedRow } from '../returning';
import type { Workflow } from '../schema';
import type { Store, Tables } from '../store';
import { softDeleteSchedulesOfWorkflow } from './schedules';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres, inside a transaction or not.

const live = (t: Tables) => isNull(t.workflows.deletedAt);
const currentVersion = ({ workflows, workflowVersions }: Tables) =>
  and(eq(workflowVersions.workflowId, workflows.id), eq(workflowVersions.version, workflows.version));

/** Stored definitions were validated when saved; parsing again fills defaults added since. */
const readDefinition = (stored: WorkflowDefinition): WorkflowDefinition =>
  workflowDefinitionSchema.parse(stored);

function toWorkflowDto(row: Workflow, definition: WorkflowDefinition): WorkflowDto {
  return {
    ...readDefinition(definition),
    id: row.id,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Live workflows by name (a name is unique among them), each with its current definition. */
export function* listWorkflows({ db, t }: Store): Plan<WorkflowSummaryDto[]> {
  const rows = yield* rowsOf(
    db
      .select({ workflow: t.workflows, definition: t.workflowVersions.definition })
      .from(t.workflows)
      .innerJoin(t.workflowVersions, currentVersion(t))
      .where(live(t))
      .orderBy(asc(t.workflows.name)),
  );
  return rows.map(({ workflow, definition }) => ({
    id: workflow.id,
    name: workflow.name,
    description: definition.description,
    version: workflow.version,
    stepCount: definition.steps.length,
    maxCostUsd: definition.maxCostUsd,
    updatedAt: workflow.updatedAt,
  }));
}

/** A live workflow with its current definition. */
export function* getWorkflow({ db, t }: Store, id: number): Plan<WorkflowDto | undefined> {
  const row = yield* firstOf(
    db
      .select({ workflow: t.workflows, definition: t.workflowVersions.definition })
      .from(t.workflows)
      .innerJoin(t.workflowVersions, currentVersion(t))
      .where(and(eq(t.workflows.id, id), live(t))),
  );
  return row && toWorkflowDto(row.workflow, row.definition);
}

/** Any saved version, of a deleted workflow too: what a run ran. */
export function* getWorkflowVersion(
  { db, t }: Store,
  workflowId: number,
  version: number,
): Plan<WorkflowDefinition | undefined> {
  const versions = t.workflowVersions;
  const row = yield* firstOf(
    db
      .select({ definition: versions.definition })
      .from(versions)
      .where(and(eq(versions.workflowId, workflowId), eq(versions.version, version))),
  );
  return row && readDefinition(row.definition);
}

export function* isWorkflowNameTaken({ db, t }: Store, name: string, exceptId?: number): Plan<boolean> {
  const row = yield* firstOf(
    db
      .select({ id: t.workflows.id })
      .from(t.workflows)
      .where(and(eq(t.workflows.name, name), live(t))),
  );
  return row !== undefined && row.id !== exceptId;
}

/**
 * A new workflow at version 1: two inserts, run it in a transaction. The definition must have
 * passed the save-time checks.
 */
export function* insertWorkflow(
  { db, t }: Store,
  definition: WorkflowDefinition,
  now: number,
): Plan<WorkflowDto> {
  const row = insertedRow(
    yield* rowsOf(
      db
        .insert(t.workflows)
        .values({ name: definition.name, version: 1, createdAt: now, updatedAt: now })
        .returning(),
    ),
  );
  yield* changesOf(
    db.insert(t.workflowVersions).values({ workflowId: row.id, version: 1, definition, createdAt: now }),
  );
  return toWorkflowDto(row, definition);
}

/** Saves the definition as the next version (runs under way keep theirs): run it in a transaction. */
export function* insertWorkflowVersion(
  { db, t }: Store,
  id: number,
  definition: WorkflowDefinition,
  now: number,
): Plan<WorkflowDto | undefined> {
  const row = yield* firstOf(
    db
      .select({ version: t.workflows.version })
      .from(t.workflows)
      .where(and(eq(t.workflows.id, id), live(t))),
  );
  if (!row) return undefined;
  const version = row.version + 1;
  yield* changesOf(
    db.insert(t.workflowVersions).values({ workflowId: id, version, definition, createdAt: now }),
  );
  const updated = insertedRow(
    yield* rowsOf(
      db
        .update(t.workflows)
        .set({ name: definition.name, version, updatedAt: now })
        .where(eq(t.workflows.id, id))
        .returning(),
    ),
  );
  return toWorkflowDto(updated, definition);
}

/** Soft delete: its runs stay in the history; its schedules are deleted with it. Run it in a transaction. */
export function* softDeleteWorkflow(store: Store, id: number, now: number): Plan<boolean> {
  const { db, t } = store;
  const deleted = yield* changesOf(
    db
      .update(t.workflows)
      .set({ deletedAt: now })
      .where(and(eq(t.workflows.id, id), live(t))),
  );
  if (deleted === 0) return false;
  yield* softDeleteSchedulesOfWorkflow(store, id, now);
  return true;
}
