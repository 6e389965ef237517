import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { DeliveryDto, ListDeliveriesQuery } from '../../contracts/notifications';
import { changesOf, type Plan, rowsOf } from '../plan';
import type { NewNotificationDelivery } from '../schema';
import type { Store } from '../store';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres, inside a transaction or not.

export function* insertDelivery({ db, t }: Store, values: NewNotificationDelivery): Plan<void> {
  yield* changesOf(db.insert(t.notificationDeliveries).values(values));
}

/** The delivery log, newest first (ids are unique: no ties), one page; filter by channel and status. */
export function* listDeliveries(
  { db, t }: Store,
  query: ListDeliveriesQuery,
): Plan<{ deliveries: DeliveryDto[]; nextBefore: number | null }> {
  const deliveries = t.notificationDeliveries;
  const channels = t.notificationChannels;
  const filters: SQL[] = [];
  if (query.channelId !== undefined) filters.push(eq(deliveries.channelId, query.channelId));
  if (query.status !== undefined) filters.push(eq(deliveries.status, query.status));
  if (query.before !== undefined) filters.push(lt(deliveries.id, query.before));
  const rows = yield* rowsOf(
    db
      .select({
        id: deliveries.id,
        channelId: deliveries.channelId,
        channelName: channels.name,
        channelType: channels.type,
        eventId: deliveries.eventId,
        eventType: deliveries.eventType,
        attempt: deliveries.attempt,
        status: deliveries.status,
        responseCode: deliveries.responseCode,
        error: deliveries.error,
        durationMs: deliveries.durationMs,
        createdAt: deliveries.createdAt,
      })
      .from(deliveries)
      .innerJoin(channels, eq(channels.id, deliveries.channelId))
      .where(and(...filters))
      .orderBy(desc(deliveries.id))
      .limit(query.limit + 1),
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { deliveries: page, nextBefore: rows.length > query.limit && last ? last.id : null };
}
