import { workflowRunResponseSchema } from '@/lib/contracts/workflows';
import { notFound } from '@/lib/core/errors';
import { execute } from '@/lib/db/plan';
import { getWorkflowRun } from '@/lib/db/queries/workflowRuns';
import { getStore } from '@/lib/db/store';
import { idParam, json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** The run, its input and every step with its execution. */
export const GET = route(
  {
    params: idParam,
    doc: { summary: 'One workflow run with its steps', response: workflowRunResponseSchema },
  },
  async ({ params }) => {
    const store = getStore();
    const run = await execute(store, getWorkflowRun(store, params.id));
    if (!run) throw notFound('Workflow run');
    return json({ run });
  },
);
