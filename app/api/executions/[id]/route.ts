import { executionDetailResponseSchema } from '@/lib/contracts/executions';
import { notFound } from '@/lib/core/errors';
import { execute } from '@/lib/db/plan';
import { getExecutionChain, getExecutionDetailWithResources } from '@/lib/db/queries/executions';
import { getStore } from '@/lib/db/store';
import { idParam, json, route } from '@/lib/http/route';
import { withQueuePositions } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** The run, what its processes used, and the continue chain it belongs to (with the chain's total cost). */
export const GET = route(
  {
    params: idParam,
    doc: {
      summary: 'One execution with its costs, attempts, resources and continue chain',
      response: executionDetailResponseSchema,
    },
  },
  async ({ params }) => {
    const store = getStore();
    const execution = await execute(store, getExecutionDetailWithResources(store, params.id));
    if (!execution) throw notFound('Execution');
    const chain = await execute(store, getExecutionChain(store, params.id));
    const [withPosition] = withQueuePositions([{ ...execution, chain }]);
    return json({ execution: withPosition });
  },
);
