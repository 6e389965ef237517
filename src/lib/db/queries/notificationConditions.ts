import { asc, eq } from 'drizzle-orm';
import { changesOf, firstOf, type Plan, rowsOf } from '../plan';
import type { NotificationCondition } from '../schema';
import type { Store } from '../store';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres, inside a transaction or not.

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
