import { asc, eq } from 'drizzle-orm';
import { changesOf, firstOf, type Plan, rowsOf } from '../plan';
import { advisoryTransactionLock } from '../rowLocks';
import type { NotificationCondition } from '../schema';
import type { Store } from '../store';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres, inside a transaction or not.

/** The advisory lock conditions are changed under on Postgres (an arbitrary constant: "cond" in ASCII). */
const CONDITIONS_LOCK_KEY = 0x636f6e64;

/**
 * Makes the transaction's reads and writes of conditions take turns with every other process's,
 * until it ends: two processes that see one change at once (a web server and a worker host on one
 * machine sample it at the same instants) would otherwise both find no row and both announce it.
 * Take it before the transaction's first read of a condition. SQLite's one writer needs nothing.
 */
export function* lockConditions(store: Store): Plan<void> {
  yield* advisoryTransactionLock(store, CONDITIONS_LOCK_KEY);
}

export function getCondition({ db, t }: Store, key: string): Plan<NotificationCondition | undefined> {
  return firstOf(db.select().from(t.notificationConditions).where(eq(t.notificationConditions.key, key)));
}

export function* putCondition({ db, t }: Store, row: NotificationCondition): Plan<void> {
  const conditions = t.notificationConditions;
  yield* changesOf(
    db.insert(conditions).values(row).onConflictDoUpdate({ target: conditions.key, set: row }),
  );
}

export function* deleteCondition({ db, t }: Store, key: string): Plan<void> {
  yield* changesOf(db.delete(t.notificationConditions).where(eq(t.notificationConditions.key, key)));
}

/** By key, so the order is the same on every read and dialect. */
export function listConditions({ db, t }: Store): Plan<NotificationCondition[]> {
  const conditions = t.notificationConditions;
  return rowsOf(db.select().from(conditions).orderBy(asc(conditions.key)));
}
