import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/lib/auth/rateLimit';
import {
  createSessionValue,
  isValidSession,
  SESSION_TTL_MS,
  sessionCookieHeader,
} from '../../src/lib/auth/session';
import { generateToken, hashToken, tokenMatchesHash } from '../../src/lib/auth/token';
import { SecretMasker, secretValuesFrom } from '../../src/lib/security/secrets';

describe('access tokens', () => {
  it('are at least 128 random bits and stored only as a hash', () => {
    const token = generateToken();
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(generateToken()).not.toBe(token);
    const hash = hashToken(token);
    expect(hash).not.toContain(token);
    expect(tokenMatchesHash(token, hash)).toBe(true);
    expect(tokenMatchesHash(`${token}x`, hash)).toBe(false);
    expect(tokenMatchesHash('', hash)).toBe(false);
  });
});

describe('sessions', () => {
  const key = crypto.randomBytes(32);
  const tokenHash = hashToken('token-1');

  it('are valid until they expire', () => {
    const now = 1_000_000;
    const value = createSessionValue(key, tokenHash, now);
    expect(isValidSession(value, key, tokenHash, now + 1)).toBe(true);
    expect(isValidSession(value, key, tokenHash, now + SESSION_TTL_MS + 1)).toBe(false);
  });

  it('end when the token rotates, and cannot be forged or extended', () => {
    const value = createSessionValue(key, tokenHash);
    expect(isValidSession(value, key, hashToken('token-2'))).toBe(false);
    expect(isValidSession(value, crypto.randomBytes(32), tokenHash)).toBe(false);
    const [v, issued, , mac] = value.split('.');
    expect(isValidSession(`${v}.${issued}.${Date.now() + 10 * SESSION_TTL_MS}.${mac}`, key, tokenHash)).toBe(
      false,
    );
    expect(isValidSession('garbage', key, tokenHash)).toBe(false);
  });

  it('travel in an HttpOnly, SameSite=Strict cookie, Secure over https', () => {
    expect(sessionCookieHeader('v', { secure: false })).toMatch(/HttpOnly; SameSite=Strict/);
    expect(sessionCookieHeader('v', { secure: false })).not.toMatch(/Secure/);
    expect(sessionCookieHeader('v', { secure: true })).toMatch(/; Secure$/);
  });
});

describe('sign-in rate limit', () => {
  it('allows the limit per window per client, then says how long to wait', () => {
    const limiter = new RateLimiter(3, 60_000);
    expect([1, 2, 3].map(() => limiter.hit('a', 0))).toEqual([0, 0, 0]);
    expect(limiter.hit('a', 10_000)).toBe(50);
    expect(limiter.hit('b', 10_000)).toBe(0);
    expect(limiter.hit('a', 60_000)).toBe(0);
  });
});

describe('secret masking', () => {
  it('collects values of secret-named variables only', () => {
    const values = secretValuesFrom({
      ANTHROPIC_API_KEY: 'sk-ant-abcdef123456',
      GITHUB_TOKEN: 'ghp_0123456789',
      DB_PASSWORD: 'hunter2hunter2',
      PATH: '/usr/bin:/bin',
      SHORT_KEY: 'abc',
    });
    expect(values.sort()).toEqual(['ghp_0123456789', 'hunter2hunter2', 'sk-ant-abcdef123456']);
  });

  it('treats the password inside a URL (DATABASE_URL) as a secret: the URL and the password, decoded, are masked', () => {
    const url = 'postgres://ops:pg%2Fpass-7f3e@db.example.invalid:5432/claudeops';
    const values = secretValuesFrom({ DATABASE_URL: url, HOME_PAGE: 'https://example.invalid/docs' });
    expect(values).toEqual([url, 'pg/pass-7f3e']);
    const masker = new SecretMasker(values);
    expect(masker.mask(`connecting to ${url}`)).not.toContain('pass-7f3e');
    expect(masker.mask('password=pg/pass-7f3e')).not.toContain('pass-7f3e');
  });

  it('masks secrets in text and inside JSON at any depth', () => {
    const masker = new SecretMasker(['sk-ant-abcdef123456']);
    expect(masker.mask('key=sk-ant-abcdef123456; again sk-ant-abcdef123456')).toBe(
      'key=[REDACTED]; again [REDACTED]',
    );
    expect(masker.maskJson({ output: ['x sk-ant-abcdef123456'], n: 1 })).toEqual({
      output: ['x [REDACTED]'],
      n: 1,
    });
    expect(masker.mask('nothing here')).toBe('nothing here');
  });
});
