import { workflowRunResponseSchema } from '@/lib/contracts/workflows';
import { notFound } from '@/lib/core/errors';
import { getDb } from '@/lib/db';
import { getWorkflowRun } from '@/lib/db/queries/workflowRuns';
import { idParam, json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** The run, its input and every step with its execution. */
export const GET = route(
  {
    params: idParam,
    doc: { summary: 'One workflow run with its steps', response: workflowRunResponseSchema },
  },
  ({ params }) => {
    const run = getWorkflowRun(getDb(), params.id);
    if (!run) throw notFound('Workflow run');
    return json({ run });
  },
);
