import { cancellingExecutionResponseSchema } from '@/lib/contracts/executions';
import { conflict, notFound } from '@/lib/core/errors';
import { execute } from '@/lib/db/plan';
import { getExecutionSummary } from '@/lib/db/queries/executions';
import { getStore } from '@/lib/db/store';
import { idParam, json, route } from '@/lib/http/route';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Asks a queued or running execution to stop, on whichever worker runs it; it ends `cancelled`
 * with what it spent so far.
 */
export const POST = route(
  {
    params: idParam,
    doc: {
      summary: 'Stop a queued or running execution',
      status: 202,
      response: cancellingExecutionResponseSchema,
      errors: [409],
    },
  },
  async ({ params }) => {
    const store = getStore();
    const execution = await execute(store, getExecutionSummary(store, params.id));
    if (!execution) throw notFound('Execution');
    if (!(await requireRuntime().backend.cancelRun(params.id)))
      throw conflict(`Execution ${params.id} has already ended (${execution.status})`);
    return json({ execution, cancelling: true }, 202);
  },
);
