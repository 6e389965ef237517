import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/lib/env';

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
  ])('rejects %j naming the variable', (source, name) => {
    expect(() => parseEnv(source)).toThrow(new RegExp(`Invalid environment:[\\s\\S]*${name}`));
  });
});
