import type { DeliveryStatus } from '../contracts/notifications';
import {
  NOTIFICATIONS_PAGE_PATH,
  notificationMessageSchema,
  SUMMARY_MESSAGE_TYPE,
} from '../contracts/notifications';
import type { AppSettingsDto } from '../contracts/settings';
import type { Db } from '../db';
import type { DbExecutor } from '../db/executor';
import { runOnSqlite } from '../db/plan';
import { insertDelivery } from '../db/queries/notificationDeliveries';
import {
  channelsWithFoldedRows,
  claimOutboxRow,
  countAttemptedSince,
  dueOutboxItems,
  foldedItems,
  insertEventForChannels,
  markSummarized,
  type OutboxItem,
  setOutboxStatus,
  settleOutboxRow,
} from '../db/queries/notificationOutbox';
import { getAppSettings } from '../db/queries/settings';
import { sqliteStore } from '../db/store';
import { retryDelayMs } from '../engine/retryPolicy';
import type { Attempt } from './delivery';
import { newEventId } from './events';
import { renderMessage } from './render';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /**
   * The first retry waits about this long; each further one twice as long, with jitter, capped at
   * an hour.
   */
  baseDelayMs: number;
  random: () => number;
}

const SUMMARY_TITLES = 10;
const LOST_ATTEMPT = 'No result: the server stopped during this attempt';

function rateLimit(settings: AppSettingsDto) {
  return {
    count: settings.notificationRateLimitCount,
    windowMs: settings.notificationRateLimitWindowMinutes * 60_000,
  };
}

const overLimit = (db: DbExecutor, channelId: number, now: number, limit: ReturnType<typeof rateLimit>) =>
  countAttemptedSince(db, channelId, now - limit.windowMs) >= limit.count;

/** A claim whose lease ran out belonged to a worker that stopped mid-send: the log says so. */
function noteLostAttempt(db: DbExecutor, item: OutboxItem, now: number, gaveUp: boolean): void {
  insertDelivery(db, {
    channelId: item.row.channelId,
    outboxId: item.row.id,
    eventId: item.event.id,
    eventType: item.event.type,
    attempt: item.row.attempts,
    status: gaveUp ? 'gave_up' : 'retrying',
    responseCode: null,
    error: LOST_ATTEMPT,
    durationMs: 0,
    createdAt: now,
  });
}

/**
 * Claims up to `max` due rows for sending, in one write transaction, so two workers never claim
 * the same row. A first attempt over its channel's rate limit is folded instead (a summary carries
 * it later); retries were counted when they first went out.
 */
export function claimDue(
  db: Db,
  now: number,
  leaseMs: number,
  max: number,
  policy: RetryPolicy,
): OutboxItem[] {
  return db.transaction(
    (tx) => {
      const limit = rateLimit(runOnSqlite(getAppSettings(sqliteStore(tx))));
      const claimed: OutboxItem[] = [];
      for (;;) {
        const due = dueOutboxItems(tx, now, max - claimed.length);
        if (due.length === 0) return claimed;
        for (const item of due) {
          if (item.row.status === 'sending') {
            const gaveUp = item.row.attempts >= policy.maxAttempts;
            noteLostAttempt(tx, item, now, gaveUp);
            if (gaveUp) {
              setOutboxStatus(tx, item.row.id, 'gave_up', now);
              continue;
            }
          } else if (
            item.row.attempts === 0 &&
            item.event.type !== SUMMARY_MESSAGE_TYPE &&
            overLimit(tx, item.row.channelId, now, limit)
          ) {
            setOutboxStatus(tx, item.row.id, 'folded', now);
            continue;
          }
          const row = claimOutboxRow(tx, item.row.id, now, now + leaseMs);
          // Cannot fail inside this transaction; if it ever did, stop rather than loop on the same row.
          if (!row) return claimed;
          claimed.push({ row, event: item.event });
        }
        if (claimed.length >= max) return claimed;
      }
    },
    { behavior: 'immediate' },
  );
}

export interface Settled {
  status: DeliveryStatus;
  /** When the next attempt is due, for `retrying`. */
  nextAttemptAt: number | null;
}

/**
 * Records a claimed row's attempt in the delivery log and moves the row on: delivered; retried
 * after the receiver's Retry-After or an exponential backoff with jitter; or given up (a
 * permanent failure, or the last attempt).
 */
export function settleAttempt(
  db: Db,
  item: OutboxItem,
  attempt: Attempt,
  now: number,
  policy: RetryPolicy,
): Settled {
  const { outcome } = attempt;
  const number = item.row.attempts;
  const status: DeliveryStatus = outcome.ok
    ? 'delivered'
    : outcome.permanent || number >= policy.maxAttempts
      ? 'gave_up'
      : 'retrying';
  const nextAttemptAt =
    status === 'retrying' && !outcome.ok
      ? now + (outcome.retryAfterMs ?? retryDelayMs(policy.baseDelayMs, number, policy.random))
      : null;
  db.transaction((tx) => {
    insertDelivery(tx, {
      channelId: item.row.channelId,
      outboxId: item.row.id,
      eventId: item.event.id,
      eventType: item.event.type,
      attempt: number,
      status,
      responseCode: outcome.responseCode,
      error: outcome.ok ? null : outcome.error,
      durationMs: attempt.durationMs,
      createdAt: now,
    });
    settleOutboxRow(
      tx,
      item.row.id,
      number,
      status === 'retrying' ? 'pending' : status,
      nextAttemptAt ?? now,
      now,
    );
  });
  return { status, nextAttemptAt };
}

/** One line per held-back message, for the summary's body. */
function titleOf(item: OutboxItem): string {
  const parsed = notificationMessageSchema.safeParse({ type: item.event.type, data: item.event.data });
  return parsed.success ? renderMessage(parsed.data, '').title : item.event.type;
}

function summaryData(items: OutboxItem[]) {
  const byType: Record<string, number> = {};
  for (const { event } of items) byType[event.type] = (byType[event.type] ?? 0) + 1;
  const times = items.map(({ event }) => event.occurredAt);
  return {
    count: items.length,
    byType,
    firstAt: Math.min(...times),
    lastAt: Math.max(...times),
    titles: items.slice(0, SUMMARY_TITLES).map(titleOf),
    path: NOTIFICATIONS_PAGE_PATH,
  };
}

/**
 * For each channel whose rate-limit window has room again, folds what it held back into one
 * summary message ("7 more notifications: 5 run.failed, 2 schedule.missed"), queued at once.
 * Returns how many summaries were queued.
 */
export function queueDueSummaries(db: Db, now: number): number {
  return db.transaction(
    (tx) => {
      const limit = rateLimit(runOnSqlite(getAppSettings(sqliteStore(tx))));
      let queued = 0;
      for (const channelId of channelsWithFoldedRows(tx)) {
        if (overLimit(tx, channelId, now, limit)) continue;
        const items = foldedItems(tx, channelId);
        const id = newEventId();
        insertEventForChannels(
          tx,
          { id, type: SUMMARY_MESSAGE_TYPE, occurredAt: now, data: summaryData(items) },
          [channelId],
          now,
        );
        markSummarized(
          tx,
          items.map(({ row }) => row.id),
          id,
          now,
        );
        queued += 1;
      }
      return queued;
    },
    { behavior: 'immediate' },
  );
}
