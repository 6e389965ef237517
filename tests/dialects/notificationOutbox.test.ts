import { asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createChannelSchema, notificationEventSchema } from '../../src/lib/contracts/notifications';
import { changesOf, execute, rowsOf, transaction } from '../../src/lib/db/plan';
import { listDeliveries } from '../../src/lib/db/queries/notificationDeliveries';
import { expireClaims, nextDueAt } from '../../src/lib/db/queries/notificationOutbox';
import type { Store } from '../../src/lib/db/store';
import { createChannel } from '../../src/lib/notifications/channels';
import type { Attempt } from '../../src/lib/notifications/delivery';
import { queueEvent } from '../../src/lib/notifications/events';
import {
  claimDue,
  queueDueSummaries,
  type RateLimit,
  settleAttempt,
} from '../../src/lib/notifications/outbox';
import { fakeClock, newBox, runFailed, scheduleMissed } from '../helpers/notifications';
import { describeOnEachDialect, describeOnPostgres, openPostgresTransaction } from '../helpers/stores';

// The outbox's transactions (claim, settle, summaries) on both dialects, and on Postgres two
// claimers at once. The worker that sends what they claim stays in tests/unit/notificationDelivery.test.ts.

const RETRY = { maxAttempts: 2, baseDelayMs: 1_000, random: () => 1 };
const LEASE_MS = 60_000;
const NO_LIMIT: RateLimit = { count: 1_000, windowMs: 60_000 };
const delivered: Attempt = { outcome: { ok: true, responseCode: 200 }, durationMs: 5 };

/** The one channel of the store (the tests' before go, their outbox rows with them), taking `events`. */
async function onlyChannel(store: Store, events = ['run.failed', 'schedule.missed']): Promise<number> {
  await execute(store, changesOf(store.db.delete(store.t.notificationChannels)));
  const { channel } = await createChannel(
    store,
    newBox(),
    createChannelSchema.parse({
      type: 'webhook',
      name: 'hook',
      url: 'https://hooks.example.invalid/h',
      events,
    }),
  );
  return channel.id;
}

/** `count` run failures queued for every channel that wants them, oldest first. */
async function queueFailures(store: Store, count: number, now: number, from = 1): Promise<void> {
  for (let i = from; i < from + count; i++)
    await transaction(store, (tx) =>
      queueEvent(tx, notificationEventSchema.parse(runFailed({ executionId: i })), now + i, 0),
    );
}

const claim = (store: Store, now: number, max: number, limit = NO_LIMIT) =>
  transaction(store, (tx) => claimDue(tx, now, LEASE_MS, max, RETRY, limit));

/** The outbox of one channel: `status attempts`, by id. */
async function outboxOf(store: Store, channelId: number): Promise<string[]> {
  const { db, t } = store;
  const rows = await execute(
    store,
    rowsOf(
      db
        .select({ status: t.notificationOutbox.status, attempts: t.notificationOutbox.attempts })
        .from(t.notificationOutbox)
        .where(eq(t.notificationOutbox.channelId, channelId))
        .orderBy(asc(t.notificationOutbox.id)),
    ),
  );
  return rows.map(({ status, attempts }) => `${status} ${attempts}`);
}

describeOnEachDialect('notification outbox', (store) => {
  it('claims due rows oldest first under a lease, and settles them; nothing is due twice', async () => {
    const clock = fakeClock();
    const channelId = await onlyChannel(store());
    await queueFailures(store(), 3, clock.now());
    clock.advance(10);
    expect(await execute(store(), nextDueAt(store()))).toBe(clock.now() - 9);

    const claimed = await claim(store(), clock.now(), 2);
    expect(claimed.map(({ event, row }) => [event.data.executionId, row.status, row.attempts])).toEqual([
      [1, 'sending', 1],
      [2, 'sending', 1],
    ]);
    expect(claimed[0]?.row).toMatchObject({
      leaseUntil: clock.now() + LEASE_MS,
      firstAttemptAt: clock.now(),
    });
    const third = await claim(store(), clock.now(), 10);
    expect(third.map(({ event }) => event.data.executionId)).toEqual([3]);
    expect(await claim(store(), clock.now(), 10)).toEqual([]);
    // The first lease to run out is what the worker wakes for.
    expect(await execute(store(), nextDueAt(store()))).toBe(clock.now() + LEASE_MS);

    for (const item of [...claimed, ...third])
      expect(
        await transaction(store(), (tx) => settleAttempt(tx, item, delivered, clock.now(), RETRY)),
      ).toEqual({
        status: 'delivered',
        nextAttemptAt: null,
      });
    expect(await outboxOf(store(), channelId)).toEqual(['delivered 1', 'delivered 1', 'delivered 1']);
    expect(await execute(store(), nextDueAt(store()))).toBeNull();
  });

  it('claims a row again once a dead claim’s lease runs out, noting the lost attempt, and gives up after the last', async () => {
    const clock = fakeClock();
    const channelId = await onlyChannel(store(), ['run.failed']);
    await queueFailures(store(), 1, clock.now());
    clock.advance(10);
    const [first] = await claim(store(), clock.now(), 1);
    clock.advance(LEASE_MS - 1);
    expect(await claim(store(), clock.now(), 1)).toEqual([]);
    clock.advance(1);
    const [second] = await claim(store(), clock.now(), 1);
    expect(second?.event.id).toBe(first?.event.id);
    expect(second?.row).toMatchObject({ attempts: 2, firstAttemptAt: first?.row.firstAttemptAt });

    // The server stopped again: at start-up its claims end at once, and this was the last attempt.
    clock.advance(1_000);
    expect(await execute(store(), expireClaims(store(), clock.now()))).toBe(1);
    expect(await claim(store(), clock.now(), 1)).toEqual([]);
    expect(await outboxOf(store(), channelId)).toEqual(['gave_up 2']);
    const log = await execute(store(), listDeliveries(store(), { channelId, limit: 10 }));
    expect(log.deliveries.reverse()).toMatchObject([
      { attempt: 1, status: 'retrying', error: 'No result: the server stopped during this attempt' },
      { attempt: 2, status: 'gave_up', error: 'No result: the server stopped during this attempt' },
    ]);
  });

  it('folds first attempts past a channel’s rate limit and queues one summary once the window reopens', async () => {
    const clock = fakeClock();
    const channelId = await onlyChannel(store());
    const limit: RateLimit = { count: 3, windowMs: 10 * 60_000 };
    await queueFailures(store(), 5, clock.now());
    await transaction(store(), (tx) =>
      queueEvent(tx, notificationEventSchema.parse(scheduleMissed(1)), clock.now() + 9, 0),
    );
    clock.advance(10);
    expect(await claim(store(), clock.now(), 10, limit)).toHaveLength(3);
    expect(await outboxOf(store(), channelId)).toEqual([
      'sending 1',
      'sending 1',
      'sending 1',
      'folded 0',
      'folded 0',
      'folded 0',
    ]);
    expect(await transaction(store(), (tx) => queueDueSummaries(tx, clock.now(), limit))).toBe(0);

    clock.advance(limit.windowMs);
    expect(await transaction(store(), (tx) => queueDueSummaries(tx, clock.now(), limit))).toBe(1);
    const [summary] = await claim(store(), clock.now(), 10, limit).then((items) =>
      items.filter(({ event }) => event.type === 'notification.summary'),
    );
    expect(summary?.event.data).toMatchObject({
      count: 3,
      byType: { 'run.failed': 2, 'schedule.missed': 1 },
      firstAt: clock.now() - limit.windowMs - 10 + 4,
      lastAt: clock.now() - limit.windowMs - 10 + 9,
      path: '/notifications',
    });
    expect((await outboxOf(store(), channelId)).slice(3, 6)).toEqual([
      'summarized 0',
      'summarized 0',
      'summarized 0',
    ]);
  });

  it('gives two claimers at once disjoint rows', async () => {
    const clock = fakeClock();
    await onlyChannel(store(), ['run.failed']);
    await queueFailures(store(), 10, clock.now(), 100);
    clock.advance(1_000);
    const [a, b] = await Promise.all([claim(store(), clock.now(), 4), claim(store(), clock.now(), 4)]);
    const ids = [...(a ?? []), ...(b ?? [])].map(({ row }) => row.id);
    expect(a).toHaveLength(4);
    expect(b).toHaveLength(4);
    expect(new Set(ids).size).toBe(8);
  });
});

describeOnPostgres('notification outbox claims', (store) => {
  it('skip the rows another open claim holds, rather than wait for it or take them too', async () => {
    const clock = fakeClock();
    await onlyChannel(store(), ['run.failed']);
    await queueFailures(store(), 6, clock.now());
    clock.advance(1_000);
    const s = store();
    // The first claim's transaction stays open (its rows locked) while the second one runs whole.
    const { first, second } = await openPostgresTransaction(s, async (tx) => {
      const held = await execute(tx, claimDue(tx, clock.now(), LEASE_MS, 4, RETRY, NO_LIMIT));
      return { first: held, second: await claim(s, clock.now(), 4) };
    });
    expect(first.map(({ event }) => event.data.executionId)).toEqual([1, 2, 3, 4]);
    expect(second.map(({ event }) => event.data.executionId)).toEqual([5, 6]);
  });
});
