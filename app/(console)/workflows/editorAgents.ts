import type { EditorAgent } from '@/components/features/workflows/workflowFormModel';
import { execute } from '@/lib/db/plan';
import { listAgents } from '@/lib/db/queries/agents';
import type { Store } from '@/lib/db/store';
import { structuredOutputCheck } from '@/lib/workflows/definitions';

/** The live agents a step can pick, each with whether it answers with structured output. */
export async function editorAgents(store: Store): Promise<EditorAgent[]> {
  const agents = await execute(store, listAgents(store));
  const structured = await structuredOutputCheck(
    store,
    agents.map((agent) => agent.id),
  );
  return agents.map((agent) => ({
    id: agent.id,
    name: agent.name,
    structured: structured(agent.id),
  }));
}

/** Agent names by id (live agents; a deleted one shows as `agent #id`). */
export async function agentNamesById(store: Store): Promise<Record<number, string>> {
  return Object.fromEntries((await execute(store, listAgents(store))).map((agent) => [agent.id, agent.name]));
}
