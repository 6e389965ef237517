import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { describePostgresUrl, PostgresOpenError } from './postgresUrl';
import * as postgresTables from './schema-pg';
import { postgresStore, type Store } from './store';

// Opening the second dialect's store: a pool on a postgres:// URL, checked and migrated. The
// server opens it when DATABASE_URL is set; the dialect tests and benches open their throw-away
// databases through it too.

export const POSTGRES_MIGRATIONS_FOLDER = path.join(import.meta.dirname, 'migrations-pg');

export interface PostgresHandle {
  readonly store: Store;
  /** host:port/database, never the user's password: what logs and errors may print. */
  readonly where: string;
  close(): Promise<void>;
}

/** What to do about a failed connection, by Postgres' SQLSTATE or the socket's error code. */
function connectAdvice(code: unknown): string {
  switch (code) {
    case '3D000':
      return 'The database does not exist: create it (createdb), or name another in DATABASE_URL.';
    case '28P01':
    case '28000':
      return 'Postgres refused the user: check the user and password in DATABASE_URL, and pg_hba.conf.';
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
      return 'Check that Postgres runs there and accepts connections from this host (listen_addresses, the firewall).';
    default:
      return 'Check DATABASE_URL and that the server accepts connections from this host.';
  }
}

/**
 * How long a session may sit idle inside a transaction before Postgres ends it, and so releases its
 * locks. A process paused mid-transaction (SIGSTOP, a debugger, a frozen VM) would otherwise hold
 * the claim lock or a run's row, and every other process would wait on it until it resumed. Our
 * transactions send their statements back to back (db/plan.ts), so only a paused process gets near
 * this; it is below the worker's fence (15 s) and lease (20 s).
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;

/**
 * A pool on `url`, checked with one round trip and migrated with the committed Postgres migrations
 * (one transaction: all or none). A failure names where, never the password, and what to do.
 */
export async function openPostgres(
  url: string,
  options: {
    maxConnections?: number;
    onIdleClientError?: (error: Error) => void;
    idleInTransactionTimeoutMs?: number;
  } = {},
): Promise<PostgresHandle> {
  const where = describePostgresUrl(url);
  const pool = newPostgresPool(url, options);
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end();
    const code = (error as { code?: unknown }).code;
    throw new PostgresOpenError(
      `Cannot open Postgres at ${where}: ${(error as Error).message}${typeof code === 'string' ? ` (${code})` : ''}. ${connectAdvice(code)}`,
      { cause: error },
    );
  }
  const db = drizzle(pool, { schema: postgresTables });
  try {
    await migrateAlone(pool, async () => {
      await migrate(db, { migrationsFolder: POSTGRES_MIGRATIONS_FOLDER });
      // The shared queue's wake-ups are graphile-worker jobs (queries/claimJobs.ts): its schema too.
      // Loaded here, not with this module: a server on SQLite never needs it (~40 ms of loading).
      const { Logger, runMigrations } = await import('graphile-worker');
      await runMigrations({ pgPool: pool, logger: new Logger(() => () => undefined) });
    });
  } catch (error) {
    await pool.end();
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    throw new PostgresOpenError(
      `Postgres migration failed at ${where}: ${(cause as Error).message}. The failed set was rolled back: ClaudeOps' migrations run in one transaction, graphile-worker's each in its own.`,
      { cause: error },
    );
  }
  return { store: postgresStore(db), where, close: () => pool.end() };
}

/** A pool on `url` whose lost connections never throw, with the session settings every pool here has. */
export function newPostgresPool(
  url: string,
  options: {
    maxConnections?: number;
    onIdleClientError?: (error: Error) => void;
    idleInTransactionTimeoutMs?: number;
  },
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 10_000,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? IDLE_IN_TRANSACTION_TIMEOUT_MS,
  });
  keepLostConnectionsFromThrowing(pool, options.onIdleClientError);
  return pool;
}

/**
 * A client that loses its server emits 'error', and an 'error' event without a listener throws: the
 * process would die with its database's restart or a network blip. Idle clients are the pool's
 * (reported, and the next query connects again); a client checked out (in a query or a transaction)
 * is not, so each gets its own listener. Its queries fail with the error, and their callers say so.
 */
function keepLostConnectionsFromThrowing(pool: pg.Pool, onIdleClientError?: (error: Error) => void): void {
  pool.on('error', (error) => onIdleClientError?.(error));
  pool.on('connect', (client) => client.on('error', () => {}));
}

/** The advisory lock migrations take (an arbitrary constant: "migr" in ASCII). */
const MIGRATION_LOCK = 0x6d696772;

/**
 * Runs `migrate` while holding the migration lock: the processes of one database (web nodes,
 * workers) start at once, and the second waits for the first's migrations, then finds them applied.
 */
async function migrateAlone(pool: pg.Pool, migrate: () => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate();
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/**
 * A small pool whose sessions refuse every write (`default_transaction_read_only`), unmigrated and
 * unchecked (the server's own pool is both): for readers that must never write, whatever they are
 * asked (the System Health Reporter's tools).
 */
export function openPostgresReadOnly(url: string, onIdleClientError: (error: Error) => void): PostgresHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: 2,
    connectionTimeoutMillis: 10_000,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    options: '-c default_transaction_read_only=on',
  });
  keepLostConnectionsFromThrowing(pool, onIdleClientError);
  const db = drizzle(pool, { schema: postgresTables });
  return { store: postgresStore(db), where: describePostgresUrl(url), close: () => pool.end() };
}
