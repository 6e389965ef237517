// `npm run token`: issues a new access token and revokes the old one (and every session signed
// in with it). The running server reads the token's hash from the database, so it applies at once.
import { rotateAccessToken } from '../src/lib/auth/credentials';
import { env } from '../src/lib/config/env';
import { openDatabase } from '../src/lib/db';
import { applyMigrations } from '../src/lib/db/migrate';
import { sqliteStore } from '../src/lib/db/store';

const appEnv = env();
if (appEnv.accessToken !== undefined) {
  console.error('The access token comes from CLAUDEOPS_TOKEN: change it there and restart ClaudeOps.');
  process.exit(1);
}
const handle = openDatabase(env().databasePath);
applyMigrations(handle);
const token = await rotateAccessToken(sqliteStore(handle.db));
handle.sqlite.close();

const host = appEnv.host.includes(':') ? `[${appEnv.host}]` : appEnv.host;
const origin = appEnv.publicUrl?.origin ?? `http://${host}:${appEnv.port}`;
console.log(
  'New access token issued. The old token and every session signed in with it have stopped working.',
);
console.log(`Sign in:  ${origin}/signin?token=${token}`);
console.log(`Scripts:  Authorization: Bearer ${token}`);
