import { assertAgentInputAllowed } from '@/lib/agents/agentInput';
import { agentListResponseSchema, agentResponseSchema, createAgentSchema } from '@/lib/contracts/agents';
import { getDb } from '@/lib/db';
import { createAgent, listAgents } from '@/lib/db/queries/agents';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

export const GET = route({ doc: { summary: 'List the agents', response: agentListResponseSchema } }, () =>
  json({ items: listAgents(getDb()) }),
);

export const POST = route(
  {
    body: createAgentSchema,
    doc: { summary: 'Create an agent', status: 201, response: agentResponseSchema, errors: [409] },
  },
  ({ body }) => {
    const db = getDb();
    assertAgentInputAllowed(db, body);
    return json({ agent: createAgent(db, body) }, 201);
  },
);
