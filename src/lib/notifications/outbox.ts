import type { DeliveryStatus } from '../contracts/notifications';
import {
  NOTIFICATIONS_PAGE_PATH,
  notificationMessageSchema,
  SUMMARY_MESSAGE_TYPE,
} from '../contracts/notifications';
import type { AppSettingsDto } from '../contracts/settings';
import type { Plan } from '../db/plan';
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
import type { Store } from '../db/store';
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

/** At most `count` first attempts per channel in any `windowMs`. */
export interface RateLimit {
  count: number;
  windowMs: number;
}

export function rateLimitOf(settings: AppSettingsDto): RateLimit {
  return {
    count: settings.notificationRateLimitCount,
    windowMs: settings.notificationRateLimitWindowMinutes * 60_000,
  };
}

function* overLimit(store: Store, channelId: number, now: number, limit: RateLimit): Plan<boolean> {
  return (yield* countAttemptedSince(store, channelId, now - limit.windowMs)) >= limit.count;
}

/** A claim whose lease ran out belonged to a worker that stopped mid-send: the log says so. */
function noteLostAttempt(store: Store, item: OutboxItem, now: number, gaveUp: boolean): Plan<void> {
  return insertDelivery(store, {
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
 * Claims up to `max` due rows for sending; run it as one transaction (`transaction(store, …)`), so
 * two workers never claim the same row: on SQLite the immediate transaction serializes them, on
 * Postgres each skips the rows the other has locked. A first attempt over its channel's rate
 * limit is folded instead (a summary carries it later); retries were counted when they first went
 * out.
 */
export function* claimDue(
  store: Store,
  now: number,
  leaseMs: number,
  max: number,
  policy: RetryPolicy,
  limit: RateLimit,
): Plan<OutboxItem[]> {
  const claimed: OutboxItem[] = [];
  for (;;) {
    const due = yield* dueOutboxItems(store, now, max - claimed.length);
    if (due.length === 0) return claimed;
    for (const item of due) {
      if (item.row.status === 'sending') {
        const gaveUp = item.row.attempts >= policy.maxAttempts;
        yield* noteLostAttempt(store, item, now, gaveUp);
        if (gaveUp) {
          yield* setOutboxStatus(store, item.row.id, 'gave_up', now);
          continue;
        }
      } else if (
        item.row.attempts === 0 &&
        item.event.type !== SUMMARY_MESSAGE_TYPE &&
        (yield* overLimit(store, item.row.channelId, now, limit))
      ) {
        yield* setOutboxStatus(store, item.row.id, 'folded', now);
        continue;
      }
      const row = yield* claimOutboxRow(store, item.row.id, now, now + leaseMs);
      // Cannot fail inside this transaction; if it ever did, stop rather than loop on the same row.
      if (!row) return claimed;
      claimed.push({ row, event: item.event });
    }
    if (claimed.length >= max) return claimed;
  }
}

export interface Settled {
  status: DeliveryStatus;
  /** When the next attempt is due, for `retrying`. */
  nextAttemptAt: number | null;
}

/**
 * Records a claimed row's attempt in the delivery log and moves the row on: delivered; retried
 * after the receiver's Retry-After or an exponential backoff with jitter; or given up (a
 * permanent failure, or the last attempt). Run it as one transaction.
 */
export function* settleAttempt(
  store: Store,
  item: OutboxItem,
  attempt: Attempt,
  now: number,
  policy: RetryPolicy,
): Plan<Settled> {
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
  yield* insertDelivery(store, {
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
  yield* settleOutboxRow(
    store,
    item.row.id,
    number,
    status === 'retrying' ? 'pending' : status,
    nextAttemptAt ?? now,
    now,
  );
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
 * Returns how many summaries were queued. Run it as one transaction.
 */
export function* queueDueSummaries(store: Store, now: number, limit: RateLimit): Plan<number> {
  let queued = 0;
  for (const channelId of yield* channelsWithFoldedRows(store)) {
    if (yield* overLimit(store, channelId, now, limit)) continue;
    const items = yield* foldedItems(store, channelId);
    const id = newEventId();
    yield* insertEventForChannels(
      store,
      { id, type: SUMMARY_MESSAGE_TYPE, occurredAt: now, data: summaryData(items) },
      [channelId],
      now,
    );
    yield* markSummarized(
      store,
      items.map(({ row }) => row.id),
      id,
      now,
    );
    queued += 1;
  }
  return queued;
}
