import { firingPageSchema, listFiringsQuerySchema } from '@/lib/contracts/schedules';
import { execute } from '@/lib/db/plan';
import { getStore } from '@/lib/db/store';
import { idParam, json, route } from '@/lib/http/route';
import { listFirings } from '@/lib/scheduling/schedules';

export const dynamic = 'force-dynamic';

/** The schedule's history, newest first, keyset-paged (`?before=` the last id of the previous page). */
export const GET = route(
  {
    params: idParam,
    query: listFiringsQuerySchema,
    doc: { summary: "A schedule's history, newest first", response: firingPageSchema },
  },
  async ({ params, query }) => {
    const store = getStore();
    return json(await execute(store, listFirings(store, params.id, query)));
  },
);
