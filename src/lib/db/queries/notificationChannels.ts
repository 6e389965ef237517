import { asc, eq } from 'drizzle-orm';
import type { DbExecutor } from '../executor';
import type { Db } from '../index';
import { type NewNotificationChannel, type NotificationChannel, notificationChannels } from '../schema';

export function listChannelRows(db: Db): NotificationChannel[] {
  return db.select().from(notificationChannels).orderBy(asc(notificationChannels.name)).all();
}

export function getChannelRow(db: Db, id: number): NotificationChannel | undefined {
  return db.select().from(notificationChannels).where(eq(notificationChannels.id, id)).get();
}

/** The channels that may receive an event now; few enough that the event filter runs in code. */
export function listEnabledChannelRows(db: DbExecutor): NotificationChannel[] {
  return db.select().from(notificationChannels).where(eq(notificationChannels.enabled, true)).all();
}

export function insertChannelRow(db: DbExecutor, values: NewNotificationChannel): NotificationChannel {
  return db.insert(notificationChannels).values(values).returning().get();
}

export function updateChannelRow(
  db: DbExecutor,
  id: number,
  set: Partial<NewNotificationChannel>,
): NotificationChannel | undefined {
  return db.update(notificationChannels).set(set).where(eq(notificationChannels.id, id)).returning().get();
}

/** Its outbox rows and delivery log go with it (foreign keys cascade). */
export function deleteChannelRow(db: Db, id: number): boolean {
  return db.delete(notificationChannels).where(eq(notificationChannels.id, id)).run().changes > 0;
}
