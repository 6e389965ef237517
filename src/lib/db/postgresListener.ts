import { sql } from 'drizzle-orm';
import pg from 'pg';
import { changesOf, type Plan } from './plan';
import type { Store } from './store';

// Postgres' LISTEN/NOTIFY as a transport: one dedicated connection that listens (a pooled one would
// go back to the pool and stop hearing), and NOTIFY as a statement of a plan, so a notification
// sent inside a transaction goes out when, and only if, it commits (Postgres holds it until then).
// docs/scaling.md#live-logs-and-stops-across-processes.

/** Postgres refuses a payload of 8000 bytes or more. */
export const NOTIFY_PAYLOAD_LIMIT_BYTES = 7_999;

/** Postgres' database, which the Store's SQLite-typed one is at run time there (see store.ts). */
interface PostgresExecutor {
  execute(query: ReturnType<typeof sql>): Parameters<typeof changesOf>[0];
}

/**
 * Sends `payload` on `channel`: at once outside a transaction, at its commit inside one (and not at
 * all if it rolls back). Postgres delivers notifications in commit order and folds identical ones of
 * one transaction into one.
 */
export function* notify(store: Store, channel: string, payload: string): Plan<void> {
  if (store.dialect !== 'postgres') throw new Error('NOTIFY needs a Postgres store');
  if (Buffer.byteLength(payload) > NOTIFY_PAYLOAD_LIMIT_BYTES)
    throw new Error(`A NOTIFY payload must stay under 8000 bytes (${Buffer.byteLength(payload)} given)`);
  yield* changesOf(
    (store.db as unknown as PostgresExecutor).execute(sql`select pg_notify(${channel}, ${payload})`),
  );
}

export interface ListenerEvents {
  onNotification(channel: string, payload: string): void;
  /**
   * The LISTENs are in place, at the first connection and after every reconnection: whatever was
   * sent while there was none is lost, so listeners must read again what they follow.
   */
  onConnected(): void;
  /**
   * The connection broke (`listening`) or could not be made (`connecting`); it reconnects by
   * itself. A failed connection says the database is out of reach; a broken one may only have been
   * ended (a restart, `pg_terminate_backend`) and come back at the next attempt.
   */
  onError(error: Error, phase: 'connecting' | 'listening'): void;
}

export interface ListenerOptions {
  /** Waits between reconnection attempts: doubling from the first to the last. */
  backoffMs?: { first: number; max: number };
  /** A round trip this often, so a connection that died without a word (a host gone) is noticed. */
  pingMs?: number;
  /** A ping unanswered this long gives the connection up. */
  pingTimeoutMs?: number;
}

type ConnectionState =
  | { kind: 'connecting'; client: pg.Client }
  | { kind: 'listening'; client: pg.Client; backendPid: number }
  | { kind: 'waiting'; timer: NodeJS.Timeout }
  | { kind: 'closed' };

/**
 * One connection holding `LISTEN` on `channels`, connecting again with backoff whenever it breaks
 * (a restart of Postgres, `pg_terminate_backend`, a dead network found by the ping). Never throws:
 * failures go to `onError`.
 */
export class PostgresListener {
  // Set by the constructor's connect().
  private state: ConnectionState = { kind: 'closed' };
  private failures = 0;
  /** The connection whose ping is unanswered yet (a frozen one's never is). */
  private pinging: pg.Client | undefined;
  private readonly pingTimer: NodeJS.Timeout;
  private readonly backoff: { first: number; max: number };
  private readonly pingTimeoutMs: number;

  constructor(
    private readonly url: string,
    private readonly channels: readonly string[],
    private readonly events: ListenerEvents,
    options: ListenerOptions = {},
  ) {
    this.backoff = options.backoffMs ?? { first: 100, max: 5_000 };
    this.pingTimeoutMs = options.pingTimeoutMs ?? 5_000;
    this.pingTimer = setInterval(() => this.ping(), options.pingMs ?? 10_000);
    this.pingTimer.unref();
    this.connect();
  }

  /** The server process of the listening connection (what `pg_terminate_backend` takes), if connected. */
  get backendPid(): number | undefined {
    return this.state.kind === 'listening' ? this.state.backendPid : undefined;
  }

  async close(): Promise<void> {
    const state = this.state;
    this.state = { kind: 'closed' };
    clearInterval(this.pingTimer);
    if (state.kind === 'waiting') clearTimeout(state.timer);
    if (state.kind === 'listening' || state.kind === 'connecting') await state.client.end().catch(() => {});
  }

  private connect(): void {
    const client = new pg.Client({
      connectionString: this.url,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
    });
    // Registered before connecting: an 'error' event without a listener would crash the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the connection was closed')));
    client.on('notification', ({ channel, payload }) => {
      if (this.isCurrent(client, 'listening')) this.events.onNotification(channel, payload ?? '');
    });
    this.state = { kind: 'connecting', client };
    void this.listen(client);
  }

  private async listen(client: pg.Client): Promise<void> {
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`listen ${pg.escapeIdentifier(channel)}`);
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      // Closed meanwhile (close() ended it), or given up (lost() did).
      if (!this.isCurrent(client, 'connecting')) return;
      this.state = { kind: 'listening', client, backendPid: rows[0]?.pid ?? 0 };
      this.failures = 0;
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    this.events.onConnected();
  }

  private isCurrent(client: pg.Client, kind?: 'connecting' | 'listening'): boolean {
    const state = this.state;
    return (
      (state.kind === 'connecting' || state.kind === 'listening') &&
      state.client === client &&
      (kind === undefined || state.kind === kind)
    );
  }

  /** The connection `client` broke (or never came up): report it once, wait, connect again. */
  private lost(client: pg.Client, error: Error): void {
    if (!this.isCurrent(client)) return;
    const phase = this.state.kind === 'connecting' ? 'connecting' : 'listening';
    client.removeAllListeners('notification');
    client.removeAllListeners('end');
    client.on('error', () => {});
    void client.end().catch(() => {});
    this.events.onError(error, phase);
    const wait = Math.min(this.backoff.max, this.backoff.first * 2 ** this.failures);
    this.failures += 1;
    const timer = setTimeout(() => this.connect(), wait);
    timer.unref();
    this.state = { kind: 'waiting', timer };
  }

  private ping(): void {
    const state = this.state;
    // One ping at a time: an unanswered one is already timing the connection out.
    if (state.kind !== 'listening' || this.pinging === state.client) return;
    this.pinging = state.client;
    const silent = setTimeout(
      () => this.lost(state.client, new Error('The listening connection stopped answering')),
      this.pingTimeoutMs,
    );
    silent.unref();
    state.client
      .query('select 1')
      .catch((error: Error) => this.lost(state.client, error))
      .finally(() => {
        clearTimeout(silent);
        if (this.pinging === state.client) this.pinging = undefined;
      });
  }
}
