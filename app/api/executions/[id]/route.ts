import { executionDetailResponseSchema } from '@/lib/contracts/executions';
import { notFound } from '@/lib/core/errors';
import { getDb } from '@/lib/db';
import { getExecutionChain, getExecutionDetailWithResources } from '@/lib/db/queries/executions';
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
  ({ params }) => {
    const db = getDb();
    const execution = getExecutionDetailWithResources(db, params.id);
    if (!execution) throw notFound('Execution');
    const [withPosition] = withQueuePositions([{ ...execution, chain: getExecutionChain(db, params.id) }]);
    return json({ execution: withPosition });
  },
);
