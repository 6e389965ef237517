import { approvalPageSchema, listApprovalsQuerySchema } from '@/lib/contracts/approvals';
import { getDb } from '@/lib/db';
import { listApprovals } from '@/lib/db/queries/approvals';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** Approvals newest first (`?status=pending` for the inbox), with the count still pending. */
export const GET = route(
  {
    query: listApprovalsQuerySchema,
    doc: { summary: 'Approvals, newest first, with the count still pending', response: approvalPageSchema },
  },
  ({ query }) => json(listApprovals(getDb(), query)),
);
