// What may be said about a Postgres URL and a lost link to it without loading the driver: the
// API's error answers read it too.

export class PostgresOpenError extends Error {
  override name = 'PostgresOpenError';
}

/** host:port/database of a postgres URL, without credentials; throws when it is not one. */
export function describePostgresUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PostgresOpenError(
      'DATABASE_URL is not a URL: expected postgres://user:password@host:port/database',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new PostgresOpenError(
      `DATABASE_URL must start with postgres:// (it starts with ${parsed.protocol}//)`,
    );
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(the user’s default)';
  return `${parsed.hostname}:${parsed.port || '5432'}/${database}`;
}

/** Socket errors of a connection to the database: refused, reset, timed out, unreachable. */
const LOST_LINK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
/**
 * node-postgres's own words for a connection that went (and for a client used after it went), or
 * never came within its timeout.
 */
const LOST_LINK_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

/**
 * The database out of reach under `error` (or its causes): a socket error, node-postgres's
 * "Connection terminated…", a connection exception (SQLSTATE class 08) or a server shutting down
 * (57P01–57P03); null for any other error. What it says is for the user: the code, or the words.
 */
export function lostDatabaseLinkOf(error: unknown): string | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (LOST_LINK_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code))
    )
      return code;
    if (LOST_LINK_MESSAGE.test(current.message)) return current.message;
    current = current.cause;
  }
  return null;
}
