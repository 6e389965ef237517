import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { createChannelSchema, type NotificationEventType } from '../src/lib/contracts/notifications';
import { createLogger } from '../src/lib/core/logger';
import { onSqlite, runOnSqlite, transactionOnSqlite } from '../src/lib/db/plan';
import { createAgent } from '../src/lib/db/queries/agents';
import { insertQueuedExecution } from '../src/lib/db/queries/executions';
import { updateAppSettings } from '../src/lib/db/queries/settings';
import { executions, notificationOutbox } from '../src/lib/db/schema';
import { secretBoxFromKey } from '../src/lib/db/secretBox';
import { sqliteStore } from '../src/lib/db/store';
import { createChannel } from '../src/lib/notifications/channels';
import { recordEventIn } from '../src/lib/notifications/events';
import { evaluateHostConditions, type HostReading } from '../src/lib/notifications/hostConditions';
import { startNotificationWorker } from '../src/lib/notifications/worker';
import { SecretMasker } from '../src/lib/security/secrets';
import { startHttpReceiver } from '../tests/helpers/receivers';
import { createTestDb } from '../tests/helpers/testDb';
import { type BenchResult, timeIt, timeItAsync } from './measure';
import { sized } from './smoke';

const RUN_ENDINGS = sized(500, 20);
const SAMPLES = sized(1_000, 20);
const MESSAGES = sized(200, 5);
const box = secretBoxFromKey(crypto.randomBytes(32));

/** A test DB with five channels, three of which want run.failed. No worker ever sends to them. */
async function setUp() {
  const handle = createTestDb();
  const agent = runOnSqlite(
    createAgent(sqliteStore(handle.db), { name: 'bench', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
  );
  const channels: [NotificationEventType[], number[] | null][] = [
    [['run.failed'], null],
    [['run.failed', 'host.disk'], null],
    [['run.failed'], [agent.id]],
    [['host.disk'], null],
    [['schedule.missed'], null],
  ];
  for (const [events, agentIds] of channels)
    await createChannel(
      sqliteStore(handle.db),
      box,
      createChannelSchema.parse({
        type: 'slack',
        name: 's',
        url: 'http://127.0.0.1:9/never',
        events,
        agentIds,
      }),
    );
  return { handle, agentId: agent.id };
}

/** What recordEventIn adds to the transaction of the state change that causes it. */
async function benchRecordEvent(): Promise<BenchResult[]> {
  const { handle, agentId } = await setUp();
  const id = onSqlite(handle.db, (store) =>
    insertQueuedExecution(store, { agentId, prompt: 'p', model: 'm', trigger: 'manual' }),
  );
  const endRun = (tx: Parameters<Parameters<typeof handle.db.transaction>[0]>[0]) =>
    tx
      .update(executions)
      .set({ status: 'failed', errorCode: 'overloaded' })
      .where(eq(executions.id, id))
      .run();
  const failed = {
    type: 'run.failed' as const,
    data: {
      executionId: id,
      agentId,
      agentName: 'bench',
      trigger: 'manual' as const,
      attempts: 1,
      durationMs: 1_000,
      costUsd: 0.01,
      errorCode: 'overloaded',
      errorMessage: 'API overloaded',
      path: `/executions/${id}`,
    },
  };
  const plain = timeIt(`${RUN_ENDINGS} run endings, one transaction each (baseline)`, 5, () => {
    for (let i = 0; i < RUN_ENDINGS; i++) handle.db.transaction((tx) => endRun(tx));
  });
  const withEvent = timeIt(`${RUN_ENDINGS} run endings + recordEventIn (3 of 5 channels)`, 5, () => {
    for (let i = 0; i < RUN_ENDINGS; i++)
      handle.db.transaction((tx) => {
        endRun(tx);
        onSqlite(tx, (store) => recordEventIn(store, failed));
      });
  });
  handle.sqlite.close();
  return [plain, { ...withEvent, baseline: plain }];
}

/** A disk that stays above its threshold: the condition table against notifying on every sample. */
async function benchHostConditions(): Promise<BenchResult[]> {
  const { handle } = await setUp();
  const reading: HostReading = {
    host: 'bench-host',
    disks: [
      { mount: '/', usedPercent: 95 },
      { mount: '/data', usedPercent: 40 },
      { mount: '/boot', usedPercent: 30 },
      { mount: '/var', usedPercent: 20 },
    ],
    memoryAvailablePercent: 60,
    load1: 0.5,
    cores: 2,
  };
  const disk = {
    type: 'host.disk' as const,
    data: {
      mount: '/',
      usedPercent: 95,
      thresholdPercent: 90,
      since: 0,
      state: 'firing' as const,
      path: '/system',
    },
  };
  const rows = () => handle.db.select({ n: sql<number>`count(*)` }).from(notificationOutbox).get()?.n ?? 0;
  // Without condition state every breaching sample is a message: a fresh condition key each time.
  let sample = 0;
  const naive = timeIt(`${SAMPLES} disk samples, a message per breaching sample (naive)`, 3, () => {
    for (let i = 0; i < SAMPLES; i++)
      transactionOnSqlite(handle.db, (tx) =>
        recordEventIn(tx, { ...disk, data: { ...disk.data, mount: `/ #${sample++}` } }),
      );
  });
  const naiveRows = rows();
  const store = sqliteStore(handle.db);
  const evaluated = await timeItAsync(
    `${SAMPLES} disk samples through evaluateHostConditions`,
    3,
    async () => {
      for (let i = 0; i < SAMPLES; i++) await evaluateHostConditions(store, reading);
    },
  );
  const evaluatorRows = rows() - naiveRows;
  console.log(
    `Messages queued for a disk above its threshold through ${4 * SAMPLES} samples (2 channels): ` +
      `naive ${naiveRows}, evaluateHostConditions ${evaluatorRows}`,
  );
  handle.sqlite.close();
  return [naive, { ...evaluated, baseline: naive }];
}

/** Signed webhooks to a local receiver: through the outbox and worker, against bare POSTs, 4 at a time each. */
async function benchDelivery(): Promise<BenchResult[]> {
  const receiver = await startHttpReceiver();
  const handle = createTestDb();
  const agentId = runOnSqlite(
    createAgent(sqliteStore(handle.db), {
      name: 'bench',
      model: 'claude-sonnet-4-5',
      defaultPrompt: 'p',
    }),
  ).id;
  runOnSqlite(
    updateAppSettings(sqliteStore(handle.db), {
      notificationRateLimitCount: 1_000,
      notificationRateLimitWindowMinutes: 1,
    }),
  );
  const { secret } = await createChannel(
    sqliteStore(handle.db),
    box,
    createChannelSchema.parse({
      type: 'webhook',
      name: 'w',
      url: `${receiver.url}/hook`,
      events: ['schedule.missed'],
    }),
  );
  const signer = new Webhook(secret ?? '');
  const event = (n: number) => ({
    type: 'schedule.missed' as const,
    data: {
      scheduleId: n + 1,
      agentId,
      agentName: 'bench',
      scheduledFor: 0,
      missedSlots: 1,
      path: `/schedules/${n}`,
    },
  });

  const bare = await timeItAsync(`${MESSAGES} signed POSTs, no outbox (baseline)`, 3, async () => {
    const queue = Array.from({ length: MESSAGES }, (_, n) => n);
    const postOne = async (n: number) => {
      const body = JSON.stringify({ id: `msg_${n}`, ...event(n) });
      const now = new Date();
      await (
        await fetch(`${receiver.url}/hook`, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'webhook-id': `msg_${n}`,
            'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
            'webhook-signature': signer.sign(`msg_${n}`, now, body),
          },
        })
      ).text();
    };
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let n = queue.shift(); n !== undefined; n = queue.shift()) await postOne(n);
      }),
    );
  });

  const logger = createLogger({ level: 'warn', masker: new SecretMasker([]) });
  const worker = startNotificationWorker({
    store: sqliteStore(handle.db),
    logger,
    baseUrl: 'http://127.0.0.1',
    box,
  });
  const before = receiver.requests.length;
  let runs = 0;
  const outbox = await timeItAsync(
    `${MESSAGES} events recorded, then delivered by the worker`,
    3,
    async () => {
      runs += 1;
      transactionOnSqlite(handle.db, function* (tx) {
        for (let n = 0; n < MESSAGES; n++) yield* recordEventIn(tx, event(n));
      });
      await worker.kick();
    },
  );
  await worker.stop();
  assert.equal(receiver.requests.length - before, runs * MESSAGES, 'every message delivered once');
  handle.sqlite.close();
  await receiver.close();
  return [bare, { ...outbox, baseline: bare }];
}

export async function benchNotifications(): Promise<BenchResult[]> {
  return [...(await benchRecordEvent()), ...(await benchHostConditions()), ...(await benchDelivery())];
}
