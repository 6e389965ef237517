import { and, asc, eq, inArray } from 'drizzle-orm';
import { changesOf, firstOf, type Plan, rowsOf } from '../plan';
import { insertedRow, updatedRow } from '../returning';
import type { NewNotificationChannel, NotificationChannel } from '../schema';
import type { Store } from '../store';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres, inside a transaction or not.

/** By name; channels of one name by id, so the order is the same on every read and dialect. */
export function listChannelRows({ db, t }: Store): Plan<NotificationChannel[]> {
  const channels = t.notificationChannels;
  return rowsOf(db.select().from(channels).orderBy(asc(channels.name), asc(channels.id)));
}

export function getChannelRow({ db, t }: Store, id: number): Plan<NotificationChannel | undefined> {
  return firstOf(db.select().from(t.notificationChannels).where(eq(t.notificationChannels.id, id)));
}

export type ChannelSubscription = Pick<NotificationChannel, 'id' | 'events' | 'agentIds'>;

/**
 * What each enabled channel subscribed to; few enough that the event filter runs in code. Three
 * columns, not the row: composing and mapping the full select costs more than twice as much, in
 * the producer's transaction.
 */
export function listSubscriptions({ db, t }: Store): Plan<ChannelSubscription[]> {
  const channels = t.notificationChannels;
  return rowsOf(
    db
      .select({ id: channels.id, events: channels.events, agentIds: channels.agentIds })
      .from(channels)
      .where(eq(channels.enabled, true)),
  );
}

export function* insertChannelRow(
  { db, t }: Store,
  values: NewNotificationChannel,
): Plan<NotificationChannel> {
  return insertedRow(yield* rowsOf(db.insert(t.notificationChannels).values(values).returning()));
}

export function* updateChannelRow(
  { db, t }: Store,
  id: number,
  set: Partial<NewNotificationChannel>,
): Plan<NotificationChannel | undefined> {
  const channels = t.notificationChannels;
  return updatedRow(yield* rowsOf(db.update(channels).set(set).where(eq(channels.id, id)).returning()));
}

/** Its outbox rows and delivery log go with it (foreign keys cascade). */
export function* deleteChannelRow({ db, t }: Store, id: number): Plan<boolean> {
  const channels = t.notificationChannels;
  return (yield* changesOf(db.delete(channels).where(eq(channels.id, id)))) > 0;
}

/** Drops what a channel has not sent yet (it was disabled): nothing queued goes out later by surprise. */
export function discardUnsent({ db, t }: Store, channelId: number): Plan<number> {
  const outbox = t.notificationOutbox;
  return changesOf(
    db
      .delete(outbox)
      .where(and(eq(outbox.channelId, channelId), inArray(outbox.status, ['pending', 'folded']))),
  );
}
