import { z } from 'zod';
import { getDb } from '@/lib/db';
import { getExecutionLogsBefore, getExecutionSummary } from '@/lib/db/queries/executions';
import { notFound } from '@/lib/http/errors';
import { idParam, json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

const logsQuery = z.strictObject({
  beforeSeq: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(5_000),
});

/** Pages backwards through a long log: the newest `limit` lines before `beforeSeq`, oldest first. */
export const GET = route({ params: idParam, query: logsQuery }, ({ params, query }) => {
  const db = getDb();
  if (!getExecutionSummary(db, params.id)) throw notFound('Execution');
  return json({
    items: getExecutionLogsBefore(db, params.id, query.beforeSeq ?? Number.MAX_SAFE_INTEGER, query.limit),
  });
});
