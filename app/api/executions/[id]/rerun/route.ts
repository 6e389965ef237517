import { rerunExecutionSchema, startedExecutionResponseSchema } from '@/lib/contracts/executions';
import { conflict, notFound } from '@/lib/core/errors';
import { execute } from '@/lib/db/plan';
import { getAgentById } from '@/lib/db/queries/agents';
import { getExecutionDetail } from '@/lib/db/queries/executions';
import { getStore } from '@/lib/db/store';
import { idParam, json, route } from '@/lib/http/route';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Runs the same agent again, in a new session: with the run's prompt, or the `prompt` given. Like
 * `POST /api/executions`, it is an `api` run with the Bearer token and `manual` from the console.
 */
export const POST = route(
  {
    params: idParam,
    body: rerunExecutionSchema,
    doc: {
      summary: "Run a run's agent again, with its prompt or another",
      status: 201,
      response: startedExecutionResponseSchema,
      errors: [409],
    },
  },
  async ({ params, body, via }) => {
    const store = getStore();
    const previous = await execute(store, getExecutionDetail(store, params.id));
    if (!previous) throw notFound('Execution');
    const agent = await execute(store, getAgentById(store, previous.agentId));
    if (!agent) throw conflict(`The agent of execution ${params.id} was deleted`);
    const trigger = via === 'bearer' ? 'api' : 'manual';
    const prompt = body?.prompt ?? previous.prompt;
    return json({ execution: await requireRuntime().engine.start({ agent, prompt, trigger }) }, 201);
  },
);
