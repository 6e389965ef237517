import { describe, expect, it } from 'vitest';
import {
  type CredentialCheck,
  decide,
  type GatePolicy,
  parseHostHeader,
  type RequestFacts,
} from '../../src/lib/security/requestGate';

const policy: GatePolicy = {
  allowedHostnames: new Set(['127.0.0.1', 'localhost', '[::1]']),
  extraOrigins: new Set(['https://ops.example.com']),
  authEnabled: true,
};
const credentials: CredentialCheck = {
  isValidToken: (token) => token === 'good-token',
  isValidSession: (value) => value === 'good-session',
};
const base: RequestFacts = {
  method: 'GET',
  path: '/api/agents',
  host: '127.0.0.1:3000',
  origin: undefined,
  secFetchSite: undefined,
  authorization: undefined,
  sessionCookie: undefined,
  isUpgrade: false,
  scheme: 'http',
};
const check = (facts: Partial<RequestFacts>) => decide({ ...base, ...facts }, policy, credentials);
const session = { sessionCookie: 'good-session' };
const own = 'http://127.0.0.1:3000';

describe('request gate', () => {
  it.each([
    ['attacker.example', 403],
    ['attacker.example:3000', 403],
    ['127.0.0.1.attacker.example', 403],
    [undefined, 400],
    ['', 400],
    ['127.0.0.1:3000/x', 400],
    ['user@127.0.0.1', 400],
    ['[::1', 400],
    ['127.0.0.1:99999999', 400],
  ])('refuses Host %j with %i, even with a valid session', (host, status) => {
    expect(check({ host, ...session })).toMatchObject({ allow: false, status });
  });

  it('accepts every loopback name', () => {
    for (const host of ['127.0.0.1:3000', 'localhost:3000', '[::1]:3000', 'LOCALHOST']) {
      expect(check({ host, ...session, origin: undefined })).toMatchObject({ allow: true });
    }
  });

  it.each([
    ['null'],
    ['http://127.0.0.1:3000.attacker.example'],
    ['http://127.0.0.1:3001'],
    ['https://127.0.0.1:3000'],
    ['http://localhost:3000'],
    ['not a url'],
  ])('refuses Origin %j for session, bearer and upgrade alike', (origin) => {
    expect(check({ method: 'POST', origin, ...session })).toMatchObject({ allow: false, status: 403 });
    expect(check({ method: 'POST', origin, authorization: 'Bearer good-token' })).toMatchObject({
      allow: false,
      status: 403,
    });
    expect(check({ path: '/ws', isUpgrade: true, origin, ...session })).toMatchObject({
      allow: false,
      status: 403,
    });
  });

  it('needs an Origin on cookie-authorized writes and upgrades, but not on bearer ones', () => {
    expect(check({ method: 'POST', ...session })).toMatchObject({ allow: false, code: 'origin_required' });
    expect(check({ method: 'DELETE', ...session })).toMatchObject({ allow: false, code: 'origin_required' });
    expect(check({ path: '/ws', isUpgrade: true, ...session })).toMatchObject({
      allow: false,
      code: 'origin_required',
    });
    expect(check({ method: 'POST', origin: own, ...session })).toEqual({ allow: true, via: 'session' });
    expect(check({ method: 'POST', origin: 'https://ops.example.com', ...session })).toEqual({
      allow: true,
      via: 'session',
    });
    expect(check({ method: 'POST', authorization: 'Bearer good-token' })).toEqual({
      allow: true,
      via: 'bearer',
    });
  });

  it('refuses cross-site requests carrying only a cookie', () => {
    expect(check({ ...session, secFetchSite: 'cross-site' })).toMatchObject({
      allow: false,
      code: 'cross_site',
    });
  });

  it('answers 401 to the API and the socket, and redirects pages to sign-in', () => {
    expect(check({})).toMatchObject({ allow: false, status: 401 });
    expect(check({ path: '/ws', isUpgrade: true, origin: own })).toMatchObject({ allow: false, status: 401 });
    expect(check({ path: '/executions/4' })).toMatchObject({
      status: 401,
      redirectTo: '/signin?next=%2Fexecutions%2F4',
    });
    expect(check({ sessionCookie: 'forged' })).toMatchObject({ status: 401 });
  });

  it('answers the Prometheus scrape path like the API: 401 without credentials, Bearer accepted', () => {
    const refused = check({ path: '/metrics' });
    expect(refused).toMatchObject({ allow: false, status: 401 });
    expect(refused).not.toHaveProperty('redirectTo');
    expect(check({ path: '/metrics', authorization: 'Bearer good-token' })).toEqual({
      allow: true,
      via: 'bearer',
    });
    expect(check({ path: '/metrics', authorization: 'Bearer wrong' })).toMatchObject({ status: 401 });
    // Only that exact path: the metrics page and look-alikes stay pages.
    for (const path of ['/system', '/metrics/x', '/metricsx']) {
      expect(check({ path })).toMatchObject({
        status: 401,
        redirectTo: `/signin?next=${encodeURIComponent(path)}`,
      });
    }
  });

  it('never lets a bad bearer token fall back to the cookie', () => {
    expect(check({ authorization: 'Bearer wrong', ...session })).toMatchObject({ status: 401 });
    expect(check({ authorization: 'Basic Zm9vOmJhcg==', ...session })).toMatchObject({ status: 401 });
  });

  it('lets the sign-in page, its assets and the sign-in call through without credentials', () => {
    for (const path of ['/signin', '/_next/static/chunks/app.js', '/icon.svg']) {
      expect(check({ path })).toEqual({ allow: true, via: 'public' });
    }
    expect(check({ method: 'POST', path: '/api/auth/session', origin: own })).toEqual({
      allow: true,
      via: 'public',
    });
    // Still subject to Host and Origin checks.
    expect(check({ method: 'POST', path: '/api/auth/session', origin: 'null' })).toMatchObject({
      status: 403,
    });
    expect(check({ path: '/signin', host: 'attacker.example' })).toMatchObject({ status: 403 });
  });

  it('parses Host headers strictly', () => {
    expect(parseHostHeader('LocalHost:80')).toBe('localhost');
    expect(parseHostHeader('[::1]:3000')).toBe('[::1]');
    expect(parseHostHeader('a b')).toBeNull();
  });
});
