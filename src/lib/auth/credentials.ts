import { loadKeyFile } from '../config/keyFile';
import { execute } from '../db/plan';
import { getSetting, putSetting } from '../db/queries/settings';
import type { Store } from '../db/store';
import type { CredentialCheck } from '../security/requestGate';
import { createSessionValue, isValidSession } from './session';
import { generateToken, hashToken, tokenMatchesHash } from './token';

const TOKEN_HASH_SETTING = 'auth.token_sha256';

/** The credentials as they stand at one read: checks against the token hash read then, and a session signed with it. */
export interface CredentialSnapshot extends CredentialCheck {
  createSession(): string;
}

/**
 * Where the access token comes from: CLAUDEOPS_TOKEN (scripts, deployments) or a generated one
 * whose hash alone is kept in app_settings. The hash is read per check (per request), so
 * `npm run token` in another process, or on another host sharing the store, takes effect at once.
 */
export class AccessCredentials {
  constructor(
    private readonly store: Store,
    private readonly envToken: string | undefined,
    private readonly sessionKey: Buffer,
  ) {}

  /** Creates the first token if there is none; returns it (to show once) or null. */
  async ensureToken(): Promise<string | null> {
    if (this.envToken !== undefined || (await this.storedHash()) !== undefined) return null;
    return rotateAccessToken(this.store);
  }

  /** Reads the token hash once; the snapshot checks tokens and sessions against it synchronously. */
  async current(): Promise<CredentialSnapshot> {
    const hash = await this.tokenHash();
    return {
      isValidToken: (token) => tokenMatchesHash(token, hash),
      isValidSession: (value) => isValidSession(value, this.sessionKey, hash),
      createSession: () => createSessionValue(this.sessionKey, hash),
    };
  }

  private async tokenHash(): Promise<string> {
    if (this.envToken !== undefined) return hashToken(this.envToken);
    const stored = await this.storedHash();
    if (stored === undefined) throw new Error('No access token configured');
    return stored;
  }

  private async storedHash(): Promise<string | undefined> {
    const stored = await execute(this.store, getSetting(this.store, TOKEN_HASH_SETTING));
    return typeof stored === 'string' ? stored : undefined;
  }
}

/** Replaces the stored token (only its hash is stored); every session signed for the old one stops working. */
export async function rotateAccessToken(store: Store): Promise<string> {
  const token = generateToken();
  await execute(store, putSetting(store, TOKEN_HASH_SETTING, hashToken(token)));
  return token;
}

/** The key that signs session cookies: a 0600 file in the data dir, never in the database. */
export function loadSessionKey(dataDir: string): Buffer {
  return loadKeyFile(dataDir, 'session.key');
}
