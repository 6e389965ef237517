import { listExecutionsQuerySchema, startExecutionSchema } from '@/lib/contracts/executions';
import { getDb } from '@/lib/db';
import { getAgentById } from '@/lib/db/queries/agents';
import { listExecutions } from '@/lib/db/queries/executions';
import { ApiError, notFound } from '@/lib/http/errors';
import { json, route } from '@/lib/http/route';
import { getRuntime, withQueuePositions } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const GET = route({ query: listExecutionsQuerySchema }, ({ query }) => {
  const page = listExecutions(getDb(), query);
  return json({ ...page, items: withQueuePositions(page.items) });
});

export const POST = route({ body: startExecutionSchema }, ({ body }) => {
  const agent = getAgentById(getDb(), body.agentId);
  if (!agent) throw notFound('Agent');
  const runtime = getRuntime();
  if (!runtime)
    throw new ApiError(
      503,
      'unavailable',
      'The agent runtime is not running; start ClaudeOps with npm start',
    );
  return json({ execution: runtime.tracker.start(agent, body.prompt, 'manual') }, 201);
});
