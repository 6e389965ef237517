import {
  executionPageSchema,
  listExecutionsQuerySchema,
  startExecutionSchema,
  startedExecutionResponseSchema,
} from '@/lib/contracts/executions';
import { notFound } from '@/lib/core/errors';
import { execute } from '@/lib/db/plan';
import { getAgentById } from '@/lib/db/queries/agents';
import { listExecutions } from '@/lib/db/queries/runList';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';
import { requireRuntime, withQueuePositions } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

export const GET = route(
  {
    query: listExecutionsQuerySchema,
    doc: { summary: 'List executions, newest first', response: executionPageSchema },
  },
  async ({ query }) => {
    const page = await listExecutions(getStore(), query);
    return json({ ...page, items: withQueuePositions(page.items) });
  },
);

/** A run started with the Bearer token is an `api` run; one from the page is `manual`. */
export const POST = route(
  {
    body: startExecutionSchema,
    doc: {
      summary: 'Start a run of an agent',
      status: 201,
      response: startedExecutionResponseSchema,
      errors: [404, 409],
    },
  },
  async ({ body, via }) => {
    const store = getStore();
    const agent = await execute(store, getAgentById(store, body.agentId));
    if (!agent) throw notFound('Agent');
    const trigger = via === 'bearer' ? 'api' : 'manual';
    return json(
      { execution: await requireRuntime().engine.start({ agent, prompt: body.prompt, trigger }) },
      201,
    );
  },
);
