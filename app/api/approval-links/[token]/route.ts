import { z } from 'zod';
import { approvalResponseSchema } from '@/lib/contracts/approvals';
import { getStore } from '@/lib/db/store';
import { decideByLink } from '@/lib/http/approvals';
import { json, route } from '@/lib/http/route';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

const tokenParam = z.strictObject({ token: z.string().max(700) });
const linkDecisionBody = z
  .strictObject({
    /** For a deny link: what the model is told (a default otherwise). */
    message: z.string().trim().min(1, 'Must not be empty').max(2_000, 'At most 2,000 characters').optional(),
  })
  .optional();

/**
 * The confirmation page's button: decides what a one-time link from a notification stands for. The
 * request gate lets this path through without a session: the signed token is the credential, for
 * this one decision. Refused when altered or unknown (404), expired (410) or already answered (409).
 */
export const POST = route(
  {
    params: tokenParam,
    body: linkDecisionBody,
    doc: {
      summary:
        "Decide what a notification's one-time approve/deny link stands for (the token is the credential)",
      response: approvalResponseSchema,
      errors: [404, 409, 410],
      public: true,
    },
  },
  async ({ params, body }) =>
    json({ approval: await decideByLink(getStore(), requireRuntime(), params.token, body?.message) }),
);
