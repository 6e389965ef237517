import { assertAgentInputAllowed } from '@/lib/agents/agentInput';
import { agentDetailResponseSchema, agentResponseSchema, updateAgentSchema } from '@/lib/contracts/agents';
import { notFound } from '@/lib/core/errors';
import { execute, transaction } from '@/lib/db/plan';
import { getAgentById, softDeleteAgent, toAgentDto, updateAgent } from '@/lib/db/queries/agents';
import { agentDenialSummary } from '@/lib/db/queries/executions';
import { getStore } from '@/lib/db/store';
import { idParam, json, route } from '@/lib/http/route';
import { getRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** The agent, and whether its recent runs keep hitting denied tool calls. */
export const GET = route(
  {
    params: idParam,
    doc: { summary: 'One agent, with its recent denied calls', response: agentDetailResponseSchema },
  },
  async ({ params }) => {
    const store = getStore();
    const agent = await execute(store, getAgentById(store, params.id));
    if (!agent) throw notFound('Agent');
    const recentDenials = await execute(store, agentDenialSummary(store, params.id));
    return json({ agent: toAgentDto(agent), recentDenials });
  },
);

export const PATCH = route(
  {
    params: idParam,
    body: updateAgentSchema,
    doc: { summary: "Change some of an agent's fields", response: agentResponseSchema, errors: [409] },
  },
  async ({ params, body }) => {
    const store = getStore();
    if (!(await execute(store, getAgentById(store, params.id)))) throw notFound('Agent');
    await assertAgentInputAllowed(store, body, params.id);
    const agent = await execute(store, updateAgent(store, params.id, body));
    if (!agent) throw notFound('Agent');
    // Queued runs follow the new requirement: dropping a label this worker lacks lets them start.
    if (body.requiredLabels) getRuntime()?.engine.agentLabelsChanged(agent.id, agent.requiredLabels);
    return json({ agent });
  },
);

export const DELETE = route(
  { params: idParam, doc: { summary: 'Delete an agent (its runs and costs stay)' } },
  async ({ params }) => {
    if (!(await transaction(getStore(), (tx) => softDeleteAgent(tx, params.id)))) throw notFound('Agent');
    return new Response(null, { status: 204 });
  },
);
