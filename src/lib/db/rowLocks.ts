import type { Table } from 'drizzle-orm';
import type { Store } from './store';

/** Postgres' select builder, which the Store's SQLite-typed builder is at run time there (see store.ts). */
interface LockableSelect {
  for(strength: 'update', config: { of: Table; skipLocked: true }): unknown;
}

/**
 * A claim's select: on Postgres it locks the rows of `of` it returns and skips rows another open
 * transaction has locked (`FOR UPDATE OF … SKIP LOCKED`), so two claimers never take one row and
 * neither waits for the other. On SQLite the claim's immediate transaction already serializes
 * claimers (one writer at a time), and SQLite has no row locks: the select is left as it is.
 */
export function skipLockedRows<Query>(store: Store, query: Query, of: Table): Query {
  if (store.dialect === 'sqlite') return query;
  return (query as unknown as LockableSelect).for('update', { of, skipLocked: true }) as Query;
}
