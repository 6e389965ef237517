import { startWorkflowRunSchema, workflowRunResponseSchema } from '@/lib/contracts/workflows';
import { idParam, json, route } from '@/lib/http/route';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Starts a run of the workflow's current version: 400 naming a bad input field, 409
 * `budget_exhausted` naming the budget when one already refuses an agent of the workflow.
 * A run started with the Bearer token is an `api` run; one from the page is `manual`.
 */
export const POST = route(
  {
    params: idParam,
    body: startWorkflowRunSchema,
    doc: {
      summary: 'Start a run of a workflow',
      status: 201,
      response: workflowRunResponseSchema,
      errors: [409],
    },
  },
  async ({ params, body, via }) => {
    const trigger = via === 'bearer' ? 'api' : 'manual';
    const run = await requireRuntime().backend.workflows.start(params.id, { input: body?.input, trigger });
    return json({ run }, 201);
  },
);
