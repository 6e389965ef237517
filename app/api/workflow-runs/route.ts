import { listWorkflowRunsQuerySchema, workflowRunPageSchema } from '@/lib/contracts/workflows';
import { getDb } from '@/lib/db';
import { listWorkflowRuns } from '@/lib/db/queries/workflowRuns';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** Recent runs, newest first, compact (no steps); `before` pages on. */
export const GET = route(
  {
    query: listWorkflowRunsQuerySchema,
    doc: { summary: 'Workflow runs, newest first', response: workflowRunPageSchema },
  },
  ({ query }) => json(listWorkflowRuns(getDb(), query)),
);
