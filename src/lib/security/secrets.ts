import { singleton } from '../core/singleton';

/** Env var names whose values are treated as secrets wherever they might surface. */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|AUTH)/i;
/** Shorter values would mask ordinary words and numbers. */
const MIN_SECRET_LENGTH = 8;

/** A URL's password (`postgres://user:password@host/db`), decoded as the server reads it, or null. */
function passwordOf(value: string): string | null {
  try {
    const { password } = new URL(value);
    return password ? decodeURIComponent(password) : null;
  } catch {
    return null;
  }
}

/**
 * The values of every secret-named variable in an environment, and every password inside a URL
 * (DATABASE_URL's), with the URL that carries it, longest first.
 */
export function secretValuesFrom(source: Record<string, string | undefined>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (SECRET_NAME.test(name)) values.push(value);
    const password = passwordOf(value);
    if (password) values.push(password, value);
  }
  return [...new Set(values.filter((value) => value.length >= MIN_SECRET_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
}

/**
 * Replaces known secret values in text before it is stored, logged or streamed. Tool output is
 * the usual way a secret escapes: an agent may run `env` or print a config file.
 */
export class SecretMasker {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string>) {
    this.secrets = [...new Set(secrets)]
      .filter((s) => s.length >= MIN_SECRET_LENGTH)
      .sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
    return out;
  }

  /** Masks inside any JSON value (every string, at any depth). */
  maskJson<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    const serialized = JSON.stringify(value);
    if (serialized === undefined) return value;
    const masked = this.mask(serialized);
    return masked === serialized ? value : (JSON.parse(masked) as T);
  }
}

/** Masks the secret-named variables of this process's environment (API keys, tokens, passwords). */
export function processSecretMasker(): SecretMasker {
  return singleton('secretMasker', () => new SecretMasker(secretValuesFrom(process.env)));
}
