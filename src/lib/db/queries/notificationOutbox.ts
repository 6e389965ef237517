import { and, asc, count, eq, gt, inArray, lte, min, or, sql } from 'drizzle-orm';
import { changesOf, firstOf, type Plan, rowsOf } from '../plan';
import { notify } from '../postgresListener';
import { updatedRow } from '../returning';
import { skipLockedRows } from '../rowLocks';
import type { NotificationEventRow, NotificationOutboxRow, OutboxStatus } from '../schema';
import type { Store, Tables } from '../store';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres, inside a transaction or not.

/** An outbox row with the event it carries. */
export interface OutboxItem {
  row: NotificationOutboxRow;
  event: NotificationEventRow;
}

/**
 * On Postgres, told (no payload) at the commit of each event queued, on any process: a worker
 * host's event is delivered by the web process at once, not at its next poll.
 */
export const OUTBOX_CHANNEL = 'claudeops_notification_outbox';

/** Stores an event and queues it for each channel, due at once (announced on Postgres). */
export function* insertEventForChannels(
  store: Store,
  event: NotificationEventRow,
  channelIds: readonly number[],
  now: number,
): Plan<void> {
  const { db, t } = store;
  if (store.dialect === 'postgres') yield* notify(store, OUTBOX_CHANNEL, '');
  yield* changesOf(db.insert(t.notificationEvents).values(event));
  yield* changesOf(
    db.insert(t.notificationOutbox).values(
      channelIds.map((channelId) => ({
        eventId: event.id,
        channelId,
        status: 'pending' as const,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      })),
    ),
  );
}

const isDue = (outbox: Tables['notificationOutbox'], now: number) =>
  or(
    and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)),
    and(eq(outbox.status, 'sending'), lte(outbox.leaseUntil, now)),
  );

/**
 * Rows due now, oldest first: pending ones whose time has come and claims whose lease ran out.
 * Read to be claimed: on Postgres the rows stay locked until the transaction ends, and rows another
 * claimer holds are skipped (see rowLocks.ts).
 */
export function dueOutboxItems(store: Store, now: number, limit: number): Plan<OutboxItem[]> {
  const { db, t } = store;
  const outbox = t.notificationOutbox;
  const query = db
    .select({ row: outbox, event: t.notificationEvents })
    .from(outbox)
    .innerJoin(t.notificationEvents, eq(t.notificationEvents.id, outbox.eventId))
    .where(isDue(outbox, now))
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
    .limit(limit);
  return rowsOf(skipLockedRows(store, query, outbox));
}

/**
 * Takes a due row for one attempt; undefined if another worker took it first. The lease is how a
 * crash is noticed: a claim not finished by then is due again.
 */
export function* claimOutboxRow(
  { db, t }: Store,
  id: number,
  now: number,
  leaseUntil: number,
): Plan<NotificationOutboxRow | undefined> {
  const outbox = t.notificationOutbox;
  return updatedRow(
    yield* rowsOf(
      db
        .update(outbox)
        .set({
          status: 'sending',
          attempts: sql`${outbox.attempts} + 1`,
          leaseUntil,
          firstAttemptAt: sql`coalesce(${outbox.firstAttemptAt}, ${now})`,
          updatedAt: now,
        })
        .where(and(eq(outbox.id, id), isDue(outbox, now)))
        .returning(),
    ),
  );
}

/**
 * Ends an attempt: delivered, given up, or pending again at `nextAttemptAt`. Only the claim that
 * made attempt `attempt` may settle it: if its lease ran out and another worker took the row, the
 * later claim decides.
 */
export function* settleOutboxRow(
  { db, t }: Store,
  id: number,
  attempt: number,
  status: 'delivered' | 'gave_up' | 'pending',
  nextAttemptAt: number,
  now: number,
): Plan<void> {
  const outbox = t.notificationOutbox;
  yield* changesOf(
    db
      .update(outbox)
      .set({ status, nextAttemptAt, leaseUntil: null, updatedAt: now })
      .where(and(eq(outbox.id, id), eq(outbox.status, 'sending'), eq(outbox.attempts, attempt))),
  );
}

/** Messages a channel started sending since `since` (each counted once, however often retried). */
export function* countAttemptedSince({ db, t }: Store, channelId: number, since: number): Plan<number> {
  const outbox = t.notificationOutbox;
  // count() reads as a number on both dialects (node-postgres gives a bigint as a string).
  const row = yield* firstOf(
    db
      .select({ count: count() })
      .from(outbox)
      .where(and(eq(outbox.channelId, channelId), gt(outbox.firstAttemptAt, since))),
  );
  return row?.count ?? 0;
}

export function* setOutboxStatus(
  { db, t }: Store,
  id: number,
  status: OutboxStatus,
  now: number,
): Plan<void> {
  const outbox = t.notificationOutbox;
  yield* changesOf(db.update(outbox).set({ status, updatedAt: now }).where(eq(outbox.id, id)));
}

/** Channels holding rows their rate limit folded away, by id. */
export function* channelsWithFoldedRows({ db, t }: Store): Plan<number[]> {
  const outbox = t.notificationOutbox;
  const rows = yield* rowsOf(
    db
      .selectDistinct({ channelId: outbox.channelId })
      .from(outbox)
      .where(eq(outbox.status, 'folded'))
      .orderBy(asc(outbox.channelId)),
  );
  return rows.map((row) => row.channelId);
}

export function foldedItems({ db, t }: Store, channelId: number): Plan<OutboxItem[]> {
  const outbox = t.notificationOutbox;
  return rowsOf(
    db
      .select({ row: outbox, event: t.notificationEvents })
      .from(outbox)
      .innerJoin(t.notificationEvents, eq(t.notificationEvents.id, outbox.eventId))
      .where(and(eq(outbox.channelId, channelId), eq(outbox.status, 'folded')))
      .orderBy(asc(outbox.id)),
  );
}

export function* markSummarized(
  { db, t }: Store,
  ids: readonly number[],
  summaryEventId: string,
  now: number,
): Plan<void> {
  const outbox = t.notificationOutbox;
  yield* changesOf(
    db
      .update(outbox)
      .set({ status: 'summarized', summaryEventId, updatedAt: now })
      .where(inArray(outbox.id, [...ids])),
  );
}

/**
 * Ends every claim's lease now: at start-up, a claim can only belong to the server before this one
 * (one server per database), which stopped mid-send. The worker then notes the lost attempt and
 * sends the message again at once, rather than when the lease would have run out.
 */
export function expireClaims({ db, t }: Store, now: number): Plan<number> {
  const outbox = t.notificationOutbox;
  return changesOf(
    db.update(outbox).set({ leaseUntil: now, updatedAt: now }).where(eq(outbox.status, 'sending')),
  );
}

/** The earliest time a row becomes due (a retry, or a lease running out); null when nothing waits. */
export function* nextDueAt({ db, t }: Store): Plan<number | null> {
  const outbox = t.notificationOutbox;
  // min() of a column reads as that column's type on both dialects.
  const pending = yield* firstOf(
    db
      .select({ at: min(outbox.nextAttemptAt) })
      .from(outbox)
      .where(eq(outbox.status, 'pending')),
  );
  const leased = yield* firstOf(
    db
      .select({ at: min(outbox.leaseUntil) })
      .from(outbox)
      .where(eq(outbox.status, 'sending')),
  );
  const times = [pending?.at, leased?.at].filter((at): at is number => typeof at === 'number');
  return times.length === 0 ? null : Math.min(...times);
}

export function getOutboxRow({ db, t }: Store, id: number): Plan<NotificationOutboxRow | undefined> {
  return firstOf(db.select().from(t.notificationOutbox).where(eq(t.notificationOutbox.id, id)));
}
