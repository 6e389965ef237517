import { and, asc, eq, isNull } from 'drizzle-orm';
import {
  type WorkflowDefinition,
  type WorkflowDto,
  type WorkflowSummaryDto,
  workflowDefinitionSchema,
} from '../../contracts/workflows';
import type { Db } from '../index';
import { runOnSqlite } from '../plan';
import { insertedRow } from '../returning';
import { type Workflow, workflows, workflowVersions } from '../schema';
import { sqliteStore } from '../store';
import { softDeleteSchedulesOfWorkflow } from './schedules';

const live = isNull(workflows.deletedAt);
const currentVersion = and(
  eq(workflowVersions.workflowId, workflows.id),
  eq(workflowVersions.version, workflows.version),
);

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

export function listWorkflows(db: Db): WorkflowSummaryDto[] {
  return db
    .select({ workflow: workflows, definition: workflowVersions.definition })
    .from(workflows)
    .innerJoin(workflowVersions, currentVersion)
    .where(live)
    .orderBy(asc(workflows.name))
    .all()
    .map(({ workflow, definition }) => ({
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
export function getWorkflow(db: Db, id: number): WorkflowDto | undefined {
  const row = db
    .select({ workflow: workflows, definition: workflowVersions.definition })
    .from(workflows)
    .innerJoin(workflowVersions, currentVersion)
    .where(and(eq(workflows.id, id), live))
    .get();
  return row && toWorkflowDto(row.workflow, row.definition);
}

/** Any saved version, of a deleted workflow too: what a run ran. */
export function getWorkflowVersion(
  db: Db,
  workflowId: number,
  version: number,
): WorkflowDefinition | undefined {
  const row = db
    .select({ definition: workflowVersions.definition })
    .from(workflowVersions)
    .where(and(eq(workflowVersions.workflowId, workflowId), eq(workflowVersions.version, version)))
    .get();
  return row && readDefinition(row.definition);
}

export function isWorkflowNameTaken(db: Db, name: string, exceptId?: number): boolean {
  const row = db
    .select({ id: workflows.id })
    .from(workflows)
    .where(and(eq(workflows.name, name), live))
    .get();
  return row !== undefined && row.id !== exceptId;
}

/** A new workflow at version 1. The definition must have passed the save-time checks. */
export function insertWorkflow(db: Db, definition: WorkflowDefinition, now: number): WorkflowDto {
  return db.transaction(() => {
    const row = insertedRow(
      db
        .insert(workflows)
        .values({ name: definition.name, version: 1, createdAt: now, updatedAt: now })
        .returning()
        .all(),
    );
    db.insert(workflowVersions).values({ workflowId: row.id, version: 1, definition, createdAt: now }).run();
    return toWorkflowDto(row, definition);
  });
}

/** Saves the definition as the next version; runs under way keep theirs. */
export function insertWorkflowVersion(
  db: Db,
  id: number,
  definition: WorkflowDefinition,
  now: number,
): WorkflowDto | undefined {
  return db.transaction(() => {
    const row = db
      .select({ version: workflows.version })
      .from(workflows)
      .where(and(eq(workflows.id, id), live))
      .get();
    if (!row) return undefined;
    const version = row.version + 1;
    db.insert(workflowVersions).values({ workflowId: id, version, definition, createdAt: now }).run();
    const updated = insertedRow(
      db
        .update(workflows)
        .set({ name: definition.name, version, updatedAt: now })
        .where(eq(workflows.id, id))
        .returning()
        .all(),
    );
    return toWorkflowDto(updated, definition);
  });
}

/** Soft delete: its runs stay in the history; its schedules are deleted with it. */
export function softDeleteWorkflow(db: Db, id: number, now: number): boolean {
  return db.transaction(() => {
    const result = db
      .update(workflows)
      .set({ deletedAt: now })
      .where(and(eq(workflows.id, id), live))
      .run();
    if (result.changes === 0) return false;
    runOnSqlite(softDeleteSchedulesOfWorkflow(sqliteStore(db), id, now));
    return true;
  });
}
