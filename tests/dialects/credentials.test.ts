import crypto from 'node:crypto';
import { expect, it } from 'vitest';
import { AccessCredentials, rotateAccessToken } from '../../src/lib/auth/credentials';
import { execute, rowsOf } from '../../src/lib/db/plan';
import type { Store } from '../../src/lib/db/store';
import { describeOnEachDialect } from '../helpers/stores';

// The access token on both dialects, as the gate and the sign-in route check it: only its hash is
// stored, a wrong token or an old session fails, and a rotation (`npm run token`) applies at once.

/** Every stored setting, as text: what someone reading the database would see. */
async function storedSettings(store: Store): Promise<string> {
  const rows = await execute(store, rowsOf(store.db.select().from(store.t.appSettings)));
  return JSON.stringify(rows);
}

describeOnEachDialect('access credentials', (store) => {
  const sessionKey = crypto.randomBytes(32);

  it('creates the first token once; it verifies, a wrong one does not, and only its hash is stored', async () => {
    const credentials = new AccessCredentials(store(), undefined, sessionKey);
    const token = await credentials.ensureToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(await credentials.ensureToken()).toBeNull();

    const current = await credentials.current();
    expect(current.isValidToken(token ?? '')).toBe(true);
    expect(current.isValidToken(`${token}x`)).toBe(false);
    expect(current.isValidToken('')).toBe(false);
    const session = current.createSession();
    expect(current.isValidSession(session)).toBe(true);
    expect(current.isValidSession(`${session}0`)).toBe(false);

    const stored = await storedSettings(store());
    expect(stored).toContain(
      crypto
        .createHash('sha256')
        .update(token ?? '')
        .digest('hex'),
    );
    expect(stored).not.toContain(token);
  });

  it('a rotation applies at the next check: the old token and its sessions stop working, the new one works', async () => {
    const credentials = new AccessCredentials(store(), undefined, sessionKey);
    const old = await rotateAccessToken(store());
    const before = await credentials.current();
    expect(before.isValidToken(old)).toBe(true);
    const oldSession = before.createSession();
    const fresh = await rotateAccessToken(store());

    const after = await credentials.current();
    expect(after.isValidToken(old)).toBe(false);
    expect(after.isValidSession(oldSession)).toBe(false);
    expect(after.isValidToken(fresh)).toBe(true);
    expect(await storedSettings(store())).not.toContain(fresh);
  });

  it('a token from CLAUDEOPS_TOKEN is checked as given and never stored', async () => {
    const envToken = `env-${crypto.randomBytes(16).toString('hex')}`;
    const credentials = new AccessCredentials(store(), envToken, sessionKey);
    expect(await credentials.ensureToken()).toBeNull();
    const current = await credentials.current();
    expect(current.isValidToken(envToken)).toBe(true);
    expect(current.isValidToken('env-wrong')).toBe(false);
    expect(await storedSettings(store())).not.toContain(envToken);
  });
});
