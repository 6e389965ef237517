// Opening a Postgres store (src/lib/db/postgres.ts) on a real throw-away cluster: what a person sees
// when DATABASE_URL is wrong, and that the password never shows in it.
import net from 'node:net';
import { count, type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, sqlChangesOf } from '../../src/lib/db/plan';
import { openPostgres, openPostgresReadOnly } from '../../src/lib/db/postgres';
import { describePostgresUrl, lostDatabaseLinkOf, PostgresOpenError } from '../../src/lib/db/postgresUrl';
import { listChannelRows } from '../../src/lib/db/queries/notificationChannels';
import type { Store } from '../../src/lib/db/store';
import { type PostgresCluster, startPostgres } from '../helpers/postgres';
import { openPostgresTransaction } from '../helpers/stores';
import { startTcpProxy } from '../helpers/tcpProxy';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(() => cluster?.stop());

const PASSWORD = 'pg-pass-9c1d';
/** The cluster's URL for `database`, with a password (trust auth ignores it). */
const urlOf = (database: string) => {
  const url = new URL(cluster.url);
  url.password = PASSWORD;
  url.pathname = `/${database}`;
  return url.toString();
};

async function openError(url: string): Promise<Error> {
  const error = await openPostgres(url).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof PostgresOpenError))
    throw new Error(`expected a PostgresOpenError, got ${String(error)}`);
  return error;
}

describe('opening Postgres', () => {
  it('opens a read-only pool (the health reporter’s) that reads, and that Postgres refuses every write on', async () => {
    await cluster.createDatabase('read_only');
    const migrated = await openPostgres(urlOf('read_only'));
    await migrated.close();
    const failures: Error[] = [];
    const readOnly = openPostgresReadOnly(urlOf('read_only'), (error) => failures.push(error));
    try {
      expect(await execute(readOnly.store, listChannelRows(readOnly.store))).toEqual([]);
      const { db, t } = readOnly.store;
      await expect(
        db.insert(t.appSettings).values({ key: 'read-only.probe', value: 1, updatedAt: 0 }),
      ).rejects.toMatchObject({ cause: { code: '25006' } });
    } finally {
      await readOnly.close();
    }
    expect(failures).toEqual([]);
  });

  it('migrates a new database and serves queries; opening it again applies nothing twice', async () => {
    await cluster.createDatabase('opened');
    const first = await openPostgres(urlOf('opened'));
    expect(first.where).toBe(`127.0.0.1:${new URL(cluster.url).port}/opened`);
    expect(await execute(first.store, listChannelRows(first.store))).toEqual([]);
    await first.close();
    const again = await openPostgres(urlOf('opened'));
    expect(await execute(again.store, listChannelRows(again.store))).toEqual([]);
    await again.close();
  });

  it('fails a transaction whose connection is lost midway, and nothing throws outside it; the pool serves again once the link is back', async () => {
    await cluster.createDatabase('lost_link');
    const url = new URL(urlOf('lost_link'));
    const proxy = await startTcpProxy(Number(url.port));
    url.port = String(proxy.port);
    const handle = await openPostgres(url.toString());
    try {
      const store = handle.store;
      const read = (tx: Store) => tx.db.select({ n: count() }).from(tx.t.appSettings);
      let inside!: () => void;
      const holding = new Promise<void>((resolve) => {
        inside = resolve;
      });
      const transaction = openPostgresTransaction(store, async (tx) => {
        await read(tx);
        inside();
        // The link goes while the transaction holds its client between two queries.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await read(tx);
      });
      await holding;
      proxy.cut();
      const failure = await transaction.then(
        () => undefined,
        (error: unknown) => error,
      );
      // What the API answers 503 for (the database cannot be reached), not a bug's 500.
      expect(lostDatabaseLinkOf(failure)).toMatch(
        /^(ECONNRESET|Connection terminated unexpectedly|Client has encountered a connection error and is not queryable)$/,
      );
      expect(lostDatabaseLinkOf(new Error('duplicate key value'))).toBeNull();
      proxy.mend();
      expect(await read(store)).toEqual([{ n: 0 }]);
    } finally {
      await handle.close();
      await proxy.close();
    }
  });

  it('ends a session left idle inside a transaction (a paused process), so its locks wedge no other process', async () => {
    await cluster.createDatabase('idle_in_transaction');
    const paused = await openPostgres(urlOf('idle_in_transaction'), { idleInTransactionTimeoutMs: 1_000 });
    const other = await openPostgres(urlOf('idle_in_transaction'));
    try {
      const run = (tx: Store, query: SQL) => execute(tx, sqlChangesOf(tx, query));
      const lock = (tx: Store) => run(tx, sql`select pg_advisory_xact_lock(4242)`);
      let locked!: () => void;
      const holding = new Promise<void>((resolve) => {
        locked = resolve;
      });
      let resumedAt = 0;
      const stalled = openPostgresTransaction(paused.store, async (tx) => {
        await lock(tx);
        locked();
        // Paused between two statements, the lock held (as the claim lock would be).
        await new Promise((resolve) => setTimeout(resolve, 4_000));
        resumedAt = Date.now();
        await run(tx, sql`select 1`);
      });
      await holding;
      await openPostgresTransaction(other.store, lock);
      const lockedElsewhereAt = Date.now();
      const failure = await stalled.then(
        () => undefined,
        (error: unknown) => error,
      );
      // The other process took the lock while the paused one still slept, and the paused one's
      // transaction failed once it went on: nothing it did after the pause was committed.
      expect(resumedAt).toBeGreaterThan(lockedElsewhereAt);
      expect(failure).toBeInstanceOf(Error);
      // Its pool serves again.
      expect(await run(paused.store, sql`select 1`)).toBe(1);
    } finally {
      await paused.close();
      await other.close();
    }
  });

  it('names where and what to do when the database does not exist, never the password', async () => {
    const error = await openError(urlOf('nowhere'));
    expect(error.message).toMatch(
      /^Cannot open Postgres at 127\.0\.0\.1:\d+\/nowhere: .*does not exist.*\(3D000\)/,
    );
    expect(error.message).toContain('create it (createdb)');
    expect(error.message).not.toContain(PASSWORD);
  });

  it('names where and what to check when nothing listens there', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await openError(`postgres://ops:${PASSWORD}@127.0.0.1:${port}/claudeops`);
    expect(error.message).toMatch(
      new RegExp(`^Cannot open Postgres at 127\\.0\\.0\\.1:${port}/claudeops: .*ECONNREFUSED`),
    );
    expect(error.message).toContain('Check that Postgres runs there');
    expect(error.message).not.toContain(PASSWORD);
  });

  it('refuses a URL that is not a postgres one, saying what it expects', () => {
    expect(() => describePostgresUrl('mysql://root@db/claudeops')).toThrow(
      /must start with postgres:\/\/ \(it starts with mysql:\/\/\)/,
    );
    expect(() => describePostgresUrl('not a url')).toThrow(
      /expected postgres:\/\/user:password@host:port\/database/,
    );
    expect(describePostgresUrl(`postgresql://ops:${PASSWORD}@db.internal/claudeops`)).toBe(
      'db.internal:5432/claudeops',
    );
  });
});
