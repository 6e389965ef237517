import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../helpers/api';
import { type AppServer, BEARER, startAppServer, TEST_ACCESS_TOKEN } from '../helpers/appServer';
import { cookieFrom, type RawResponse, rawRequest, rawUpgrade } from '../helpers/rawHttp';
import { discoverApiRoutes, discoverPages, fillTemplate } from '../helpers/routes';
import { type ScriptedModelServer, startScriptedModelServer } from '../helpers/scriptedModelServer';

const ROOT = path.resolve(import.meta.dirname, '../..');

let model: ScriptedModelServer;
let app: AppServer;
let origin: string;
let cookie: string;

async function signIn(server: AppServer, token: string): Promise<RawResponse> {
  return rawRequest(server.url, {
    method: 'POST',
    path: '/api/auth/session',
    headers: { origin: server.url },
    body: JSON.stringify({ token }),
  });
}

async function executionCount(): Promise<number> {
  const { body } = await apiClient(app.url).call('GET', '/api/executions?limit=100');
  return (body as { items: unknown[] }).items.length;
}

beforeAll(async () => {
  model = await startScriptedModelServer();
  app = await startAppServer({ modelServerUrl: model.url });
  origin = app.url;
  cookie = cookieFrom(await signIn(app, TEST_ACCESS_TOKEN));
});

afterAll(async () => {
  await app?.stop();
  await model?.close();
});

describe('sign-in', () => {
  it('exchanges the token for an HttpOnly, SameSite=Strict session cookie', async () => {
    const response = await signIn(app, TEST_ACCESS_TOKEN);
    expect(response.status).toBe(204);
    expect(response.headers['set-cookie']?.[0]).toMatch(
      /^claudeops_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/,
    );
    const agents = await rawRequest(app.url, { path: '/api/agents', headers: { cookie } });
    expect(agents.status).toBe(200);
  });

  it('refuses a wrong token without setting a cookie', async () => {
    const response = await signIn(app, 'not-the-token');
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'invalid_token' } });
    expect(response.headers['set-cookie']).toBeUndefined();
  });
});

describe('DNS rebinding: a foreign Host header', () => {
  it('gets 403 on pages, API and upgrade, even with a valid cookie and a matching Origin', async () => {
    const headers = { host: 'attacker.example', cookie, origin: 'http://attacker.example' };
    const before = await executionCount();
    for (const request of [
      { path: '/' },
      { path: '/api/agents' },
      { method: 'POST', path: '/api/executions', body: '{"agentId":1}' },
    ]) {
      const response = await rawRequest(app.url, { ...request, headers });
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'host_not_allowed' } });
    }
    expect(await rawUpgrade(app.url, '/ws', headers)).toBe(403);
    expect(await executionCount()).toBe(before);
  });

  it.each(['', 'a b', 'user@127.0.0.1', '127.0.0.1:3000/evil', '[::1'])(
    'answers a malformed Host %j with 400',
    async (host) => {
      const response = await rawRequest(app.url, { path: '/api/agents', headers: { host, cookie } });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'bad_host' } });
    },
  );
});

describe('Origin with a valid session cookie', () => {
  const foreign = () =>
    [
      ['null', { origin: 'null' }],
      ['missing', {}],
      ['a prefix match', { origin: `${origin}.attacker.example` }],
      ['another port', { origin: 'http://127.0.0.1:1' }],
      ['malformed', { origin: 'http://[' }],
    ] as const;

  it('refuses writes and upgrades whose Origin is not exactly ours, creating nothing', async () => {
    const before = await executionCount();
    for (const [, originHeader] of foreign()) {
      const headers = { cookie, ...originHeader };
      const response = await rawRequest(app.url, {
        method: 'POST',
        path: '/api/executions',
        headers,
        body: '{"agentId":1}',
      });
      expect(response.status).toBe(403);
      expect(await rawUpgrade(app.url, '/ws', headers)).toBe(403);
    }
    expect(await executionCount()).toBe(before);
    expect(model.requests).toHaveLength(0);
  });

  it('accepts our own Origin, and bearer scripts without one', async () => {
    expect(await rawUpgrade(app.url, '/ws', { cookie, origin })).toBe(101);
    expect(await rawUpgrade(app.url, '/ws', BEARER)).toBe(101);
    const patched = await rawRequest(app.url, {
      method: 'PATCH',
      path: '/api/agents/1',
      headers: { cookie, origin },
      body: '{"maxTurns": 12}',
    });
    expect(patched.status).toBe(200);
  });

  it('refuses a bearer request that carries a foreign Origin', async () => {
    const response = await rawRequest(app.url, {
      path: '/api/agents',
      headers: { ...BEARER, origin: 'http://evil.example' },
    });
    expect(response.status).toBe(403);
  });
});

describe('without credentials', () => {
  // The sign-in page and the sign-in call are how credentials are obtained.
  const PUBLIC = new Set(['GET /signin', 'POST /api/auth/session']);
  const routes = [
    ...discoverApiRoutes(ROOT).map((r) => ({
      method: r.method,
      path: fillTemplate(r.template, '1'),
      kind: 'api' as const,
    })),
    ...discoverPages(ROOT).map((page) => ({ method: 'GET', path: page, kind: 'page' as const })),
  ].filter((route) => !PUBLIC.has(`${route.method} ${route.path}`));

  it('finds the routes it guards', () => {
    expect(routes.length).toBeGreaterThanOrEqual(12);
  });

  it('answers 401 on every API route and redirects every page to sign-in', async () => {
    for (const route of routes) {
      const response = await rawRequest(app.url, {
        method: route.method,
        path: route.path,
        headers: { origin },
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: '{}' }),
      });
      if (route.kind === 'api') {
        expect([route.path, response.status]).toEqual([route.path, 401]);
        expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'unauthorized' } });
      } else {
        expect([route.path, response.status]).toEqual([route.path, 303]);
        expect(response.headers.location).toBe(`/signin?next=${encodeURIComponent(route.path)}`);
      }
    }
    expect(await rawUpgrade(app.url, '/ws', { origin })).toBe(401);
  });
});

describe('response headers', () => {
  it('send a nonce-based CSP that Next stamps on its scripts, and no framing or sniffing', async () => {
    const page = await rawRequest(app.url, { path: '/', headers: { cookie } });
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    const scripts = [...page.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.every((tag) => tag.includes(`nonce="${nonce}"`))).toBe(true);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('same-origin');
    const second = await rawRequest(app.url, { path: '/', headers: { cookie } });
    expect(second.headers['content-security-policy']).not.toBe(csp);
  });
});

describe('a generated access token', () => {
  it('is printed once as a sign-in link, stored only as a hash, and rotating it ends every session', async () => {
    const server = await startAppServer({ modelServerUrl: model.url, env: { CLAUDEOPS_TOKEN: '' } });
    try {
      // The link is printed right after the "listening" line the launcher waits for.
      for (let i = 0; i < 50 && !server.output().includes('token='); i++)
        await new Promise((r) => setTimeout(r, 100));
      const token = /\/signin\?token=([A-Za-z0-9_-]+)/.exec(server.output())?.[1];
      expect(token).toBeDefined();
      expect(Buffer.from(token ?? '', 'base64url').length).toBeGreaterThanOrEqual(16);
      const files = fs.readdirSync(server.dataDir).filter((f) => f.startsWith('claudeops.db'));
      for (const file of files)
        expect(fs.readFileSync(path.join(server.dataDir, file)).includes(token ?? '')).toBe(false);

      const oldCookie = cookieFrom(await signIn(server, token ?? ''));
      expect(
        (await rawRequest(server.url, { path: '/api/agents', headers: { cookie: oldCookie } })).status,
      ).toBe(200);

      const printed = execFileSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/token.ts'], {
        cwd: ROOT,
        env: {
          NODE_ENV: 'production',
          PATH: process.env.PATH,
          CLAUDEOPS_DATA_DIR: server.dataDir,
          PORT: String(server.port),
        },
        encoding: 'utf8',
      });
      const fresh = /token=([A-Za-z0-9_-]+)/.exec(printed)?.[1] ?? '';
      expect(fresh).not.toBe(token);

      expect(
        (await rawRequest(server.url, { path: '/api/agents', headers: { cookie: oldCookie } })).status,
      ).toBe(401);
      expect(
        (await rawRequest(server.url, { path: '/api/agents', headers: { authorization: `Bearer ${token}` } }))
          .status,
      ).toBe(401);
      expect((await signIn(server, token ?? '')).status).toBe(401);
      expect(
        (await rawRequest(server.url, { path: '/api/agents', headers: { authorization: `Bearer ${fresh}` } }))
          .status,
      ).toBe(200);
      // A second start shows no link: the token exists already.
      expect(server.output().match(/signin\?token=/g)).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });

  it('refuses to start on a non-loopback address with authentication off, saying why', async () => {
    await expect(
      startAppServer({ modelServerUrl: model.url, env: { HOST: '0.0.0.0', CLAUDEOPS_AUTH: 'off' } }),
    ).rejects.toThrow(/Refusing to start: HOST=0\.0\.0\.0 is reachable from other machines/);
  });
});

describe('sign-in attempts', () => {
  it('are rate limited per client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signIn(app, `guess-${i}`)).status);
    // Earlier tests in this file signed in too: wrong guesses get 401 until the limit, then only 429.
    const firstLimited = statuses.indexOf(429);
    expect(firstLimited).toBeGreaterThan(0);
    expect(statuses.slice(0, firstLimited).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(firstLimited).every((s) => s === 429)).toBe(true);
    const limited = await signIn(app, TEST_ACCESS_TOKEN);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
