import { z } from 'zod';

/**
 * A tool call waiting for a person, and the decision about it. Shared by the API, the WebSocket
 * protocol, the confirmation page of signed links and (later) the console's inbox.
 */

export const APPROVAL_STATUSES = [
  'pending',
  'allowed',
  'denied',
  /** Nobody answered before `expiresAt`; the policy's timeout action was applied. */
  'expired',
  /** The run ended otherwise (cancelled, failed) while the call waited. */
  'cancelled',
] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const APPROVAL_DECISIONS = ['allow', 'deny'] as const;

/** A one-time link's token as it appears in its URL: `<payload>.<mac>`, base64url. */
export const APPROVAL_TOKEN_SOURCE = '[A-Za-z0-9_-]{20,600}\\.[A-Za-z0-9_-]{43}';
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

/**
 * How a decision was authorized: the console's session, a script's Bearer token, a signed link
 * from a notification, the server itself (a timeout), or a server without authentication.
 */
export const DECIDED_VIA = ['session', 'bearer', 'link', 'timeout', 'auth-disabled'] as const;
export type DecidedVia = (typeof DECIDED_VIA)[number];

/** The body of `POST /api/approvals/[id]`. */
export const decideApprovalSchema = z
  .strictObject({
    decision: z.enum(APPROVAL_DECISIONS, { error: 'One of allow, deny' }),
    /** What the model is told with a deny; a default is used when absent. Not for an allow. */
    message: z.string().trim().min(1, 'Must not be empty').max(2_000, 'At most 2,000 characters').optional(),
    /** The input to run instead of the one asked for ("edit and approve"). Allow only. */
    updatedInput: z.record(z.string(), z.unknown()).optional(),
    /** Also save Claude Code's suggested rule for this call in the agent's remembered rules. Allow only. */
    remember: z.boolean().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.decision !== 'allow') {
      for (const field of ['updatedInput', 'remember'] as const)
        if (value[field] !== undefined)
          ctx.addIssue({ code: 'custom', path: [field], message: 'Only an allow takes this' });
    } else if (value.message !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['message'], message: 'A message goes with a deny' });
    }
  });
export type DecideApprovalInput = z.infer<typeof decideApprovalSchema>;

export const listApprovalsQuerySchema = z.strictObject({
  status: z.enum(APPROVAL_STATUSES).optional(),
  executionId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  /** Keyset paging: approvals with an id below this one. */
  before: z.coerce.number().int().positive().optional(),
});
export type ListApprovalsQuery = z.infer<typeof listApprovalsQuerySchema>;

export const approvalDecisionSchema = z.object({
  decision: z.enum(APPROVAL_DECISIONS),
  decidedAt: z.number(),
  decidedVia: z.enum(DECIDED_VIA),
  /** Where from: `console`, `api`, `timeout`, or the notification channel of a link (`ntfy #3`). */
  decidedChannel: z.string(),
  /** What the model was told (a deny). */
  message: z.string().nullable(),
  updatedInput: z.record(z.string(), z.unknown()).nullable(),
  /** Rules saved in the agent's remembered rules with this allow. */
  rememberedRules: z.array(z.string()),
});
export type ApprovalDecisionDto = z.infer<typeof approvalDecisionSchema>;

export const approvalSchema = z.object({
  id: z.number(),
  executionId: z.number(),
  agentId: z.number(),
  agentName: z.string(),
  toolName: z.string(),
  toolUseId: z.string(),
  input: z.record(z.string(), z.unknown()),
  /** sha256 of the tool name and its canonical JSON input: what links and one-shot allows are bound to. */
  inputHash: z.string(),
  /** Claude Code's own sentence for the prompt, when it gave one. */
  title: z.string().nullable(),
  /** Why Claude Code asked (e.g. a path outside the working directory). */
  reason: z.string().nullable(),
  /** The rules "approve and remember" would save (Claude Code's suggestions for this call). */
  suggestedRules: z.array(z.string()),
  requestedAt: z.number(),
  expiresAt: z.number(),
  /** What happens at `expiresAt`: the call is denied, or the run fails. */
  onTimeout: z.enum(['deny', 'fail']),
  status: z.enum(APPROVAL_STATUSES),
  decision: approvalDecisionSchema.nullable(),
});
export type ApprovalDto = z.infer<typeof approvalSchema>;

export const approvalCountsSchema = z.object({ pending: z.number() });
export type ApprovalCounts = z.infer<typeof approvalCountsSchema>;

export const approvalPageSchema = z.object({
  items: z.array(approvalSchema),
  nextBefore: z.number().nullable(),
  counts: approvalCountsSchema,
});
export type ApprovalPage = z.infer<typeof approvalPageSchema>;

export const approvalResponseSchema = z.object({ approval: approvalSchema });
