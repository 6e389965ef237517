import { deliveryListResponseSchema, listDeliveriesQuerySchema } from '@/lib/contracts/notifications';
import { execute } from '@/lib/db/plan';
import { listDeliveries } from '@/lib/db/queries/notificationDeliveries';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** The delivery log, one row per attempt, newest first; `nextBefore` pages on. */
export const GET = route(
  {
    query: listDeliveriesQuerySchema,
    doc: { summary: 'The delivery log, newest first', response: deliveryListResponseSchema },
  },
  async ({ query }) => {
    const store = getStore();
    return json(await execute(store, listDeliveries(store, query)));
  },
);
