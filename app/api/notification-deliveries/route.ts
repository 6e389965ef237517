import { deliveryListResponseSchema, listDeliveriesQuerySchema } from '@/lib/contracts/notifications';
import { getDb } from '@/lib/db';
import { listDeliveries } from '@/lib/db/queries/notificationDeliveries';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** The delivery log, one row per attempt, newest first; `nextBefore` pages on. */
export const GET = route(
  {
    query: listDeliveriesQuerySchema,
    doc: { summary: 'The delivery log, newest first', response: deliveryListResponseSchema },
  },
  ({ query }) => json(listDeliveries(getDb(), query)),
);
