import { approvalResponseSchema, decideApprovalSchema } from '@/lib/contracts/approvals';
import { notFound } from '@/lib/core/errors';
import { execute } from '@/lib/db/plan';
import { getApproval } from '@/lib/db/queries/approvals';
import { getStore } from '@/lib/db/store';
import { actorOf } from '@/lib/http/approvals';
import { idParam, json, route } from '@/lib/http/route';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

export const GET = route(
  {
    params: idParam,
    doc: {
      summary: 'One approval: the tool call, its input and its answer',
      response: approvalResponseSchema,
    },
  },
  async ({ params }) => {
    const store = getStore();
    const approval = await execute(store, getApproval(store, params.id));
    if (!approval) throw notFound('Approval');
    return json({ approval });
  },
);

/**
 * Answers a waiting tool call: `allow` (optionally with `updatedInput`, or `remember` to save the
 * suggested rule in the agent's remembered rules) or `deny` (with a `message` for the model). A
 * second answer is refused with 409 naming the first.
 */
export const POST = route(
  {
    params: idParam,
    body: decideApprovalSchema,
    doc: {
      summary: 'Answer a waiting tool call (allow or deny)',
      response: approvalResponseSchema,
      errors: [409, 410],
    },
  },
  async ({ params, body, via }) =>
    json({ approval: await requireRuntime().engine.decideApproval(params.id, body, actorOf(via)) }),
);
