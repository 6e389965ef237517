import { assertAgentInputAllowed } from '@/lib/agents/agentInput';
import { agentListResponseSchema, agentResponseSchema, createAgentSchema } from '@/lib/contracts/agents';
import { execute } from '@/lib/db/plan';
import { createAgent, listAgents } from '@/lib/db/queries/agents';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

export const GET = route(
  { doc: { summary: 'List the agents', response: agentListResponseSchema } },
  async () => {
    const store = getStore();
    return json({ items: await execute(store, listAgents(store)) });
  },
);

export const POST = route(
  {
    body: createAgentSchema,
    doc: { summary: 'Create an agent', status: 201, response: agentResponseSchema, errors: [409] },
  },
  async ({ body }) => {
    const store = getStore();
    await assertAgentInputAllowed(store, body);
    return json({ agent: await execute(store, createAgent(store, body)) }, 201);
  },
);
