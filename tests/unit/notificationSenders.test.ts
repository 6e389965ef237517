import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createChannelSchema,
  NOTIFICATION_EVENT_TYPES,
  type NotificationEventType,
  notificationEventSchema,
} from '../../src/lib/contracts/notifications';
import type { DbHandle } from '../../src/lib/db';
import { runOnSqlite, transactionOnSqlite } from '../../src/lib/db/plan';
import { listDeliveries } from '../../src/lib/db/queries/notificationDeliveries';
import { notificationOutbox } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { createChannel } from '../../src/lib/notifications/channels';
import { recordEventIn } from '../../src/lib/notifications/events';
import { renderMessage } from '../../src/lib/notifications/render';
import { outcomeOfStatus, parseRetryAfter } from '../../src/lib/notifications/senders/http';
import { sendTestMessage } from '../../src/lib/notifications/testMessage';
import { startNotificationWorker } from '../../src/lib/notifications/worker';
import { BASE_URL, capturedLogger, newBox, runFailed, SAMPLE_EVENTS } from '../helpers/notifications';
import {
  decodeEncodedWords,
  type HttpReceiver,
  readMail,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtpReceiver,
} from '../helpers/receivers';
import { createTestDb } from '../helpers/testDb';

const box = newBox();
let handle: DbHandle;
let receiver: HttpReceiver;

beforeEach(async () => {
  handle = createTestDb();
  receiver = await startHttpReceiver();
});
afterEach(async () => {
  handle.sqlite.close();
  await receiver.close();
});

async function channel(input: Record<string, unknown>, events: NotificationEventType[] = ['run.failed']) {
  const created = await createChannel(
    sqliteStore(handle.db),
    box,
    createChannelSchema.parse({ name: 'ops', events, ...input }),
  );
  return created.channel;
}

/** Records the event and lets a worker deliver everything due, then stops it. */
async function deliver(event = runFailed()): Promise<void> {
  transactionOnSqlite(handle.db, (tx) => recordEventIn(tx, event));
  const worker = startNotificationWorker({
    store: sqliteStore(handle.db),
    logger: capturedLogger().logger,
    baseUrl: BASE_URL,
    box,
    pollIntervalMs: 3_600_000,
  });
  await worker.kick();
  await worker.stop();
}

const json = (index = 0): Record<string, unknown> => JSON.parse(receiver.requests[index]?.body ?? 'null');
const RUN_URL = `${BASE_URL}/executions/42`;

describe('Slack', () => {
  it('posts text and blocks: the title, the sentence, the figures and the link, with mrkdwn escaped', async () => {
    await channel({ type: 'slack', url: `${receiver.url}/services/T0/B0/x` });
    await deliver(runFailed({ agentName: 'a<b>&c', errorMessage: 'exit <1> & more' }));
    expect(receiver.requests[0]?.headers['content-type']).toBe('application/json');
    const body = json() as {
      text: string;
      blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[];
    };
    expect(body.text).toBe(':rotating_light: Run #42 of “a&lt;b&gt;&amp;c” failed');
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Run #42 of “a<b>&c” failed' },
    });
    expect(body.blocks[1]?.text?.text).toBe('exit &lt;1&gt; &amp; more');
    expect(body.blocks[2]?.fields?.map((f) => f.text)).toEqual(
      expect.arrayContaining([
        '*Cost*\n$0.12',
        '*Duration*\n1 m 23 s',
        '*Error*\noverloaded',
        '*Attempts*\n3',
      ]),
    );
    expect(body.blocks.at(-1)?.text?.text).toBe(`<${RUN_URL}|Open in ClaudeOps>`);
  });
});

describe('Discord', () => {
  it('posts content and one embed with the figures and the link, and pings nobody', async () => {
    await channel({ type: 'discord', url: `${receiver.url}/api/webhooks/1/x` });
    await deliver(runFailed({ errorMessage: '@everyone the build broke' }));
    const body = json() as {
      content: string;
      embeds: {
        title: string;
        description: string;
        url: string;
        color: number;
        fields: object[];
        timestamp: string;
      }[];
      allowed_mentions: unknown;
    };
    expect(body.content).toBe('Run #42 of “nightly-report” failed');
    expect(body.embeds[0]).toMatchObject({
      title: 'Run #42 of “nightly-report” failed',
      description: '@everyone the build broke',
      url: RUN_URL,
      color: 0xd93025,
    });
    expect(body.embeds[0]?.fields).toContainEqual({ name: 'Cost', value: '$0.12', inline: true });
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('ntfy', () => {
  it('posts the text to the topic URL with title, priority, tags, link and the Bearer token', async () => {
    await channel({ type: 'ntfy', url: `${receiver.url}/ops-alerts`, token: 'tk_ntfy_token_0123456789' });
    await deliver();
    const [request] = receiver.requests;
    expect(request?.path).toBe('/ops-alerts');
    expect(request?.headers).toMatchObject({
      priority: '4',
      tags: 'rotating_light,run.failed',
      click: RUN_URL,
      authorization: 'Bearer tk_ntfy_token_0123456789',
    });
    expect(decodeEncodedWords(String(request?.headers.title))).toBe('Run #42 of “nightly-report” failed');
    expect(request?.body).toContain('API overloaded (529) after 10 retries');
    expect(request?.body).toContain('Cost: $0.12');
  });

  it('sends no Authorization header without a token, and plain ASCII titles as they are', async () => {
    await channel({ type: 'ntfy', url: `${receiver.url}/t` }, ['circuit.opened']);
    await deliver({
      type: 'circuit.opened',
      data: {
        consecutiveFailures: 5,
        threshold: 5,
        cooldownSeconds: 60,
        lastFailure: 'overloaded',
        path: '/',
      },
    });
    expect(receiver.requests[0]?.headers.authorization).toBeUndefined();
    expect(receiver.requests[0]?.headers.title).toBe('Circuit breaker opened: no run starts');
  });
});

describe('email', () => {
  let smtp: SmtpReceiver;
  beforeEach(async () => {
    smtp = await startSmtpReceiver({ user: 'ops', password: 'smtp-pass-123' });
  });
  afterEach(() => smtp.close());

  const mailChannel = (password: string) =>
    channel({
      type: 'email',
      host: '127.0.0.1',
      port: smtp.port,
      tls: 'none',
      user: 'ops',
      password,
      from: 'claudeops@example.com',
      to: ['oncall@example.com', 'lead@example.com'],
    });

  it('sends a mail over SMTP with auth: subject, the figures and the link in the body', async () => {
    const email = await mailChannel('smtp-pass-123');
    await deliver();
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail).toMatchObject({
      from: 'claudeops@example.com',
      to: ['oncall@example.com', 'lead@example.com'],
      user: 'ops',
    });
    const { subject, text, headers } = readMail(mail?.raw ?? '');
    expect(subject).toBe('[ClaudeOps] Run #42 of “nightly-report” failed');
    expect(text).toContain('API overloaded (529) after 10 retries');
    expect(text).toContain('Cost: $0.12');
    expect(text).toContain('Agent: nightly-report (#1)');
    expect(text).toContain(`Open in ClaudeOps: ${RUN_URL}`);
    const [entry] = runOnSqlite(
      listDeliveries(sqliteStore(handle.db), { channelId: email.id, limit: 5 }),
    ).deliveries;
    expect(entry).toMatchObject({ status: 'delivered', responseCode: 250 });
    expect(headers).toContain(`Message-ID: <${entry?.eventId}@claudeops>`);
  });

  it('gives up at once when the server refuses the login (535), without the password in the log', async () => {
    const email = await mailChannel('wrong-password-456');
    await deliver();
    expect(smtp.mails).toHaveLength(0);
    const [entry] = runOnSqlite(
      listDeliveries(sqliteStore(handle.db), { channelId: email.id, limit: 5 }),
    ).deliveries;
    expect(entry).toMatchObject({ attempt: 1, status: 'gave_up', responseCode: 535 });
    expect(JSON.stringify(entry)).not.toContain('wrong-password-456');
  });
});

describe('test messages', () => {
  it('sends through the real sender at once and records the outcome, delivered or not', async () => {
    const hook = await createChannel(
      sqliteStore(handle.db),
      box,
      createChannelSchema.parse({
        type: 'webhook',
        name: 'ops hook',
        url: `${receiver.url}/hook`,
        events: ['run.failed'],
        enabled: false,
      }),
    );
    const delivered = await sendTestMessage(sqliteStore(handle.db), box, hook.channel.id, {
      baseUrl: BASE_URL,
    });
    expect(delivered).toMatchObject({ status: 'delivered', responseCode: 200, error: null });
    const request = receiver.requests[0];
    const body = new Webhook(hook.secret ?? '').verify(
      request?.body ?? '',
      request?.headers as Record<string, string>,
    );
    expect(body).toMatchObject({
      type: 'notification.test',
      data: { channelId: hook.channel.id, channelName: 'ops hook' },
      url: `${BASE_URL}/notifications`,
    });

    receiver.script({ status: 404, body: 'no such hook' });
    const failed = await sendTestMessage(sqliteStore(handle.db), box, hook.channel.id, { baseUrl: BASE_URL });
    expect(failed).toMatchObject({ status: 'failed', responseCode: 404, error: 'HTTP 404: no such hook' });
    expect(receiver.requests).toHaveLength(2);
    expect(
      runOnSqlite(listDeliveries(sqliteStore(handle.db), { limit: 5 })).deliveries.map((d) => [
        d.eventType,
        d.status,
      ]),
    ).toEqual([
      ['notification.test', 'failed'],
      ['notification.test', 'delivered'],
    ]);
    expect(handle.db.select().from(notificationOutbox).all()).toEqual([]);
    await expect(sendTestMessage(sqliteStore(handle.db), box, 999, { baseUrl: BASE_URL })).rejects.toThrow(
      /not found/,
    );
  });
});

describe('HTTP outcomes', () => {
  it.each([
    [200, true, false],
    [204, true, false],
    [301, false, true],
    [400, false, true],
    [401, false, true],
    [404, false, true],
    [410, false, true],
    [408, false, false],
    [429, false, false],
    [500, false, false],
    [502, false, false],
    [503, false, false],
  ])('HTTP %i: delivered %s, permanent %s', (status, ok, permanent) => {
    const outcome = outcomeOfStatus(status, null, '');
    expect(outcome.ok).toBe(ok);
    if (!outcome.ok) expect(outcome.permanent).toBe(permanent);
  });

  it('reads Retry-After as seconds or a date, only for 429 and 503, capped at an hour', () => {
    const now = Date.parse('2026-11-20T12:00:00.000Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
    expect(parseRetryAfter('Fri, 20 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('999999', now)).toBe(3_600_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(outcomeOfStatus(503, '7', '')).toMatchObject({ retryAfterMs: 7_000 });
    expect(outcomeOfStatus(500, '7', '')).toMatchObject({ retryAfterMs: null });
  });
});

describe('the catalogue', () => {
  it('has a sample of every event type, each rendered with what happened and its link', () => {
    expect(SAMPLE_EVENTS.map((event) => event.type)).toEqual([...NOTIFICATION_EVENT_TYPES]);
    const rendered = SAMPLE_EVENTS.map((event) => {
      const message = renderMessage(notificationEventSchema.parse(event), BASE_URL);
      return [message.title, message.severity, message.url.slice(BASE_URL.length)];
    });
    expect(rendered).toEqual([
      ['Run #42 of “nightly-report” failed', 'critical', '/executions/42'],
      ['Run #42 of “nightly-report” timed out', 'critical', '/executions/42'],
      ['Run #42 of “nightly-report” was stopped by a budget', 'warning', '/executions/42'],
      ['Run #42 of “nightly-report” was interrupted', 'warning', '/executions/42'],
      ['The global monthly budget is at 80%', 'warning', '/costs'],
      ['The monthly budget of agent “nightly-report” is exhausted', 'critical', '/costs'],
      ['Schedule #7 of “nightly-report” did not start a run', 'warning', '/schedules/7'],
      ['Schedule #7 of “nightly-report” missed 3 slots', 'warning', '/schedules/7'],
      ['Health report: warning', 'warning', '/executions/43'],
      ['Health report: critical', 'critical', '/executions/43'],
      ['Circuit breaker opened: no run starts', 'critical', '/'],
      ['Circuit breaker closed: runs start again', 'resolved', '/'],
      ['Disk / on gpu-box is 91.2% full', 'warning', '/system?host=gpu-box'],
      ['Available memory is back to 12.5%', 'resolved', '/system'],
      ['Load on web-1 is high: 4.50 on 2 cores', 'warning', '/system?host=web-1'],
      ['Run #42 of “nightly-report” asks to use Bash', 'warning', '/executions/42'],
      ['Nobody approved Bash for run #42 of “nightly-report”', 'warning', '/executions/42'],
      ['Low disk space for ClaudeOps: 512 MiB free of 20.0 GiB', 'warning', '/system'],
      ['ClaudeOps cannot write its data (SQLITE_FULL)', 'critical', '/system'],
    ]);
  });

  it('names the machine of a host event first among its fields, when the event names one', () => {
    const fieldsOf = (type: string) => {
      const event = SAMPLE_EVENTS.find((sample) => sample.type === type);
      return event ? renderMessage(notificationEventSchema.parse(event), BASE_URL).fields : [];
    };
    expect(fieldsOf('host.disk')[0]).toEqual({ label: 'Host', value: 'gpu-box' });
    expect(fieldsOf('host.memory').map((field) => field.label)).toEqual(['Available', 'Threshold']);
  });

  it('shortens long free text instead of refusing the event', () => {
    const event = notificationEventSchema.parse(runFailed({ errorMessage: 'x'.repeat(10_000) }));
    expect(event.type === 'run.failed' && event.data.errorMessage?.length).toBe(2_000);
  });
});
