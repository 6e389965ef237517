import crypto from 'node:crypto';
import { env } from '../config/env';
import { loadKeyFile } from '../config/keyFile';
import { singleton } from '../core/singleton';

/**
 * Seals secrets for storage: AES-256-GCM, so a changed or swapped value fails to open instead of
 * decrypting to junk.
 */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function secretBoxFromKey(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('A secret box needs a 256-bit key');
  return {
    seal(plain) {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed) {
      const [version, payload] = sealed.split(':');
      if (version !== VERSION || payload === undefined) throw new Error('Not a sealed value');
      const raw = Buffer.from(payload, 'base64');
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    },
  };
}

/** The box whose key is `secrets.key` (0600) in the data dir. */
export function loadSecretBox(dataDir: string): SecretBox {
  return secretBoxFromKey(loadKeyFile(dataDir, 'secrets.key'));
}

/** The process's box, shared by server.ts and the compiled routes. */
export function appSecretBox(): SecretBox {
  return singleton('secretBox', () => loadSecretBox(env().dataDir));
}
