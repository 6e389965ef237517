import { agentReturnsStructuredOutput, outputJsonSchemaOf } from '../../agents/structuredOutput';
import type { UpdateWorkflowInput, WorkflowDefinition, WorkflowDto } from '../contracts/workflows';
import { assertNoIssues, conflict, notFound } from '../core/errors';
import type { Db } from '../db';
import { onSqlite, runOnSqlite, transactionOnSqlite } from '../db/plan';
import { getAgentById, listLiveAgentIds } from '../db/queries/agents';
import {
  getWorkflow,
  insertWorkflow,
  insertWorkflowVersion,
  isWorkflowNameTaken,
} from '../db/queries/workflows';
import { sqliteStore } from '../db/store';
import { type OutputShape, workflowIssues } from './validate';

/** Whether an agent returns structured output, so `{{steps.x.output.…}}` can have a value. */
export type StructuredOutputCheck = (agentId: number) => boolean;

/** The check against the stored agents (which ones answer with an object: src/agents/structuredOutput.ts). */
export function structuredOutputCheck(db: Db): StructuredOutputCheck {
  return (agentId) => {
    const agent = runOnSqlite(getAgentById(sqliteStore(db), agentId));
    return agent !== undefined && agentReturnsStructuredOutput(agent);
  };
}

/** The checks of validate.ts against the live agents, then the name: nothing is saved while one fails. */
function assertSavable(
  db: Db,
  definition: WorkflowDefinition,
  hasStructuredOutput: StructuredOutputCheck,
  workflowId?: number,
): void {
  const outputShape = (agentId: number): OutputShape | null => {
    const agent = runOnSqlite(getAgentById(sqliteStore(db), agentId));
    return agent ? outputJsonSchemaOf(agent) : null;
  };
  assertNoIssues(
    workflowIssues(definition, {
      liveAgentIds: runOnSqlite(listLiveAgentIds(sqliteStore(db))),
      hasStructuredOutput,
      outputShape,
    }),
  );
  if (onSqlite(db, (s) => isWorkflowNameTaken(s, definition.name, workflowId))) {
    throw conflict(`A workflow named "${definition.name}" already exists`, 'name');
  }
}

export function createWorkflow(
  db: Db,
  definition: WorkflowDefinition,
  hasStructuredOutput: StructuredOutputCheck,
  now = Date.now(),
): WorkflowDto {
  assertSavable(db, definition, hasStructuredOutput);
  return transactionOnSqlite(db, (tx) => insertWorkflow(tx, definition, now));
}

/** The fields given replace the current ones, the whole is checked again, and saved as a new version. */
export function updateWorkflow(
  db: Db,
  id: number,
  patch: UpdateWorkflowInput,
  hasStructuredOutput: StructuredOutputCheck,
  now = Date.now(),
): WorkflowDto {
  const current = onSqlite(db, (s) => getWorkflow(s, id));
  if (!current) throw notFound('Workflow');
  const { id: _id, version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...definition } = current;
  const next: WorkflowDefinition = { ...definition, ...patch };
  assertSavable(db, next, hasStructuredOutput, id);
  const saved = transactionOnSqlite(db, (tx) => insertWorkflowVersion(tx, id, next, now));
  if (!saved) throw notFound('Workflow');
  return saved;
}
