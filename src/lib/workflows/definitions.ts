import { agentReturnsStructuredOutput, outputJsonSchemaOf } from '../../agents/structuredOutput';
import type { UpdateWorkflowInput, WorkflowDefinition, WorkflowDto } from '../contracts/workflows';
import { assertNoIssues, conflict, notFound } from '../core/errors';
import { execute, type Plan, transaction } from '../db/plan';
import { getAgentById } from '../db/queries/agents';
import {
  getWorkflow,
  insertWorkflow,
  insertWorkflowVersion,
  isWorkflowNameTaken,
} from '../db/queries/workflows';
import type { AgentConfiguration } from '../db/schema';
import type { Store } from '../db/store';
import { workflowIssues } from './validate';

/**
 * Whether an agent returns structured output, so `{{steps.x.output.…}}` can have a value. By
 * default the stored agent says (src/agents/structuredOutput.ts); tests name their own.
 */
export type StructuredOutputCheck = (agentId: number) => boolean;

/** These agents' rows, the live ones only, read once so the synchronous checks can look them up. */
function* liveAgentsById(store: Store, agentIds: Iterable<number>): Plan<Map<number, AgentConfiguration>> {
  const agents = new Map<number, AgentConfiguration>();
  for (const agentId of new Set(agentIds)) {
    const agent = yield* getAgentById(store, agentId);
    if (agent) agents.set(agentId, agent);
  }
  return agents;
}

const structuredAmong =
  (agents: ReadonlyMap<number, AgentConfiguration>): StructuredOutputCheck =>
  (agentId) => {
    const agent = agents.get(agentId);
    return agent !== undefined && agentReturnsStructuredOutput(agent);
  };

/** Which of these agents return structured output (the editor marks them). */
export async function structuredOutputCheck(
  store: Store,
  agentIds: readonly number[],
): Promise<StructuredOutputCheck> {
  return structuredAmong(await execute(store, liveAgentsById(store, agentIds)));
}

/** The checks of validate.ts against the live agents, then the name: nothing is saved while one fails. */
async function assertSavable(
  store: Store,
  definition: WorkflowDefinition,
  hasStructuredOutput: StructuredOutputCheck | undefined,
  workflowId?: number,
): Promise<void> {
  const agents = await execute(
    store,
    liveAgentsById(
      store,
      definition.steps.map((step) => step.agentId),
    ),
  );
  assertNoIssues(
    workflowIssues(definition, {
      liveAgentIds: new Set(agents.keys()),
      hasStructuredOutput: hasStructuredOutput ?? structuredAmong(agents),
      outputShape: (agentId) => {
        const agent = agents.get(agentId);
        return agent ? outputJsonSchemaOf(agent) : null;
      },
    }),
  );
  if (await execute(store, isWorkflowNameTaken(store, definition.name, workflowId))) {
    throw conflict(`A workflow named "${definition.name}" already exists`, 'name');
  }
}

export async function createWorkflow(
  store: Store,
  definition: WorkflowDefinition,
  hasStructuredOutput?: StructuredOutputCheck,
  now = Date.now(),
): Promise<WorkflowDto> {
  await assertSavable(store, definition, hasStructuredOutput);
  return transaction(store, (tx) => insertWorkflow(tx, definition, now));
}

/** The fields given replace the current ones, the whole is checked again, and saved as a new version. */
export async function updateWorkflow(
  store: Store,
  id: number,
  patch: UpdateWorkflowInput,
  hasStructuredOutput?: StructuredOutputCheck,
  now = Date.now(),
): Promise<WorkflowDto> {
  const current = await execute(store, getWorkflow(store, id));
  if (!current) throw notFound('Workflow');
  const { id: _id, version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...definition } = current;
  const next: WorkflowDefinition = { ...definition, ...patch };
  await assertSavable(store, next, hasStructuredOutput, id);
  const saved = await transaction(store, (tx) => insertWorkflowVersion(tx, id, next, now));
  if (!saved) throw notFound('Workflow');
  return saved;
}
