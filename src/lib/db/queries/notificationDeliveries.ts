import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { DeliveryDto, ListDeliveriesQuery } from '../../contracts/notifications';
import type { DbExecutor } from '../executor';
import type { Db } from '../index';
import { type NewNotificationDelivery, notificationChannels, notificationDeliveries } from '../schema';

export function insertDelivery(db: DbExecutor, values: NewNotificationDelivery): void {
  db.insert(notificationDeliveries).values(values).run();
}

/** The delivery log, newest first, one page; filter by channel and status. */
export function listDeliveries(
  db: Db,
  query: ListDeliveriesQuery,
): { deliveries: DeliveryDto[]; nextBefore: number | null } {
  const filters: SQL[] = [];
  if (query.channelId !== undefined) filters.push(eq(notificationDeliveries.channelId, query.channelId));
  if (query.status !== undefined) filters.push(eq(notificationDeliveries.status, query.status));
  if (query.before !== undefined) filters.push(lt(notificationDeliveries.id, query.before));
  const rows = db
    .select({
      id: notificationDeliveries.id,
      channelId: notificationDeliveries.channelId,
      channelName: notificationChannels.name,
      channelType: notificationChannels.type,
      eventId: notificationDeliveries.eventId,
      eventType: notificationDeliveries.eventType,
      attempt: notificationDeliveries.attempt,
      status: notificationDeliveries.status,
      responseCode: notificationDeliveries.responseCode,
      error: notificationDeliveries.error,
      durationMs: notificationDeliveries.durationMs,
      createdAt: notificationDeliveries.createdAt,
    })
    .from(notificationDeliveries)
    .innerJoin(notificationChannels, eq(notificationChannels.id, notificationDeliveries.channelId))
    .where(and(...filters))
    .orderBy(desc(notificationDeliveries.id))
    .limit(query.limit + 1)
    .all();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { deliveries: page, nextBefore: rows.length > query.limit && last ? last.id : null };
}
