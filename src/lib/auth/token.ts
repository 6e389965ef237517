import crypto from 'node:crypto';

/** 256 random bits, URL-safe: goes in a sign-in link as `?token=`. */
export function generateToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time: both sides are hashed to the same length before comparing. */
export function tokenMatchesHash(candidate: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashToken(candidate), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}
