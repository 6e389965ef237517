import crypto from 'node:crypto';
import { z } from 'zod';
import { loadKeyFile } from '../config/keyFile';
import { APPROVAL_DECISIONS, APPROVAL_TOKEN_SOURCE, type ApprovalDecision } from '../contracts/approvals';

/**
 * One-time approve/deny links for notifications: `<payload>.<mac>`, the payload naming one approval,
 * the hash of the exact call it asks about, the decision, when it stops working (the approval's own
 * expiry) and the channel it was sent through. The HMAC key is a 0600 file in the data dir, like
 * the session key. A link is the credential for that one decision and nothing else; it works once,
 * because an approval is answered once.
 */

export const APPROVAL_LINK_KEY_FILE = 'approval-links.key';

/** The link's path on the server; the confirmation page lives there, and its POST at /api/approval-links. */
export const approvalLinkPath = (token: string) => `/approve/${token}`;

const TOKEN = new RegExp(`^${APPROVAL_TOKEN_SOURCE}$`);

export interface ApprovalLinkClaims {
  approvalId: number;
  inputHash: string;
  decision: ApprovalDecision;
  expiresAt: number;
  /** Where the link was sent: `ntfy #3`, recorded with the decision. */
  channel: string;
}

const payloadSchema = z.strictObject({
  a: z.number().int().positive(),
  h: z.string().regex(/^[0-9a-f]{64}$/),
  d: z.enum(APPROVAL_DECISIONS),
  e: z.number().int().positive(),
  c: z.string().max(100),
});

export type LinkCheck =
  | { ok: true; claims: ApprovalLinkClaims }
  | { ok: false; problem: 'invalid' | 'expired' };

export class ApprovalLinks {
  constructor(private readonly key: Buffer) {}

  sign(claims: ApprovalLinkClaims): string {
    const payload = Buffer.from(
      JSON.stringify({
        a: claims.approvalId,
        h: claims.inputHash,
        d: claims.decision,
        e: claims.expiresAt,
        c: claims.channel,
      }),
    ).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The claims of an unaltered token that has not expired; otherwise why not. */
  verify(token: string, now = Date.now()): LinkCheck {
    if (!TOKEN.test(token)) return { ok: false, problem: 'invalid' };
    const [payload = '', mac = ''] = token.split('.');
    const expected = Buffer.from(this.mac(payload));
    const actual = Buffer.from(mac);
    if (actual.length !== expected.length || !crypto.timingSafeEqual(actual, expected))
      return { ok: false, problem: 'invalid' };
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, problem: 'invalid' };
    }
    const parsed = payloadSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, problem: 'invalid' };
    const { a, h, d, e, c } = parsed.data;
    if (e <= now) return { ok: false, problem: 'expired' };
    return { ok: true, claims: { approvalId: a, inputHash: h, decision: d, expiresAt: e, channel: c } };
  }

  private mac(payload: string): string {
    return crypto.createHmac('sha256', this.key).update(`approval-link.v1.${payload}`).digest('base64url');
  }
}

/** The links of this data dir (its key file is created on first use). */
export function loadApprovalLinks(dataDir: string): ApprovalLinks {
  return new ApprovalLinks(loadKeyFile(dataDir, APPROVAL_LINK_KEY_FILE));
}
