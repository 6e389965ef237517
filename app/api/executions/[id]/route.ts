import { executionDetailResponseSchema } from '@/lib/contracts/executions';
import { notFound } from '@/lib/core/errors';
import { getDb } from '@/lib/db';
import { getExecutionDetailWithResources } from '@/lib/db/queries/executions';
import { idParam, json, route } from '@/lib/http/route';
import { withQueuePositions } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

export const GET = route(
  {
    params: idParam,
    doc: {
      summary: 'One execution with its costs, attempts and resources',
      response: executionDetailResponseSchema,
    },
  },
  ({ params }) => {
    const execution = getExecutionDetailWithResources(getDb(), params.id);
    if (!execution) throw notFound('Execution');
    const [withPosition] = withQueuePositions([execution]);
    return json({ execution: withPosition });
  },
);
