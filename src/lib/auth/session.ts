import crypto from 'node:crypto';

export const SESSION_COOKIE = 'claudeops_session';
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Sessions are stateless signed cookies: `v1.<issuedAt>.<expiresAt>.<mac>`. The MAC key is
 * derived from a server-side key file AND the current access token's hash, so rotating the token
 * ends every existing session at once.
 */
function sign(sessionKey: Buffer, tokenHash: string, payload: string): string {
  const key = crypto.createHmac('sha256', sessionKey).update(tokenHash).digest();
  return crypto.createHmac('sha256', key).update(payload).digest('base64url');
}

export function createSessionValue(sessionKey: Buffer, tokenHash: string, now = Date.now()): string {
  const payload = `v1.${now}.${now + SESSION_TTL_MS}`;
  return `${payload}.${sign(sessionKey, tokenHash, payload)}`;
}

export function isValidSession(
  value: string,
  sessionKey: Buffer,
  tokenHash: string,
  now = Date.now(),
): boolean {
  const match = /^(v1\.(\d{1,15})\.(\d{1,15}))\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match?.[1] || !match[3] || !match[4]) return false;
  const expected = Buffer.from(sign(sessionKey, tokenHash, match[1]));
  const actual = Buffer.from(match[4]);
  return (
    actual.length === expected.length && crypto.timingSafeEqual(actual, expected) && Number(match[3]) > now
  );
}

export interface CookieOptions {
  secure: boolean;
}

export function sessionCookieHeader(value: string, { secure }: CookieOptions): string {
  const maxAge = Math.floor(SESSION_TTL_MS / 1000);
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookieHeader({ secure }: CookieOptions): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
