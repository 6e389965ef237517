import { workerListResponseSchema } from '@/lib/contracts/workers';
import { getDb } from '@/lib/db';
import { listWorkers } from '@/lib/db/queries/workers';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** The workers that ran (or run) agents, newest first, with their labels and whether they are alive. */
export const GET = route(
  {
    doc: {
      summary: 'List the workers, with their labels, last beat and running runs',
      response: workerListResponseSchema,
    },
  },
  () => json({ items: listWorkers(getDb(), Date.now()) }),
);
