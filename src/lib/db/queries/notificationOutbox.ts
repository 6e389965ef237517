import { and, asc, eq, gt, inArray, lte, min, or, sql } from 'drizzle-orm';
import type { DbExecutor } from '../executor';
import type { Db } from '../index';
import { updatedRow } from '../returning';
import {
  type NotificationEventRow,
  type NotificationOutboxRow,
  notificationEvents,
  notificationOutbox,
  type OutboxStatus,
} from '../schema';

/** An outbox row with the event it carries. */
export interface OutboxItem {
  row: NotificationOutboxRow;
  event: NotificationEventRow;
}

/** Stores an event and queues it for each channel, due at once. */
export function insertEventForChannels(
  db: DbExecutor,
  event: NotificationEventRow,
  channelIds: readonly number[],
  now: number,
): void {
  db.insert(notificationEvents).values(event).run();
  db.insert(notificationOutbox)
    .values(
      channelIds.map((channelId) => ({
        eventId: event.id,
        channelId,
        status: 'pending' as const,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .run();
}

const isDue = (now: number) =>
  or(
    and(eq(notificationOutbox.status, 'pending'), lte(notificationOutbox.nextAttemptAt, now)),
    and(eq(notificationOutbox.status, 'sending'), lte(notificationOutbox.leaseUntil, now)),
  );

/** Rows due now, oldest first: pending ones whose time has come and claims whose lease ran out. */
export function dueOutboxItems(db: DbExecutor, now: number, limit: number): OutboxItem[] {
  return db
    .select({ row: notificationOutbox, event: notificationEvents })
    .from(notificationOutbox)
    .innerJoin(notificationEvents, eq(notificationEvents.id, notificationOutbox.eventId))
    .where(isDue(now))
    .orderBy(asc(notificationOutbox.nextAttemptAt), asc(notificationOutbox.id))
    .limit(limit)
    .all();
}

/**
 * Takes a due row for one attempt; undefined if another worker took it first. The lease is how a
 * crash is noticed: a claim not finished by then is due again.
 */
export function claimOutboxRow(
  db: DbExecutor,
  id: number,
  now: number,
  leaseUntil: number,
): NotificationOutboxRow | undefined {
  return updatedRow(
    db
      .update(notificationOutbox)
      .set({
        status: 'sending',
        attempts: sql`${notificationOutbox.attempts} + 1`,
        leaseUntil,
        firstAttemptAt: sql`coalesce(${notificationOutbox.firstAttemptAt}, ${now})`,
        updatedAt: now,
      })
      .where(and(eq(notificationOutbox.id, id), isDue(now)))
      .returning()
      .all(),
  );
}

/**
 * Ends an attempt: delivered, given up, or pending again at `nextAttemptAt`. Only the claim that
 * made attempt `attempt` may settle it: if its lease ran out and another worker took the row, the
 * later claim decides.
 */
export function settleOutboxRow(
  db: DbExecutor,
  id: number,
  attempt: number,
  status: 'delivered' | 'gave_up' | 'pending',
  nextAttemptAt: number,
  now: number,
): void {
  db.update(notificationOutbox)
    .set({ status, nextAttemptAt, leaseUntil: null, updatedAt: now })
    .where(
      and(
        eq(notificationOutbox.id, id),
        eq(notificationOutbox.status, 'sending'),
        eq(notificationOutbox.attempts, attempt),
      ),
    )
    .run();
}

/** Messages a channel started sending since `since` (each counted once, however often retried). */
export function countAttemptedSince(db: DbExecutor, channelId: number, since: number): number {
  const row = db
    .select({ count: sql<number>`count(*)` })
    .from(notificationOutbox)
    .where(and(eq(notificationOutbox.channelId, channelId), gt(notificationOutbox.firstAttemptAt, since)))
    .get();
  return row?.count ?? 0;
}

export function setOutboxStatus(db: DbExecutor, id: number, status: OutboxStatus, now: number): void {
  db.update(notificationOutbox).set({ status, updatedAt: now }).where(eq(notificationOutbox.id, id)).run();
}

/** Channels holding rows their rate limit folded away. */
export function channelsWithFoldedRows(db: DbExecutor): number[] {
  return db
    .selectDistinct({ channelId: notificationOutbox.channelId })
    .from(notificationOutbox)
    .where(eq(notificationOutbox.status, 'folded'))
    .all()
    .map((row) => row.channelId);
}

export function foldedItems(db: DbExecutor, channelId: number): OutboxItem[] {
  return db
    .select({ row: notificationOutbox, event: notificationEvents })
    .from(notificationOutbox)
    .innerJoin(notificationEvents, eq(notificationEvents.id, notificationOutbox.eventId))
    .where(and(eq(notificationOutbox.channelId, channelId), eq(notificationOutbox.status, 'folded')))
    .orderBy(asc(notificationOutbox.id))
    .all();
}

export function markSummarized(
  db: DbExecutor,
  ids: readonly number[],
  summaryEventId: string,
  now: number,
): void {
  db.update(notificationOutbox)
    .set({ status: 'summarized', summaryEventId, updatedAt: now })
    .where(inArray(notificationOutbox.id, [...ids]))
    .run();
}

/** The earliest time a row becomes due (a retry, or a lease running out); null when nothing waits. */
/**
 * Ends every claim's lease now: at start-up, a claim can only belong to the server before this one
 * (one server per database), which stopped mid-send. The worker then notes the lost attempt and
 * sends the message again at once, rather than when the lease would have run out.
 */
export function expireClaims(db: Db, now: number): number {
  return db
    .update(notificationOutbox)
    .set({ leaseUntil: now, updatedAt: now })
    .where(eq(notificationOutbox.status, 'sending'))
    .run().changes;
}

export function nextDueAt(db: Db): number | null {
  const pending = db
    .select({ at: min(notificationOutbox.nextAttemptAt) })
    .from(notificationOutbox)
    .where(eq(notificationOutbox.status, 'pending'))
    .get()?.at;
  const leased = db
    .select({ at: min(notificationOutbox.leaseUntil) })
    .from(notificationOutbox)
    .where(eq(notificationOutbox.status, 'sending'))
    .get()?.at;
  const times = [pending, leased].filter((at): at is number => typeof at === 'number');
  return times.length === 0 ? null : Math.min(...times);
}

export function getOutboxRow(db: Db, id: number): NotificationOutboxRow | undefined {
  return db.select().from(notificationOutbox).where(eq(notificationOutbox.id, id)).get();
}
