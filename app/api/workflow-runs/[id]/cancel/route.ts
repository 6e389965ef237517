import { workflowRunResponseSchema } from '@/lib/contracts/workflows';
import { idParam, json, route } from '@/lib/http/route';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Stops the run's queued and running steps and skips the rest; it ends `cancelled` once the stopped
 * steps have ended (meanwhile `stopping: "cancelled"`). 409 when it has already ended.
 */
export const POST = route(
  {
    params: idParam,
    doc: {
      summary: 'Cancel a workflow run',
      status: 202,
      response: workflowRunResponseSchema,
      errors: [409],
    },
  },
  async ({ params }) => json({ run: await requireRuntime().backend.workflows.cancel(params.id) }, 202),
);
