import { hostLoadQuerySchema, hostLoadSchema } from '@/lib/contracts/workers';
import { execute } from '@/lib/db/plan';
import { hostLoad } from '@/lib/db/queries/workers';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** A worker host's CPU, memory, load and disk over the last hour or day, from its workers' beats. */
export const GET = route(
  {
    query: hostLoadQuerySchema,
    doc: { summary: "A worker host's load over a range, from its workers' beats", response: hostLoadSchema },
  },
  async ({ query }) => {
    const store = getStore();
    return json(await execute(store, hostLoad(store, query, Date.now())));
  },
);
