import { conditionListResponseSchema } from '@/lib/contracts/notifications';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';
import { listConditionStatuses } from '@/lib/notifications/conditionList';

export const dynamic = 'force-dynamic';

/** Every notification condition, its state, and why it did or did not send. */
export const GET = route(
  {
    doc: {
      summary: 'Notification conditions: state and why each did or did not send',
      response: conditionListResponseSchema,
    },
  },
  async () => json(await listConditionStatuses(getStore())),
);
