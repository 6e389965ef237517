import type { EditorAgent } from '@/components/features/workflows/workflowFormModel';
import type { Db } from '@/lib/db';
import { execute } from '@/lib/db/plan';
import { listAgents } from '@/lib/db/queries/agents';
import { type Store, sqliteStore } from '@/lib/db/store';
import { structuredOutputCheck } from '@/lib/workflows/definitions';

/** The live agents a step can pick, each with whether it answers with structured output. */
export async function editorAgents(db: Db): Promise<EditorAgent[]> {
  const store = sqliteStore(db);
  const structured = structuredOutputCheck(db);
  return (await execute(store, listAgents(store))).map((agent) => ({
    id: agent.id,
    name: agent.name,
    structured: structured(agent.id),
  }));
}

/** Agent names by id (live agents; a deleted one shows as `agent #id`). */
export async function agentNamesById(store: Store): Promise<Record<number, string>> {
  return Object.fromEntries((await execute(store, listAgents(store))).map((agent) => [agent.id, agent.name]));
}
