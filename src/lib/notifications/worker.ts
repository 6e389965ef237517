import { z } from 'zod';
import { type ApprovalLinks, approvalLinkPath } from '../auth/approvalLinks';
import { issuesFromZod } from '../contracts/errors';
import type { Logger } from '../core/logger';
import { execute, transaction } from '../db/plan';
import { getChannelRow } from '../db/queries/notificationChannels';
import { nextDueAt, type OutboxItem } from '../db/queries/notificationOutbox';
import { getAppSettings } from '../db/queries/settings';
import type { NotificationChannel } from '../db/schema';
import type { SecretBox } from '../db/secretBox';
import type { Store } from '../db/store';
import { type OpenChannel, openChannel } from './channels';
import { type Attempt, attemptSend, buildOutgoing, unsendable } from './delivery';
import { claimDue, queueDueSummaries, type RetryPolicy, rateLimitOf, settleAttempt } from './outbox';
import type { ApprovalLinkMaker } from './render';

export interface NotificationWorkerOptions {
  store: Store;
  logger: Logger;
  /** Where links point: `env().publicUrl ?? the listening origin`. */
  baseUrl: string;
  box: SecretBox;
  /** Signs the approve/deny links of approval requests; without it they carry only the page link. */
  approvalLinks?: ApprovalLinks;
  now?: () => number;
  fetch?: typeof fetch;
  /** How often it looks for work it was not kicked for (rows written by another process). Default 10 s. */
  pollIntervalMs?: number;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /** How long a claim holds before a stopped worker's row is retried. Default 60 s. */
  leaseMs?: number;
  /** Messages sent at once. Default 4. */
  concurrency?: number;
  /** Default: 8 attempts, the first retry after about 30 s, doubling (with jitter) up to an hour. */
  retry?: Partial<RetryPolicy>;
}

export interface NotificationWorker {
  /**
   * Delivers what is due now; call after a commit that queued notifications. Resolves when that
   * pass is done.
   */
  kick(): Promise<void>;
  /** Stops polling and waits for the messages in flight to be settled. */
  stop(): Promise<void>;
}

/**
 * Delivers the outbox: claims due rows, sends them through their channel, records every attempt,
 * and schedules retries. At least once: a worker stopped mid-send leaves its claim to expire, and
 * the row is sent again (with the same id) by the next worker.
 */
export function startNotificationWorker(options: NotificationWorkerOptions): NotificationWorker {
  const { store, logger, baseUrl, box } = options;
  const now = options.now ?? Date.now;
  const ctx = { fetch: options.fetch ?? fetch, timeoutMs: options.timeoutMs ?? 10_000 };
  const pollIntervalMs = options.pollIntervalMs ?? 10_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const concurrency = options.concurrency ?? 4;
  const policy: RetryPolicy = { maxAttempts: 8, baseDelayMs: 30_000, random: Math.random, ...options.retry };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;

  /** A row that cannot be read or opened now never will be: it gives up, saying why, rather than retry for hours. */
  async function attempt(item: OutboxItem, channelRow: NotificationChannel): Promise<Attempt> {
    const context = { channelId: channelRow.id, eventId: item.event.id };
    let channel: OpenChannel;
    try {
      channel = openChannel(channelRow, box);
    } catch (err) {
      logger.error({ err, ...context }, 'notification channel cannot be opened');
      return unsendable(
        err instanceof z.ZodError
          ? `The channel's settings no longer pass: ${issuesFromZod(err)
              .map((issue) => `${issue.path}: ${issue.message}`)
              .join('; ')}`
          : 'The channel settings cannot be read',
      );
    }
    try {
      const links = options.approvalLinks && linkMaker(options.approvalLinks, channelRow);
      return await attemptSend(channel, buildOutgoing(item.event, baseUrl, links), ctx);
    } catch (err) {
      logger.error({ err, ...context }, 'notification cannot be sent');
      return unsendable('The message cannot be read');
    }
  }

  /**
   * Sends one claimed row and settles it; never throws, so one bad row cannot strand the others in
   * flight.
   */
  async function deliver(item: OutboxItem): Promise<void> {
    const fields = {
      channelId: item.row.channelId,
      eventId: item.event.id,
      eventType: item.event.type,
      attempt: item.row.attempts,
    };
    try {
      const channelRow = await execute(store, getChannelRow(store, item.row.channelId));
      // Deleted since the claim: its outbox rows and log went with it.
      if (!channelRow) return;
      const result = await attempt(item, channelRow);
      const settled = await transaction(store, (tx) => settleAttempt(tx, item, result, now(), policy));
      const outcome = {
        ...fields,
        status: settled.status,
        responseCode: result.outcome.responseCode,
        durationMs: result.durationMs,
      };
      if (result.outcome.ok) logger.info(outcome, 'notification delivered');
      else
        logger.warn(
          { ...outcome, error: result.outcome.error, nextAttemptAt: settled.nextAttemptAt },
          'notification failed',
        );
    } catch (err) {
      logger.error({ err, ...fields }, 'notification attempt could not be recorded');
    }
  }

  /** Wakes for the next row due, or polls when that cannot be read. */
  async function scheduleNext(): Promise<void> {
    let due: number | null = null;
    try {
      due = await execute(store, nextDueAt(store));
    } catch (err) {
      logger.error({ err }, 'notification worker cannot read when the next row is due');
    }
    if (stopped) return;
    clearTimeout(timer);
    const wait = due === null ? pollIntervalMs : Math.min(pollIntervalMs, Math.max(0, due - now()));
    timer = setTimeout(() => void kick(), wait);
    timer.unref();
  }

  async function pass(): Promise<void> {
    if (stopped) return;
    try {
      // Read once a pass: a changed rate limit applies from the next one.
      const limit = rateLimitOf(await execute(store, getAppSettings(store)));
      await transaction(store, (tx) => queueDueSummaries(tx, now(), limit));
      for (;;) {
        const claimed = await transaction(store, (tx) =>
          claimDue(tx, now(), leaseMs, concurrency, policy, limit),
        );
        if (claimed.length === 0) break;
        await deliverInOrder(claimed);
        if (stopped) break;
      }
    } catch (err) {
      logger.error({ err }, 'notification delivery pass failed');
    }
    await scheduleNext();
  }

  /** Channels side by side, each channel's messages one after another in claim order (a resolve never overtakes its firing). */
  async function deliverInOrder(claimed: readonly OutboxItem[]): Promise<void> {
    const byChannel = new Map<number, OutboxItem[]>();
    for (const item of claimed)
      byChannel.set(item.row.channelId, [...(byChannel.get(item.row.channelId) ?? []), item]);
    await Promise.all(
      [...byChannel.values()].map(async (items) => {
        for (const item of items) await deliver(item);
      }),
    );
  }

  function kick(): Promise<void> {
    if (stopped) return chain;
    // A pass that has not started yet will see whatever this kick is about.
    if (queued === null) {
      queued = chain.then(() => {
        queued = null;
        return pass();
      });
      chain = queued;
    }
    return queued;
  }

  // Whatever a previous process left queued goes out now.
  void kick();
  return {
    kick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await chain;
    },
  };
}

/** Approval links as one channel sends them: each names the channel, so its use is audited as from there. */
function linkMaker(links: ApprovalLinks, channel: NotificationChannel): ApprovalLinkMaker {
  return (approval, decision) =>
    approvalLinkPath(
      links.sign({
        approvalId: approval.approvalId,
        inputHash: approval.inputHash,
        decision,
        expiresAt: approval.expiresAt,
        channel: `${channel.type} #${channel.id}`,
      }),
    );
}
