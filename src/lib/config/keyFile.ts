import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A 256-bit key kept in a 0600 file of the data dir, created on first use. Keys live beside the
 * database, never in it, so a copy of the database file alone reveals nothing they protect.
 */
export function loadKeyFile(dataDir: string, fileName: string): Buffer {
  const file = path.join(dataDir, fileName);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: use theirs.
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    }
  }
  return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
}
