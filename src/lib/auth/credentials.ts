import { loadKeyFile } from '../config/keyFile';
import type { Db } from '../db';
import { runOnSqlite } from '../db/plan';
import { getSetting, putSetting } from '../db/queries/settings';
import { sqliteStore } from '../db/store';
import { createSessionValue, isValidSession } from './session';
import { generateToken, hashToken, tokenMatchesHash } from './token';

const TOKEN_HASH_SETTING = 'auth.token_sha256';

/**
 * Where the access token comes from: CLAUDEOPS_TOKEN (scripts, deployments) or a generated one
 * whose hash alone is kept in app_settings. The hash is read per check, so `npm run token` in
 * another process takes effect at once.
 */
export class AccessCredentials {
  constructor(
    private readonly db: Db,
    private readonly envToken: string | undefined,
    private readonly sessionKey: Buffer,
  ) {}

  /** Creates the first token if there is none; returns it (to show once) or null. */
  ensureToken(): string | null {
    if (
      this.envToken !== undefined ||
      typeof runOnSqlite(getSetting(sqliteStore(this.db), TOKEN_HASH_SETTING)) === 'string'
    )
      return null;
    return rotateAccessToken(this.db);
  }

  tokenHash(): string {
    if (this.envToken !== undefined) return hashToken(this.envToken);
    const stored = runOnSqlite(getSetting(sqliteStore(this.db), TOKEN_HASH_SETTING));
    if (typeof stored !== 'string') throw new Error('No access token configured');
    return stored;
  }

  isValidToken(token: string): boolean {
    return tokenMatchesHash(token, this.tokenHash());
  }

  isValidSession(value: string): boolean {
    return isValidSession(value, this.sessionKey, this.tokenHash());
  }

  createSession(): string {
    return createSessionValue(this.sessionKey, this.tokenHash());
  }
}

/** Replaces the stored token; every session signed for the old one stops working. */
export function rotateAccessToken(db: Db): string {
  const token = generateToken();
  runOnSqlite(putSetting(sqliteStore(db), TOKEN_HASH_SETTING, hashToken(token)));
  return token;
}

/** The key that signs session cookies: a 0600 file in the data dir, never in the database. */
export function loadSessionKey(dataDir: string): Buffer {
  return loadKeyFile(dataDir, 'session.key');
}
