import { asc, eq } from 'drizzle-orm';
import type { DbExecutor } from '../executor';
import type { Db } from '../index';
import { insertedRow, updatedRow } from '../returning';
import { type NewNotificationChannel, type NotificationChannel, notificationChannels } from '../schema';

export function listChannelRows(db: Db): NotificationChannel[] {
  return db.select().from(notificationChannels).orderBy(asc(notificationChannels.name)).all();
}

export function getChannelRow(db: Db, id: number): NotificationChannel | undefined {
  return db.select().from(notificationChannels).where(eq(notificationChannels.id, id)).get();
}

export type ChannelSubscription = Pick<NotificationChannel, 'id' | 'events' | 'agentIds'>;

/**
 * What each enabled channel subscribed to; few enough that the event filter runs in code. Three
 * columns, not the row: composing and mapping the full select costs more than twice as much, in
 * the producer's transaction.
 */
export function listSubscriptions(db: DbExecutor): ChannelSubscription[] {
  return db
    .select({
      id: notificationChannels.id,
      events: notificationChannels.events,
      agentIds: notificationChannels.agentIds,
    })
    .from(notificationChannels)
    .where(eq(notificationChannels.enabled, true))
    .all();
}

export function insertChannelRow(db: DbExecutor, values: NewNotificationChannel): NotificationChannel {
  return insertedRow(db.insert(notificationChannels).values(values).returning().all());
}

export function updateChannelRow(
  db: DbExecutor,
  id: number,
  set: Partial<NewNotificationChannel>,
): NotificationChannel | undefined {
  return updatedRow(
    db.update(notificationChannels).set(set).where(eq(notificationChannels.id, id)).returning().all(),
  );
}

/** Its outbox rows and delivery log go with it (foreign keys cascade). */
export function deleteChannelRow(db: Db, id: number): boolean {
  return db.delete(notificationChannels).where(eq(notificationChannels.id, id)).run().changes > 0;
}
