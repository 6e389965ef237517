import { approvalPageSchema, listApprovalsQuerySchema } from '@/lib/contracts/approvals';
import { execute } from '@/lib/db/plan';
import { listApprovals } from '@/lib/db/queries/approvals';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** Approvals newest first (`?status=pending` for the inbox), with the count still pending. */
export const GET = route(
  {
    query: listApprovalsQuerySchema,
    doc: { summary: 'Approvals, newest first, with the count still pending', response: approvalPageSchema },
  },
  async ({ query }) => {
    const store = getStore();
    return json(await execute(store, listApprovals(store, query)));
  },
);
