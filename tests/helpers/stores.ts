// Stores for the dialect-neutral queries' tests (tests/dialects): each suite runs once on a SQLite
// file and once on a database of a throw-away Postgres cluster, both with their committed
// migrations applied. One cluster per test file, started on first use and stopped with the file.
import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import * as postgresTables from '../../src/lib/db/schema-pg';
import { type Dialect, postgresStore, type Store, sqliteStore } from '../../src/lib/db/store';
import { type PostgresCluster, startPostgres } from './postgres';
import { createTestDb } from './testDb';

const POSTGRES_MIGRATIONS = path.resolve('src/lib/db/migrations-pg');
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
  const url = await (await cluster).createDatabase(`store_${process.pid}_${databases}`);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const db = drizzle(pool, { schema: postgresTables });
  await migrate(db, { migrationsFolder: POSTGRES_MIGRATIONS });
  return { store: postgresStore(db), close: () => pool.end() };
}

/**
 * `body` once per dialect, each in a describe of its own (named `name (sqlite)`, `name (postgres)`)
 * with a fresh, migrated store that `store()` returns inside its tests.
 */
export function describeOnEachDialect(name: string, body: (store: () => Store) => void): void {
  describeOn(DIALECTS, name, body);
}

/** The same on Postgres alone: what has no SQLite counterpart, as a plan through a GIN index. */
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

/** An agent to hang runs on, in `store`. */
export async function insertAgent({ db, t }: Store, name = 'agent'): Promise<number> {
  const [agent] = await db
    .insert(t.agentConfigurations)
    .values({ name, model: 'claude-sonnet-4-5', defaultPrompt: 'Go.', createdAt: 0, updatedAt: 0 })
    .returning({ id: t.agentConfigurations.id });
  if (!agent) throw new Error('no agent inserted');
  return agent.id;
}
