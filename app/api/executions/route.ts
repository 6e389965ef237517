import { listExecutionsQuerySchema, startExecutionSchema } from '@/lib/contracts/executions';
import { getDb } from '@/lib/db';
import { getAgentById } from '@/lib/db/queries/agents';
import { listExecutions } from '@/lib/db/queries/executions';
import { notFound } from '@/lib/errors';
import { json, route } from '@/lib/http/route';
import { requireRuntime, withQueuePositions } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const GET = route({ query: listExecutionsQuerySchema }, ({ query }) => {
  const page = listExecutions(getDb(), query);
  return json({ ...page, items: withQueuePositions(page.items) });
});

export const POST = route({ body: startExecutionSchema }, ({ body }) => {
  const agent = getAgentById(getDb(), body.agentId);
  if (!agent) throw notFound('Agent');
  return json({ execution: requireRuntime().tracker.start(agent, body.prompt, 'manual') }, 201);
});
