import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as postgresTables from '../../src/lib/db/schema-pg';
import { postgresStore, type Store } from '../../src/lib/db/store';
import type { PostgresCluster } from './postgres';

const POSTGRES_MIGRATIONS = path.resolve(import.meta.dirname, '../../src/lib/db/migrations-pg');

/** A new database on `cluster`, migrated, as a store over a small pool; `close` ends the pool. */
export async function migratedPostgresStore(
  cluster: PostgresCluster,
  name: string,
): Promise<{ store: Store; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: await cluster.createDatabase(name), max: 4 });
  const db = drizzle(pool, { schema: postgresTables });
  await migrate(db, { migrationsFolder: POSTGRES_MIGRATIONS });
  return { store: postgresStore(db), close: () => pool.end() };
}
