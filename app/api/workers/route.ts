import { workerListResponseSchema } from '@/lib/contracts/workers';
import { listWorkers } from '@/lib/db/queries/workers';
import { getStore } from '@/lib/db/store';
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
  async () => json({ items: await listWorkers(getStore(), Date.now()) }),
);
