import { listWorkflowRunsQuerySchema, workflowRunPageSchema } from '@/lib/contracts/workflows';
import { execute } from '@/lib/db/plan';
import { listWorkflowRuns } from '@/lib/db/queries/workflowRuns';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** Recent runs, newest first, compact (no steps); `before` pages on. */
export const GET = route(
  {
    query: listWorkflowRunsQuerySchema,
    doc: { summary: 'Workflow runs, newest first', response: workflowRunPageSchema },
  },
  async ({ query }) => {
    const store = getStore();
    return json(await execute(store, listWorkflowRuns(store, query)));
  },
);
