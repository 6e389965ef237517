import { executionLogsQuerySchema, logLinesResponseSchema } from '@/lib/contracts/executions';
import { notFound } from '@/lib/core/errors';
import { getDb } from '@/lib/db';
import { getExecutionLogsBefore, getExecutionSummary } from '@/lib/db/queries/executions';
import { idParam, json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** Pages backwards through a long log: the newest `limit` lines before `beforeSeq`, oldest first. */
export const GET = route(
  {
    params: idParam,
    query: executionLogsQuerySchema,
    doc: { summary: 'A page of log lines, oldest first', response: logLinesResponseSchema },
  },
  ({ params, query }) => {
    const db = getDb();
    if (!getExecutionSummary(db, params.id)) throw notFound('Execution');
    return json({
      items: getExecutionLogsBefore(db, params.id, query.beforeSeq ?? Number.MAX_SAFE_INTEGER, query.limit),
    });
  },
);
