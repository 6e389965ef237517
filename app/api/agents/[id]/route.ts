import { assertAgentInputAllowed } from '@/lib/agents/agentInput';
import { agentResponseSchema, updateAgentSchema } from '@/lib/contracts/agents';
import { notFound } from '@/lib/core/errors';
import { getDb } from '@/lib/db';
import { getAgentById, softDeleteAgent, toAgentDto, updateAgent } from '@/lib/db/queries/agents';
import { idParam, json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

export const GET = route(
  { params: idParam, doc: { summary: 'One agent', response: agentResponseSchema } },
  ({ params }) => {
    const agent = getAgentById(getDb(), params.id);
    if (!agent) throw notFound('Agent');
    return json({ agent: toAgentDto(agent) });
  },
);

export const PATCH = route(
  {
    params: idParam,
    body: updateAgentSchema,
    doc: { summary: "Change some of an agent's fields", response: agentResponseSchema, errors: [409] },
  },
  ({ params, body }) => {
    const db = getDb();
    if (!getAgentById(db, params.id)) throw notFound('Agent');
    assertAgentInputAllowed(db, body, params.id);
    const agent = updateAgent(db, params.id, body);
    if (!agent) throw notFound('Agent');
    return json({ agent });
  },
);

export const DELETE = route(
  { params: idParam, doc: { summary: 'Delete an agent (its runs and costs stay)' } },
  ({ params }) => {
    if (!softDeleteAgent(getDb(), params.id)) throw notFound('Agent');
    return new Response(null, { status: 204 });
  },
);
