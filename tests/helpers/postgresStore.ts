import { openPostgres } from '../../src/lib/db/postgres';
import type { Store } from '../../src/lib/db/store';
import type { PostgresCluster } from './postgres';

/** A new database on `cluster`, opened and migrated the way the product opens one; `close` ends its pool. */
export async function migratedPostgresStore(
  cluster: PostgresCluster,
  name: string,
): Promise<{ store: Store; close(): Promise<void> }> {
  return openPostgres(await cluster.createDatabase(name), { maxConnections: 4 });
}
