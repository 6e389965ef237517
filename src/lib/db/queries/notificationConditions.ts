import { eq } from 'drizzle-orm';
import type { DbExecutor } from '../executor';
import { type NotificationCondition, notificationConditions } from '../schema';

export function getCondition(db: DbExecutor, key: string): NotificationCondition | undefined {
  return db.select().from(notificationConditions).where(eq(notificationConditions.key, key)).get();
}

export function putCondition(db: DbExecutor, row: NotificationCondition): void {
  db.insert(notificationConditions)
    .values(row)
    .onConflictDoUpdate({ target: notificationConditions.key, set: row })
    .run();
}

export function deleteCondition(db: DbExecutor, key: string): void {
  db.delete(notificationConditions).where(eq(notificationConditions.key, key)).run();
}

export function listConditions(db: DbExecutor): NotificationCondition[] {
  return db.select().from(notificationConditions).all();
}
