import { assertAgentInputAllowed } from '@/lib/agents/agentInput';
import { createAgentSchema } from '@/lib/contracts/agents';
import { getDb } from '@/lib/db';
import { createAgent, listAgents } from '@/lib/db/queries/agents';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

export const GET = route({}, () => json({ items: listAgents(getDb()) }));

export const POST = route({ body: createAgentSchema }, ({ body }) => {
  const db = getDb();
  assertAgentInputAllowed(db, body);
  return json({ agent: createAgent(db, body) }, 201);
});
