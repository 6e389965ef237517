import { sql, type Table } from 'drizzle-orm';
import { type Plan, sqlChangesOf } from './plan';
import type { Store } from './store';

/** Postgres' select builder, which the Store's SQLite-typed builder is at run time there (see store.ts). */
interface LockableSelect {
  for(strength: 'update', config: { of: Table; skipLocked?: true }): unknown;
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

/**
 * A select whose rows of `of` stay locked on Postgres until the transaction ends (`FOR UPDATE OF
 * …`), waiting for another transaction that holds them and reading them as it left them. SQLite's
 * immediate transaction already serializes writers: the select is left as it is.
 */
export function lockedRows<Query>(store: Store, query: Query, of: Table): Query {
  if (store.dialect === 'sqlite') return query;
  return (query as unknown as LockableSelect).for('update', { of }) as Query;
}

/**
 * Holds off every other writer of `tables` until the transaction ends (readers go on): Postgres'
 * `LOCK TABLE … IN EXCLUSIVE MODE`. On SQLite the immediate transaction already holds the file's
 * one write lock: nothing to add. For a rewrite of whole tables that must not interleave with the
 * writes that keep them in step.
 */
export function* lockTablesAgainstWrites(store: Store, tables: Table[]): Plan<void> {
  if (store.dialect === 'sqlite') return;
  const names = sql.join(
    tables.map((table) => sql`${table}`),
    sql`, `,
  );
  yield* sqlChangesOf(store, sql`lock table ${names} in exclusive mode`);
}

/**
 * Waits for, then holds until the transaction ends, the Postgres advisory lock `key`: for writers
 * that must take turns although they touch different rows (counting them first). On SQLite the
 * immediate transaction already holds the file's one write lock: nothing to add.
 */
export function* advisoryTransactionLock(store: Store, key: number): Plan<void> {
  if (store.dialect === 'sqlite') return;
  yield* sqlChangesOf(store, sql`select pg_advisory_xact_lock(${key})`);
}
