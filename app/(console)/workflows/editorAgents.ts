import type { EditorAgent } from '@/components/features/workflows/workflowFormModel';
import type { Db } from '@/lib/db';
import { listAgents } from '@/lib/db/queries/agents';
import { structuredOutputCheck } from '@/lib/workflows/definitions';

/** The live agents a step can pick, each with whether it answers with structured output. */
export function editorAgents(db: Db): EditorAgent[] {
  const structured = structuredOutputCheck(db);
  return listAgents(db).map((agent) => ({
    id: agent.id,
    name: agent.name,
    structured: structured(agent.id),
  }));
}

/** Agent names by id (live agents; a deleted one shows as `agent #id`). */
export function agentNamesById(db: Db): Record<number, string> {
  return Object.fromEntries(listAgents(db).map((agent) => [agent.id, agent.name]));
}
