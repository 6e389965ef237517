import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createChannelSchema, type NotificationEventType } from '../../src/lib/contracts/notifications';
import { execute, rowsOf } from '../../src/lib/db/plan';
import { listDeliveries } from '../../src/lib/db/queries/notificationDeliveries';
import type { Store } from '../../src/lib/db/store';
import { createChannel } from '../../src/lib/notifications/channels';
import { listConditionStatuses } from '../../src/lib/notifications/conditionList';
import { recordEventOn } from '../../src/lib/notifications/events';
import { evaluateHostConditions, type HostReading } from '../../src/lib/notifications/hostConditions';
import { sendTestMessage } from '../../src/lib/notifications/testMessage';
import { type NotificationWorker, startNotificationWorker } from '../../src/lib/notifications/worker';
import { BASE_URL, capturedLogger, fakeClock, newBox, runFailed } from '../helpers/notifications';
import {
  type HttpReceiver,
  readMail,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtpReceiver,
} from '../helpers/receivers';
import { describeOnEachDialect } from '../helpers/stores';

// The notification side as an operator sees it, on both dialects: an event or a host reading
// queues a message, the worker delivers it to a real receiver once, and the delivery log says so.

const box = newBox();
let receiver: HttpReceiver;
let smtp: SmtpReceiver;
const workers: NotificationWorker[] = [];

beforeAll(async () => {
  receiver = await startHttpReceiver();
  smtp = await startSmtpReceiver({ user: 'ops', password: 'smtp-pass-123' });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
});
afterAll(async () => {
  await receiver.close();
  await smtp.close();
});

/** A fast retry on the injected clock: the first retry after 1 s. */
const RETRY = { maxAttempts: 4, baseDelayMs: 1_000, random: () => 1 };

const opened = {
  type: 'circuit.opened' as const,
  data: { consecutiveFailures: 5, threshold: 5, cooldownSeconds: 60, lastFailure: 'overloaded', path: '/' },
};

describeOnEachDialect('notification delivery', (store) => {
  const clock = fakeClock();

  function worker(): NotificationWorker {
    const started = startNotificationWorker({
      store: store(),
      logger: capturedLogger().logger,
      baseUrl: BASE_URL,
      box,
      now: clock.now,
      pollIntervalMs: 3_600_000,
      retry: RETRY,
    });
    workers.push(started);
    return started;
  }

  /** A webhook channel to the receiver under its own path, and the requests that reached it. */
  async function webhook(name: string, events: NotificationEventType[]) {
    const { channel } = await createChannel(
      store(),
      box,
      createChannelSchema.parse({
        type: 'webhook',
        name,
        url: `${receiver.url}/${store().dialect}/${name}`,
        events,
      }),
    );
    return {
      id: channel.id,
      requests: () => receiver.requests.filter((request) => request.path === `/${store().dialect}/${name}`),
    };
  }

  const log = async (channelId: number) =>
    (await execute(store(), listDeliveries(store(), { channelId, limit: 50 }))).deliveries
      .map((entry) => [entry.attempt, entry.status, entry.responseCode, entry.eventType])
      .reverse();

  const outboxStatuses = async (s: Store, channelId: number) =>
    (
      await execute(
        s,
        rowsOf(
          s.db
            .select({ status: s.t.notificationOutbox.status })
            .from(s.t.notificationOutbox)
            .where(eq(s.t.notificationOutbox.channelId, channelId)),
        ),
      )
    ).map((row) => row.status);

  it('a condition firing queues one message, delivered once with its attempt recorded; again within the quiet period sends nothing', async () => {
    const hook = await webhook('circuit', ['circuit.opened']);
    const recorded = await recordEventOn(store(), opened, clock.now());
    expect(recorded).toMatchObject({ queued: 1, suppressed: false });
    expect(await outboxStatuses(store(), hook.id)).toEqual(['pending']);

    const w = worker();
    await w.kick();
    await w.kick();
    expect(hook.requests()).toHaveLength(1);
    expect(hook.requests()[0]?.headers['webhook-id']).toBe(recorded.eventId);
    expect(JSON.parse(hook.requests()[0]?.body ?? '{}')).toMatchObject({ type: 'circuit.opened' });
    expect(await outboxStatuses(store(), hook.id)).toEqual(['delivered']);
    expect(await log(hook.id)).toEqual([[1, 'delivered', 200, 'circuit.opened']]);

    clock.advance(60_000);
    expect(await recordEventOn(store(), opened, clock.now())).toMatchObject({ queued: 0, suppressed: true });
    await w.kick();
    expect(hook.requests()).toHaveLength(1);
  });

  it('retries a failed attempt after its delay, with the same id, and records both attempts', async () => {
    const hook = await webhook('retry', ['run.failed']);
    receiver.script({ path: `/${store().dialect}/retry`, status: 500, body: 'boom' });
    await recordEventOn(store(), runFailed(), clock.now());
    const w = worker();
    await w.kick();
    expect(hook.requests()).toHaveLength(1);
    clock.advance(RETRY.baseDelayMs * 2);
    await w.kick();
    await w.kick();
    expect(hook.requests()).toHaveLength(2);
    expect(new Set(hook.requests().map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(await log(hook.id)).toEqual([
      [1, 'retrying', 500, 'run.failed'],
      [2, 'delivered', 200, 'run.failed'],
    ]);
  });

  it('two workers kicked at once send each message once', async () => {
    const hook = await webhook('race', ['run.failed']);
    const ids: (string | null)[] = [];
    for (let executionId = 1; executionId <= 4; executionId++)
      ids.push((await recordEventOn(store(), runFailed({ executionId }), clock.now())).eventId);
    await Promise.all([worker().kick(), worker().kick()]);
    const sent = hook.requests().map((request) => request.headers['webhook-id']);
    expect(sent.sort()).toEqual([...ids].sort());
    expect(await outboxStatuses(store(), hook.id)).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'delivered',
    ]);
  });

  it('host conditions: one message per breach and one when it clears, and the conditions list shows it', async () => {
    const hook = await webhook('host', ['host.disk']);
    const reading = (usedPercent: number): HostReading => ({
      host: 'box-1',
      disks: [{ mount: '/data', usedPercent }],
      memoryAvailablePercent: 60,
      load1: 0.1,
      cores: 2,
    });
    /** Messages a reading queued. */
    const queuedFor = async (usedPercent: number) =>
      (await evaluateHostConditions(store(), reading(usedPercent), clock.now())).reduce(
        (sum, outcome) => sum + outcome.queued,
        0,
      );
    expect(await queuedFor(85)).toBe(0);
    expect(await queuedFor(91)).toBe(1);
    for (const used of [93, 95, 91]) {
      clock.advance(60_000);
      expect(await queuedFor(used)).toBe(0);
    }
    const holding = (await listConditionStatuses(store())).conditions.find(
      (c) => c.key === 'host.disk:box-1:/data',
    );
    expect(holding).toMatchObject({ label: 'Disk /data full on box-1', active: true });

    clock.advance(60_000);
    expect(await queuedFor(80)).toBe(1);
    expect(await queuedFor(79)).toBe(0);
    await worker().kick();
    const sent = hook.requests().map((request) => JSON.parse(request.body));
    expect(sent.map((body) => [body.type, body.data.state, body.data.usedPercent])).toEqual([
      ['host.disk', 'firing', 91],
      ['host.disk', 'resolved', 80],
    ]);
    expect(await log(hook.id)).toEqual([
      [1, 'delivered', 200, 'host.disk'],
      [1, 'delivered', 200, 'host.disk'],
    ]);
  });

  it('email over a real SMTP server: a queued event and a test message, each logged', async () => {
    const before = smtp.mails.length;
    const { channel } = await createChannel(
      store(),
      box,
      createChannelSchema.parse({
        type: 'email',
        name: 'mail',
        host: '127.0.0.1',
        port: smtp.port,
        tls: 'none',
        user: 'ops',
        password: 'smtp-pass-123',
        from: 'claudeops@example.com',
        to: ['oncall@example.com'],
        events: ['run.failed'],
      }),
    );
    await recordEventOn(store(), runFailed({ executionId: 77 }), clock.now());
    await worker().kick();
    const test = await sendTestMessage(store(), box, channel.id, { baseUrl: BASE_URL, now: clock.now });
    expect(test).toMatchObject({ status: 'delivered', responseCode: 250 });
    const subjects = smtp.mails.slice(before).map((mail) => readMail(mail.raw).subject);
    expect(subjects).toHaveLength(2);
    expect(subjects[0]).toBe('[ClaudeOps] Run #77 of “nightly-report” failed');
    expect((await log(channel.id)).map(([attempt, status, code]) => [attempt, status, code])).toEqual([
      [1, 'delivered', 250],
      [1, 'delivered', 250],
    ]);
  });
});
