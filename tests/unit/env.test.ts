import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/lib/config/env';

describe('environment', () => {
  it('defaults to loopback, port 3000 and ./data/claudeops.db', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      nodeEnv: 'development',
      anthropicApiKey: undefined,
    });
    expect(env.databasePath).toBe(path.resolve('data/claudeops.db'));
  });

  it('puts the database in the data dir unless DATABASE_PATH says otherwise', () => {
    expect(parseEnv({ CLAUDEOPS_DATA_DIR: '/srv/ops' }).databasePath).toBe('/srv/ops/claudeops.db');
    expect(parseEnv({ CLAUDEOPS_DATA_DIR: '/srv/ops', DATABASE_PATH: '/db/x.db' }).databasePath).toBe(
      '/db/x.db',
    );
  });

  it('takes DATABASE_URL as the store to use; empty or unset, the SQLite file', () => {
    const url = 'postgres://ops:pg-pass-7f3e@db.example.invalid/claudeops';
    expect(parseEnv({ DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(parseEnv({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    expect(parseEnv({}).databaseUrl).toBeUndefined();
  });

  it('treats empty values as unset', () => {
    expect(parseEnv({ PORT: '', ANTHROPIC_API_KEY: '' })).toMatchObject({
      port: 3000,
      anthropicApiKey: undefined,
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ ANTHROPIC_BASE_URL: 'not a url' }, 'ANTHROPIC_BASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ CLAUDEOPS_NOTIFY_RETRY_BASE_MS: '0' }, 'CLAUDEOPS_NOTIFY_RETRY_BASE_MS'],
    [{ CLAUDEOPS_NOTIFY_RETRY_BASE_MS: 'soon' }, 'CLAUDEOPS_NOTIFY_RETRY_BASE_MS'],
  ])('rejects %j naming the variable', (source, name) => {
    expect(() => parseEnv(source)).toThrow(new RegExp(`Invalid environment:[\\s\\S]*${name}`));
  });

  it('leaves the notification retry wait to the worker unless CLAUDEOPS_NOTIFY_RETRY_BASE_MS sets it', () => {
    expect(parseEnv({}).notifyRetryBaseMs).toBeUndefined();
    expect(parseEnv({ CLAUDEOPS_NOTIFY_RETRY_BASE_MS: '250' }).notifyRetryBaseMs).toBe(250);
  });

  it('drains 60 s on a stop signal unless CLAUDEOPS_DRAIN_SECONDS says otherwise (0: no drain)', () => {
    expect(parseEnv({}).drainMs).toBe(60_000);
    expect(parseEnv({ CLAUDEOPS_DRAIN_SECONDS: '0' }).drainMs).toBe(0);
    expect(parseEnv({ CLAUDEOPS_DRAIN_SECONDS: '2' }).drainMs).toBe(2_000);
  });

  it.each(['-1', '1.5', 'soon', '3601'])(
    'refuses CLAUDEOPS_DRAIN_SECONDS=%j naming the variable',
    (value) => {
      expect(() => parseEnv({ CLAUDEOPS_DRAIN_SECONDS: value })).toThrow(
        /Invalid environment:\n {2}CLAUDEOPS_DRAIN_SECONDS: /,
      );
    },
  );

  it('reads WORKER_LABELS as a trimmed list, none when unset', () => {
    expect(parseEnv({}).workerLabels).toEqual([]);
    expect(parseEnv({ WORKER_LABELS: '' }).workerLabels).toEqual([]);
    expect(parseEnv({ WORKER_LABELS: ' repo-a , gpu,repo-a' }).workerLabels).toEqual(['repo-a', 'gpu']);
  });

  it.each([
    ['repo-a,,gpu', /label 2 \(""\): A label is not empty/],
    ['repo-a,   ', /label 2 \(""\): A label is not empty/],
    ['repo a', /label 1 \("repo a"\): No spaces or commas/],
    ['gpu,bad\u0007bell', /label 2 .*invisible character U\+0007/],
    [`${'x'.repeat(65)}`, /label 1 .*At most 64 characters/],
  ])('refuses WORKER_LABELS=%j naming the variable and the label', (value, problem) => {
    const start = () => parseEnv({ WORKER_LABELS: value });
    expect(start).toThrow(/Invalid environment:\n {2}WORKER_LABELS: /);
    expect(start).toThrow(problem);
  });

  it("names this machine by CLAUDEOPS_HOST_NAME when set (else the hostname's), refusing one over 255 characters", () => {
    expect(parseEnv({}).hostName).toBeUndefined();
    expect(parseEnv({ CLAUDEOPS_HOST_NAME: '' }).hostName).toBeUndefined();
    expect(parseEnv({ CLAUDEOPS_HOST_NAME: 'build-2.example' }).hostName).toBe('build-2.example');
    expect(() => parseEnv({ CLAUDEOPS_HOST_NAME: 'x'.repeat(256) })).toThrow(
      /Invalid environment:\n {2}CLAUDEOPS_HOST_NAME: At most 255 characters/,
    );
  });

  it('runs agents in the web process unless CLAUDEOPS_RUN_AGENTS=false, which needs a shared Postgres', () => {
    expect(parseEnv({}).runAgents).toBe(true);
    const url = 'postgres://u:p@db:5432/claudeops';
    expect(parseEnv({ CLAUDEOPS_RUN_AGENTS: 'false', DATABASE_URL: url }).runAgents).toBe(false);
    expect(() => parseEnv({ CLAUDEOPS_RUN_AGENTS: 'false' })).toThrow(
      /CLAUDEOPS_RUN_AGENTS=false leaves runs to worker hosts.*set DATABASE_URL/,
    );
    expect(() => parseEnv({ CLAUDEOPS_RUN_AGENTS: 'no' })).toThrow(
      /Invalid environment:\n {2}CLAUDEOPS_RUN_AGENTS: /,
    );
  });

  it('refuses to serve other machines with authentication off', () => {
    expect(() => parseEnv({ HOST: '0.0.0.0', CLAUDEOPS_AUTH: 'off' })).toThrow(
      /Refusing to start: HOST=0\.0\.0\.0/,
    );
    expect(() => parseEnv({ HOST: '192.168.1.5', CLAUDEOPS_AUTH: 'off' })).toThrow(/Refusing to start/);
    expect(parseEnv({ HOST: '127.0.0.1', CLAUDEOPS_AUTH: 'off' }).authEnabled).toBe(false);
    expect(parseEnv({ HOST: '0.0.0.0' }).authEnabled).toBe(true);
  });

  it('answers to loopback names, the bound host and the configured ones', () => {
    const env = parseEnv({
      HOST: '10.0.0.7',
      CLAUDEOPS_ALLOWED_HOSTS: 'ops.lan, Box.Local',
      CLAUDEOPS_PUBLIC_URL: 'https://ops.example.com',
      CLAUDEOPS_ALLOWED_ORIGINS: 'http://ops.lan:3000',
    });
    expect(env.allowedHostnames).toEqual([
      '127.0.0.1',
      'localhost',
      '[::1]',
      '10.0.0.7',
      'ops.lan',
      'box.local',
      'ops.example.com',
    ]);
    expect(env.allowedOrigins).toEqual(['http://ops.lan:3000', 'https://ops.example.com']);
  });

  it('wants a fixed access token of at least 16 characters', () => {
    expect(() => parseEnv({ CLAUDEOPS_TOKEN: 'short' })).toThrow(/CLAUDEOPS_TOKEN/);
    expect(parseEnv({ CLAUDEOPS_TOKEN: 'a-long-enough-token' }).accessToken).toBe('a-long-enough-token');
  });
});
