// Stores for the dialect-neutral queries' tests (tests/dialects): each suite runs once on a SQLite
// file and once on a database of a throw-away Postgres cluster, both with their committed
// migrations applied. One cluster per test file, started on first use and stopped with the file.
import { count, sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { openPostgres } from '../../src/lib/db/postgres';
import type { NewAgentConfiguration, NewExecution } from '../../src/lib/db/schema';
import { type Dialect, type Store, sqliteStore, type Tables } from '../../src/lib/db/store';
import { type PostgresCluster, startPostgres } from './postgres';
import { migratedPostgresStore } from './postgresStore';
import { createTestDb } from './testDb';

const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

let cluster: Promise<PostgresCluster> | undefined;
let databases = 0;

afterAll(async () => {
  await (await cluster)?.stop();
});

async function openTestStore(dialect: Dialect): Promise<{ store: Store; close(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const handle = createTestDb();
    return {
      store: sqliteStore(handle.db),
      close: async () => {
        handle.sqlite.close();
      },
    };
  }
  cluster ??= startPostgres();
  databases += 1;
  return migratedPostgresStore(await cluster, `store_${process.pid}_${databases}`);
}

/**
 * `body` once per dialect, each in a describe of its own (named `name (sqlite)`, `name (postgres)`)
 * with a fresh, migrated store that `store()` returns inside its tests.
 */
export function describeOnEachDialect(name: string, body: (store: () => Store) => void): void {
  describeOn(DIALECTS, name, body);
}

/** What only Postgres has (row locks, concurrent transactions, its query plans), as `describeOnEachDialect` runs it. */
export function describeOnPostgres(name: string, body: (store: () => Store) => void): void {
  describeOn(['postgres'], name, body);
}

function describeOn(dialects: Dialect[], name: string, body: (store: () => Store) => void): void {
  describe.each(dialects)(`${name} (%s)`, (dialect) => {
    let opened: Awaited<ReturnType<typeof openTestStore>> | undefined;
    beforeAll(async () => {
      opened = await openTestStore(dialect);
    });
    afterAll(() => opened?.close());
    body(() => {
      if (!opened) throw new Error(`the ${dialect} store is not open`);
      return opened.store;
    });
  });
}

/**
 * Deletes every row of the tables `pick` names, in that order (children before their parents): a
 * suite's cases start from empty tables, as each file has one store per dialect.
 */
export async function emptyTables(store: Store, pick: (t: Tables) => SQLiteTable[]): Promise<void> {
  for (const table of pick(store.t)) await store.db.delete(table);
}

/** An agent to hang runs on, in `store` (a budget and the rest as given). */
export async function insertAgent(
  { db, t }: Store,
  name = 'agent',
  fields: Partial<NewAgentConfiguration> = {},
): Promise<number> {
  const [agent] = await db
    .insert(t.agentConfigurations)
    .values({ name, model: 'claude-sonnet-4-5', defaultPrompt: 'Go.', createdAt: 0, updatedAt: 0, ...fields })
    .returning({ id: t.agentConfigurations.id });
  if (!agent) throw new Error('no agent inserted');
  return agent.id;
}

/** A run of `agentId` in `store` (status and the rest as given), and its id. */
export async function insertRun(
  { db, t }: Store,
  agentId: number,
  fields: Partial<NewExecution> = {},
): Promise<number> {
  const [run] = await db
    .insert(t.executions)
    .values({
      agentId,
      trigger: 'api',
      status: 'running',
      prompt: 'Go.',
      model: 'claude-sonnet-4-5',
      createdAt: 1_800_000_000_000,
      ...fields,
    })
    .returning({ id: t.executions.id });
  if (!run) throw new Error('no run inserted');
  return run.id;
}

/**
 * A Postgres transaction left open while `body` runs (drizzle's, whose body is async: typed as
 * SQLite's on a Store, see store.ts): for what another connection sees or waits for meanwhile.
 */
export function openPostgresTransaction<T>(store: Store, body: (tx: Store) => Promise<T>): Promise<T> {
  return store.db.transaction(
    (txDb) => body({ ...store, db: txDb }) as unknown as T,
  ) as unknown as Promise<T>;
}

/** The URL of the database a Postgres test store is on. */
export function postgresUrlOf(store: Store): string {
  return (store.db as unknown as { $client: { options: { connectionString: string } } }).$client.options
    .connectionString;
}

/** Another pool on the database `store` (a Postgres test store) uses: a second process, as far as locks go. */
export async function anotherPostgresPool(store: Store): Promise<{ store: Store; close(): Promise<void> }> {
  return openPostgres(postgresUrlOf(store), { maxConnections: 2 });
}

/** How many sessions of the Postgres database `store` is on wait for a lock another holds. */
export async function lockWaits({ db }: Store): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(sql`pg_stat_activity`)
    .where(sql`datname = current_database() and wait_event_type = 'Lock'`);
  return row?.n ?? 0;
}
