import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CreateChannelInput,
  createChannelSchema,
  type ListDeliveriesQuery,
  type NotificationEventType,
  webhookBodySchema,
} from '../../src/lib/contracts/notifications';
import { type DbHandle, openDatabase } from '../../src/lib/db';
import { runOnSqlite, transaction, transactionOnSqlite } from '../../src/lib/db/plan';
import { getChannelRow } from '../../src/lib/db/queries/notificationChannels';
import { listDeliveries } from '../../src/lib/db/queries/notificationDeliveries';
import { getOutboxRow } from '../../src/lib/db/queries/notificationOutbox';
import { updateAppSettings } from '../../src/lib/db/queries/settings';
import { notificationChannels, notificationOutbox } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { createChannel, toChannelDto } from '../../src/lib/notifications/channels';
import { recordEventIn } from '../../src/lib/notifications/events';
import { claimDue } from '../../src/lib/notifications/outbox';
import { type NotificationWorker, startNotificationWorker } from '../../src/lib/notifications/worker';
import {
  BASE_URL,
  capturedLogger,
  fakeClock,
  newBox,
  runFailed,
  scheduleMissed,
} from '../helpers/notifications';
import { type HttpReceiver, startHttpReceiver } from '../helpers/receivers';
import { createTestDb } from '../helpers/testDb';

const box = newBox();
let handle: DbHandle;
let receiver: HttpReceiver;
let clock: ReturnType<typeof fakeClock>;
const workers: NotificationWorker[] = [];
const extraHandles: DbHandle[] = [];

beforeEach(async () => {
  handle = createTestDb();
  receiver = await startHttpReceiver();
  clock = fakeClock();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  for (const extra of extraHandles.splice(0)) extra.sqlite.close();
  handle.sqlite.close();
  await receiver.close();
});

/** A fast retry schedule on the injected clock: 1 s, then 2 s, then 4 s (random fixed at the top of the jitter). */
const RETRY = { maxAttempts: 4, baseDelayMs: 1_000, random: () => 1 };

function worker(db = handle.db, logger = capturedLogger().logger): NotificationWorker {
  const started = startNotificationWorker({
    store: sqliteStore(db),
    logger,
    baseUrl: BASE_URL,
    box,
    now: clock.now,
    pollIntervalMs: 3_600_000,
    retry: RETRY,
  });
  workers.push(started);
  return started;
}

function channel(
  type: CreateChannelInput['type'],
  extra: Record<string, unknown> = {},
  events: NotificationEventType[] = ['run.failed'],
) {
  const url = `${receiver.url}/${type}/hook`;
  return createChannel(
    sqliteStore(handle.db),
    box,
    createChannelSchema.parse({ type, name: type, url, events, ...extra }),
  );
}

const record = (event = runFailed()) =>
  transactionOnSqlite(handle.db, (tx) => recordEventIn(tx, event, clock.now()));
const deliveryLog = (query: ListDeliveriesQuery) =>
  runOnSqlite(listDeliveries(sqliteStore(handle.db), query));
const log = (channelId?: number) =>
  deliveryLog({ channelId, limit: 100 }).deliveries.map((d) => [d.attempt, d.status, d.responseCode]);

describe('webhook', () => {
  it('sends one signed webhook per event that the standardwebhooks package verifies, and a wrong secret does not', async () => {
    const { channel: hook, secret } = await channel('webhook');
    const recorded = record();
    await worker().kick();

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    const headers = request?.headers as Record<string, string>;
    expect(headers['webhook-id']).toBe(recorded.eventId);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const verified = new Webhook(secret ?? '').verify(request?.body ?? '', headers);
    const body = webhookBodySchema.parse(verified);
    expect(body).toMatchObject({
      id: recorded.eventId,
      type: 'run.failed',
      occurredAt: clock.now(),
      url: `${BASE_URL}/executions/42`,
      data: { executionId: 42, agentName: 'nightly-report', errorCode: 'overloaded', costUsd: 0.1234 },
    });

    const wrong = new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`);
    expect(() => wrong.verify(request?.body ?? '', headers)).toThrow(/signature/i);
    expect(() => new Webhook(secret ?? '').verify(`${request?.body} `, headers)).toThrow(/signature/i);
    expect(log(hook.id)).toEqual([[1, 'delivered', 200]]);
  });

  it('retries a 500 twice and delivers on the third attempt, with the same id; the log shows all three', async () => {
    const { channel: hook } = await channel('webhook');
    receiver.script({ status: 500, body: 'boom' }, { status: 500, body: 'boom again' });
    record();
    const w = worker();
    await w.kick();
    expect(receiver.requests).toHaveLength(1);
    clock.advance(999);
    await w.kick();
    expect(receiver.requests).toHaveLength(1);
    clock.advance(1);
    await w.kick();
    clock.advance(2_000);
    await w.kick();

    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(log(hook.id).reverse()).toEqual([
      [1, 'retrying', 500],
      [2, 'retrying', 500],
      [3, 'delivered', 200],
    ]);
    expect(deliveryLog({ limit: 10 }).deliveries.at(-1)?.error).toBe('HTTP 500: boom');
  });

  it('gives up on a 400 at once: one attempt, not retried', async () => {
    const { channel: hook } = await channel('webhook');
    receiver.script({ status: 400, body: 'bad payload' });
    const { eventId } = record();
    const w = worker();
    await w.kick();
    clock.advance(3_600_000);
    await w.kick();
    expect(receiver.requests).toHaveLength(1);
    expect(log(hook.id)).toEqual([[1, 'gave_up', 400]]);
    const row = handle.db.select().from(notificationOutbox).all()[0];
    expect(row).toMatchObject({ eventId, status: 'gave_up', attempts: 1 });
  });

  it('gives up at once on a channel saved with a password in its URL (before that was refused), saying why', async () => {
    const { channel: hook } = await channel('webhook');
    // As an older version stored it: the URL in the clear settings, credentials included.
    const row = handle.db
      .select()
      .from(notificationChannels)
      .where(eq(notificationChannels.id, hook.id))
      .get();
    handle.db
      .update(notificationChannels)
      .set({ settings: { ...row?.settings, url: `http://ops:hunter2@127.0.0.1:1/hook` } })
      .where(eq(notificationChannels.id, hook.id))
      .run();
    record();
    const w = worker();
    await w.kick();
    clock.advance(3_600_000);
    await w.kick();
    expect(log(hook.id)).toEqual([[1, 'gave_up', null]]);
    const [delivery] = deliveryLog({ channelId: hook.id, limit: 1 }).deliveries;
    expect(delivery?.error).toMatch(
      /^The channel's settings no longer pass: url: Take the user and password out of the URL/,
    );
    const stored = runOnSqlite(getChannelRow(sqliteStore(handle.db), hook.id));
    expect(stored && toChannelDto(stored)).toMatchObject({ url: 'http://ops:••••@127.0.0.1:1/hook' });
  });

  it('retries 408 and 429, and waits as long as a 429’s Retry-After asks', async () => {
    const { channel: hook } = await channel('webhook');
    receiver.script({ status: 429, headers: { 'retry-after': '120' } }, { status: 408 });
    record();
    const w = worker();
    await w.kick();
    clock.advance(60_000); // past the 1 s backoff, short of Retry-After
    await w.kick();
    expect(receiver.requests).toHaveLength(1);
    clock.advance(60_000);
    await w.kick();
    expect(receiver.requests).toHaveLength(2);
    clock.advance(2_000);
    await w.kick();
    expect(log(hook.id).reverse()).toEqual([
      [1, 'retrying', 429],
      [2, 'retrying', 408],
      [3, 'delivered', 200],
    ]);
  });

  it('gives up after the last attempt', async () => {
    const { channel: hook } = await channel('webhook');
    receiver.script(...Array.from({ length: 4 }, () => ({ status: 503 })));
    record();
    const w = worker();
    for (let i = 0; i < 5; i++) {
      await w.kick();
      clock.advance(10_000);
    }
    expect(receiver.requests).toHaveLength(4);
    expect(log(hook.id)[0]).toEqual([4, 'gave_up', 503]);
  });

  it('records a network failure as retrying, with no response code', async () => {
    const hook = await channel('webhook', { url: 'http://127.0.0.1:1/hook' });
    record();
    await worker().kick();
    const [entry] = deliveryLog({ channelId: hook.channel.id, limit: 10 }).deliveries;
    expect(entry).toMatchObject({ attempt: 1, status: 'retrying', responseCode: null });
    expect(entry?.error).toMatch(/ECONNREFUSED|fetch failed/);
  });
});

describe('outbox', () => {
  it('delivers after a crash between the commit and the delivery, once', async () => {
    channel('webhook');
    record();
    // The process dies here: the event is committed, no worker ever ran.
    handle.sqlite.close();
    handle = openDatabase(handle.path);
    await worker(handle.db).kick();
    expect(receiver.requests).toHaveLength(1);

    const again = openDatabase(handle.path);
    extraHandles.push(again);
    await worker(again.db).kick();
    clock.advance(3_600_000);
    await worker(again.db).kick();
    expect(receiver.requests).toHaveLength(1);
  });

  it('sends a claim left by a worker that died mid-send again once its lease runs out, with the same id', async () => {
    const { channel: hook } = await channel('webhook');
    const { eventId } = record();
    // A worker claims the row and dies before it can settle it.
    const limit = { count: 10, windowMs: 60_000 };
    expect(
      await transaction(sqliteStore(handle.db), (tx) => claimDue(tx, clock.now(), 60_000, 10, RETRY, limit)),
    ).toHaveLength(1);
    const w = worker();
    await w.kick();
    expect(receiver.requests).toHaveLength(0);
    clock.advance(60_000);
    await w.kick();
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([eventId]);
    expect(deliveryLog({ channelId: hook.id, limit: 10 }).deliveries.reverse()).toMatchObject([
      { attempt: 1, status: 'retrying', error: 'No result: the server stopped during this attempt' },
      { attempt: 2, status: 'delivered', responseCode: 200 },
    ]);
  });

  it('never sends a row twice when two workers on two connections race for it', async () => {
    runOnSqlite(updateAppSettings(sqliteStore(handle.db), { notificationRateLimitCount: 100 }));
    channel('webhook');
    const second = openDatabase(handle.path);
    extraHandles.push(second);
    const ids = Array.from({ length: 12 }, (_, i) => record(runFailed({ executionId: i + 1 })).eventId);
    await Promise.all([worker(handle.db).kick(), worker(second.db).kick()]);
    const sent = receiver.requests.map((r) => r.headers['webhook-id']);
    expect(sent.sort()).toEqual([...ids].sort());
  });

  it('sends an event only to channels that subscribed to it and are not limited to other agents', async () => {
    const { channel: wanted } = await channel('webhook');
    const { channel: other } = await channel('webhook', {}, ['schedule.missed']);
    const { channel: limited } = await channel('webhook', { agentIds: [99] });
    const { channel: mine } = await channel('webhook', { agentIds: [1, 2] });
    const { channel: disabled } = await channel('webhook', { enabled: false });
    const { channel: hosts } = await channel('webhook', { agentIds: [99] }, ['host.disk']);
    record(runFailed({ agentId: 1 }));
    record({
      type: 'host.disk',
      data: {
        mount: '/',
        usedPercent: 95,
        thresholdPercent: 90,
        since: clock.now(),
        state: 'firing',
        path: '/system',
      },
    });
    await worker().kick();
    const byChannel = (id: number) => log(id).length;
    expect([wanted, other, limited, mine, disabled, hosts].map((c) => byChannel(c.id))).toEqual([
      1, 0, 0, 1, 0, 1,
    ]);
  });

  it('folds what passes a channel’s rate limit into one summary sent when the window reopens', async () => {
    runOnSqlite(
      updateAppSettings(sqliteStore(handle.db), {
        notificationRateLimitCount: 3,
        notificationRateLimitWindowMinutes: 10,
      }),
    );
    const { channel: hook, secret } = await channel('webhook', {}, ['run.failed', 'schedule.missed']);
    for (let i = 1; i <= 8; i++) record(runFailed({ executionId: i }));
    record(scheduleMissed(1));
    record(scheduleMissed(2));
    const w = worker();
    await w.kick();
    expect(receiver.requests).toHaveLength(3);
    clock.advance(5 * 60_000);
    await w.kick();
    expect(receiver.requests).toHaveLength(3);
    clock.advance(5 * 60_000);
    await w.kick();

    expect(receiver.requests).toHaveLength(4);
    const last = receiver.requests[3];
    const summary = webhookBodySchema.parse(
      new Webhook(secret ?? '').verify(last?.body ?? '', last?.headers as Record<string, string>),
    );
    expect(summary).toMatchObject({
      type: 'notification.summary',
      data: { count: 7, byType: { 'run.failed': 5, 'schedule.missed': 2 } },
      url: `${BASE_URL}/notifications`,
    });
    expect(summary.type === 'notification.summary' && summary.data.titles[0]).toBe(
      'Run #4 of “nightly-report” failed',
    );
    expect(log(hook.id)).toHaveLength(4);
  });
});

describe('secrets in the delivery log and the logs', () => {
  it('masks Slack URLs, ntfy tokens and webhook secrets in error texts, log rows and log lines', async () => {
    const token = 'tk_verysecretntfytoken1234';
    const { channel: slack } = await channel('slack', {
      url: `${receiver.url}/services/T123/B456/slacksecretpart0001`,
    });
    const { channel: ntfy } = await channel('ntfy', { token });
    const { secret } = await channel('webhook');
    // Receivers that echo what they got, as some error pages do.
    receiver.script(
      { path: '/services', status: 500, body: 'no route for /services/T123/B456/slacksecretpart0001' },
      { path: '/ntfy', status: 401, body: `token ${token} is not allowed` },
    );
    const { logger, output } = capturedLogger();
    record();
    await worker(handle.db, logger).kick();

    const rows = JSON.stringify(deliveryLog({ limit: 10 }));
    expect(rows).toContain('[REDACTED]');
    expect(receiver.requests.find((r) => r.path.startsWith('/ntfy'))?.headers.authorization).toBe(
      `Bearer ${token}`,
    );
    for (const text of [rows, output()]) {
      expect(text).not.toContain('slacksecretpart0001');
      expect(text).not.toContain(token);
      expect(text).not.toContain(secret?.slice(6) ?? 'missing');
    }
    expect(output()).toContain('notification failed');
    expect(log(slack.id)[0]?.[1]).toBe('retrying');
    expect(log(ntfy.id)[0]).toEqual([1, 'gave_up', 401]);
  });

  it('leaves no secret in the database file after deliveries', async () => {
    const { secret } = await channel('webhook');
    channel('slack', { url: `${receiver.url}/services/T9/B9/anothersecretpart99` });
    receiver.script({ path: '/services', status: 500, body: '/services/T9/B9/anothersecretpart99 failed' });
    record();
    await worker().kick();
    handle.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = fs.readFileSync(handle.path).toString('latin1');
    expect(bytes).toContain('nightly-report');
    expect(bytes).not.toContain('anothersecretpart99');
    expect(bytes).not.toContain(secret?.slice(6) ?? 'missing');
  });
});

describe('the outbox row', () => {
  it('is written in the producer’s transaction: a rollback queues nothing', () => {
    channel('webhook');
    expect(() =>
      transactionOnSqlite(handle.db, function* (tx) {
        yield* recordEventIn(tx, runFailed(), clock.now());
        throw new Error('the state change failed');
      }),
    ).toThrow('the state change failed');
    expect(handle.db.select().from(notificationOutbox).all()).toEqual([]);
    const { queued } = record();
    expect(queued).toBe(1);
    const outboxRow = (id: number) => runOnSqlite(getOutboxRow(sqliteStore(handle.db), id));
    expect(outboxRow(1)?.status ?? outboxRow(2)?.status).toBe('pending');
  });

  it('refuses an event that breaks the catalogue, naming the field', () => {
    const bad = runFailed();
    expect(() => record({ ...bad, data: { ...bad.data, path: 'executions/42' } } as typeof bad)).toThrow(
      /path/,
    );
  });
});
