import type { ApprovalLinkClaims } from '../auth/approvalLinks';
import type { ApprovalDto } from '../contracts/approvals';
import { execute } from '../db/plan';
import { getApproval } from '../db/queries/approvals';
import type { Store } from '../db/store';
import type { DecisionActor } from '../engine/approvalDesk';
import type { AuthVia } from '../security/requestGate';
import type { Runtime } from '../server/runtime';
import { ApiError } from './errors';

/** Who answers through the API: the console's session, or a script's token. */
export function actorOf(via: AuthVia | null): DecisionActor {
  switch (via) {
    case 'bearer':
      return { via: 'bearer', channel: 'api' };
    case 'auth-disabled':
      return { via: 'auth-disabled', channel: 'console' };
    default:
      return { via: 'session', channel: 'console' };
  }
}

export type LinkInspection =
  | { ok: true; claims: ApprovalLinkClaims; approval: ApprovalDto }
  | {
      ok: false;
      status: 404 | 409 | 410;
      code: 'invalid_link' | 'conflict' | 'link_expired';
      message: string;
    };

const INVALID = {
  ok: false,
  status: 404,
  code: 'invalid_link',
  message: 'This approval link is not valid (altered, or not from this server)',
} as const;

/**
 * What a link stands for, or why it no longer works: altered or foreign (404), past its approval's
 * expiry (410), its approval already answered (409, naming the answer). Reads only.
 */
export async function inspectLink(
  store: Store,
  runtime: Runtime,
  token: string,
  now = Date.now(),
): Promise<LinkInspection> {
  const check = runtime.backend.approvalLinks.verify(token, now);
  if (!check.ok)
    return check.problem === 'expired'
      ? { ok: false, status: 410, code: 'link_expired', message: 'This approval link has expired' }
      : INVALID;
  const approval = await execute(store, getApproval(store, check.claims.approvalId));
  // Bound to the exact call: a link minted for other input (or another database) is worth nothing.
  if (!approval || approval.inputHash !== check.claims.inputHash) return INVALID;
  if (approval.status !== 'pending') {
    const decision = approval.decision;
    const by = decision ? ` (${decision.decidedVia}, ${decision.decidedChannel})` : '';
    return {
      ok: false,
      status: 409,
      code: 'conflict',
      message: `Approval ${approval.id} is no longer pending: it was ${approval.status}${by}`,
    };
  }
  return { ok: true, claims: check.claims, approval };
}

/** Decides what a link stands for, once. Throws the inspection's refusal as an API error. */
export async function decideByLink(
  store: Store,
  runtime: Runtime,
  token: string,
  message: string | undefined,
): Promise<ApprovalDto> {
  const found = await inspectLink(store, runtime, token);
  if (!found.ok) throw new ApiError(found.status, found.code, found.message);
  const { claims } = found;
  return runtime.engine.decideApproval(
    claims.approvalId,
    claims.decision === 'deny'
      ? { decision: 'deny', ...(message === undefined ? {} : { message }) }
      : { decision: 'allow' },
    { via: 'link', channel: claims.channel },
  );
}
