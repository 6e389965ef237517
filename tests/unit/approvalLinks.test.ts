import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ApprovalLinkClaims, ApprovalLinks } from '../../src/lib/auth/approvalLinks';
import { canonicalJson, toolCallHash } from '../../src/lib/engine/toolCallHash';
import { decide, type GatePolicy, type RequestFacts } from '../../src/lib/security/requestGate';

const links = new ApprovalLinks(crypto.randomBytes(32));
const NOW = Date.parse('2026-12-04T10:00:00Z');
const claims: ApprovalLinkClaims = {
  approvalId: 7,
  inputHash: toolCallHash('Bash', { command: 'touch ready' }),
  decision: 'allow',
  expiresAt: NOW + 60_000,
  channel: 'ntfy #2',
};

describe('signed approval links', () => {
  it('verifies what it signed, with every claim', () => {
    expect(links.verify(links.sign(claims), NOW)).toEqual({ ok: true, claims });
  });

  it('refuses a link past its approval’s expiry', () => {
    expect(links.verify(links.sign(claims), claims.expiresAt)).toEqual({ ok: false, problem: 'expired' });
  });

  it('refuses an altered link: a changed decision, approval or signature', () => {
    const token = links.sign(claims);
    const [payload = '', mac = ''] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), d: 'deny' }),
    ).toString('base64url');
    expect(links.verify(`${forged}.${mac}`, NOW)).toEqual({ ok: false, problem: 'invalid' });
    const flipped = `${payload}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    expect(links.verify(flipped, NOW)).toEqual({ ok: false, problem: 'invalid' });
    expect(links.verify('not-a-token', NOW)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('refuses a link signed with another server’s key', () => {
    const other = new ApprovalLinks(crypto.randomBytes(32));
    expect(links.verify(other.sign(claims), NOW)).toEqual({ ok: false, problem: 'invalid' });
  });
});

describe('the hash an approval is bound to', () => {
  it('is the same for the same input whatever the key order, and differs for any other input or tool', () => {
    const a = toolCallHash('Bash', { command: 'rm -rf build', description: 'clean' });
    const b = toolCallHash('Bash', { description: 'clean', command: 'rm -rf build' });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(toolCallHash('Bash', { command: 'rm -rf /', description: 'clean' })).not.toBe(a);
    expect(toolCallHash('Read', { command: 'rm -rf build', description: 'clean' })).not.toBe(a);
  });

  it('reads nested objects and arrays in canonical form', () => {
    expect(canonicalJson({ b: [1, { d: 2, c: 3 }], a: null, skip: undefined })).toBe(
      '{"a":null,"b":[1,{"c":3,"d":2}]}',
    );
  });
});

describe('the request gate and approval links', () => {
  const policy: GatePolicy = {
    allowedHostnames: new Set(['127.0.0.1']),
    extraOrigins: new Set(),
    authEnabled: true,
  };
  const noCredentials = { isValidToken: () => false, isValidSession: () => false };
  const facts = (method: string, path: string): RequestFacts => ({
    method,
    path,
    host: '127.0.0.1:3000',
    origin: method === 'GET' ? undefined : 'http://127.0.0.1:3000',
    secFetchSite: undefined,
    authorization: undefined,
    sessionCookie: undefined,
    isUpgrade: false,
    scheme: 'http',
  });
  const token = links.sign(claims);

  it('lets exactly the confirmation page and its POST through without a session', () => {
    expect(decide(facts('GET', `/approve/${token}`), policy, noCredentials)).toEqual({
      allow: true,
      via: 'public',
    });
    expect(decide(facts('POST', `/api/approval-links/${token}`), policy, noCredentials)).toEqual({
      allow: true,
      via: 'public',
    });
  });

  it('keeps everything else about approvals behind sign-in', () => {
    for (const [method, path] of [
      ['POST', `/approve/${token}`],
      ['GET', `/api/approval-links/${token}`],
      ['POST', '/api/approvals/7'],
      ['GET', '/api/approvals'],
      ['POST', '/api/approval-links/not-a-token'],
      ['GET', `/approve/${token}/extra`],
    ] as const) {
      expect(decide(facts(method, path), policy, noCredentials)).toMatchObject({ allow: false, status: 401 });
    }
  });

  it('still refuses a link POST from another site', () => {
    const crossSite = { ...facts('POST', `/api/approval-links/${token}`), origin: 'https://evil.test' };
    expect(decide(crossSite, policy, noCredentials)).toMatchObject({
      allow: false,
      code: 'origin_not_allowed',
    });
  });
});
