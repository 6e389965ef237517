import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelDtoSchema, testResponseSchema } from '../../src/lib/contracts/notifications';
import { notificationsApi, requestsTo, verifiedWebhook } from '../helpers/notificationServer';
import {
  type HttpReceiver,
  readMail,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtpReceiver,
} from '../helpers/receivers';
import { setUpTestStack } from '../helpers/stack';

// Retries 0.3 s apart (doubling, with jitter) instead of 30 s.
const stack = setUpTestStack({ beforeAll, afterAll }, { CLAUDEOPS_NOTIFY_RETRY_BASE_MS: '300' });
const SMTP = { user: 'ops', password: 'smtp-pass-7d1e' };

let receiver: HttpReceiver;
let smtp: SmtpReceiver;
let notify: ReturnType<typeof notificationsApi>;

beforeAll(async () => {
  receiver = await startHttpReceiver();
  smtp = await startSmtpReceiver(SMTP);
  notify = notificationsApi(stack.api, stack.model);
});
afterAll(async () => {
  await receiver?.close();
  await smtp?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const POLL = { timeout: 20_000, interval: 100 };

/** A webhook channel on its own path of the receiver, told about failed runs of one agent. */
const webhookFor = (path: string, agentId: number, events = ['run.failed']) =>
  notify.createChannel({
    type: 'webhook',
    name: path,
    url: `${receiver.url}${path}`,
    events,
    agentIds: [agentId],
  });

describe('channels through the API', () => {
  it('answers a new webhook’s whsec_ secret once; reads show it masked, a new one replaces it', async () => {
    const { channel, secret } = await notify.createChannel({
      type: 'webhook',
      name: 'ops hook',
      url: 'https://ops.example.com/hooks/claudeops',
      events: ['run.failed', 'budget.exhausted'],
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(channel).toMatchObject({
      type: 'webhook',
      enabled: true,
      agentIds: null,
      secret: `••••${secret?.slice(-4)}`,
    });

    const list = await stack.api.call('GET', '/api/notification-channels');
    const one = await stack.api.call('GET', `/api/notification-channels/${channel.id}`);
    expect(list.status).toBe(200);
    expect(one.body).toEqual({ channel });
    for (const read of [list.body, one.body])
      expect(JSON.stringify(read)).not.toContain(secret?.slice(6, 30));

    const rotated = await stack.api.call('PATCH', `/api/notification-channels/${channel.id}`, {
      rotateSecret: true,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body?.secret).toMatch(/^whsec_/);
    expect(rotated.body?.secret).not.toBe(secret);

    expect((await stack.api.call('DELETE', `/api/notification-channels/${channel.id}`)).status).toBe(204);
    expect((await stack.api.call('GET', `/api/notification-channels/${channel.id}`)).status).toBe(404);
  });

  const hook = (change: object) => ({
    type: 'webhook',
    name: 'bad',
    url: 'https://ops.example.com/hook',
    events: ['run.failed'],
    ...change,
  });
  const mail = (change: object) => ({
    type: 'email',
    name: 'bad',
    host: 'smtp.example.com',
    from: 'claudeops@example.com',
    to: ['ops@example.com'],
    events: ['run.failed'],
    ...change,
  });
  it.each([
    ['an invalid URL', hook({ url: 'not a url' }), 'url', 'Must be an http:// or https:// URL'],
    [
      'a URL that is not http',
      hook({ url: 'file:///etc/passwd' }),
      'url',
      'Must be an http:// or https:// URL',
    ],
    [
      'an unknown event',
      hook({ events: ['run.failed', 'run.exploded'] }),
      'events.1',
      'Unknown event "run.exploded"',
    ],
    ['no event', hook({ events: [] }), 'events', 'Choose at least one event'],
    ['an agent that does not exist', hook({ agentIds: [987_654] }), 'agentIds.0', 'No agent with id 987654'],
    ['a port out of range', mail({ port: 70_000 }), 'port', 'Must be from 1 to 65535'],
    ['a password without a user', mail({ password: 'x' }), 'password', 'A password needs a user'],
    [
      'a recipient that is no address',
      mail({ to: ['ops@example.com', 'ops'] }),
      'to.1',
      'Not an email address',
    ],
  ])('refuses %s with a 400 naming the field', async (_what, body, path, message) => {
    const { status, body: answer } = await stack.api.call('POST', '/api/notification-channels', body);

    expect(status).toBe(400);
    expect(answer).toMatchObject({ error: { code: 'invalid_request', issues: [{ path, message }] } });
  });

  it('refuses a setting of another type, when creating and when changing, naming it', async () => {
    const created = await stack.api.call('POST', '/api/notification-channels', {
      type: 'webhook',
      name: 'stray',
      url: 'https://ops.example.com/hook',
      host: 'smtp.example.com',
      events: ['run.failed'],
    });
    expect(created.status).toBe(400);
    expect(JSON.stringify(created.body)).toContain('Unrecognized key: \\"host\\"');

    const { channel } = await notify.createChannel({
      type: 'ntfy',
      name: 'phone',
      url: 'https://ntfy.example.com/ops',
      events: ['host.disk'],
    });
    const changed = await stack.api.call('PATCH', `/api/notification-channels/${channel.id}`, { port: 25 });
    expect(changed.status).toBe(400);
    expect(changed.body).toMatchObject({
      error: { issues: [{ path: 'port', message: 'Not a setting of a ntfy channel' }] },
    });
  });

  it('sends a test email over SMTP with the stored password, which no read returns', async () => {
    const { channel } = await notify.createChannel({
      type: 'email',
      name: 'on-call',
      host: '127.0.0.1',
      port: smtp.port,
      tls: 'none',
      ...SMTP,
      from: 'claudeops@example.com',
      to: ['oncall@example.com'],
      events: ['run.failed'],
    });
    expect(channel).toMatchObject({ type: 'email', user: 'ops', hasPassword: true });

    const { status, body } = await stack.api.call('POST', `/api/notification-channels/${channel.id}/test`);

    expect(status).toBe(200);
    expect(testResponseSchema.parse(body).result).toMatchObject({
      status: 'delivered',
      responseCode: 250,
      error: null,
    });
    expect(smtp.mails).toHaveLength(1);
    const mail = readMail(smtp.mails[0]?.raw ?? '');
    expect(smtp.mails[0]).toMatchObject({ user: 'ops', to: ['oncall@example.com'] });
    expect(mail.subject).toMatch(/^\[ClaudeOps\] /);
    expect(mail.text).toContain(`${stack.app.url}/notifications`);
    const read = await stack.api.call('GET', `/api/notification-channels/${channel.id}`);
    expect(channelDtoSchema.parse(read.body?.channel)).not.toHaveProperty('password');
    expect(JSON.stringify(read.body)).not.toContain(SMTP.password);
    const [logged] = await notify.deliveries(channel.id);
    expect(logged).toMatchObject({
      eventType: 'notification.test',
      status: 'delivered',
      responseCode: 250,
      attempt: 1,
    });
  });
});

describe('delivery of a run’s failure', () => {
  it('sends one signed webhook to the channel that subscribed, and nothing to one that did not', async () => {
    const agent = await notify.createFailingAgent('[script:notify-fails]');
    const subscribed = await webhookFor('/subscribed', agent.id);
    const other = await webhookFor('/other', agent.id, ['run.timeout', 'run.budget_exceeded']);

    const executionId = await notify.runToFailure(agent.id);

    await expect.poll(() => requestsTo(receiver.requests, '/subscribed').length, POLL).toBe(1);
    const [request] = requestsTo(receiver.requests, '/subscribed');
    if (!request) throw new Error('the receiver lost the request');
    const body = verifiedWebhook(request, subscribed.secret ?? '');
    expect(body).toMatchObject({
      type: 'run.failed',
      url: `${stack.app.url}/executions/${executionId}`,
      data: {
        executionId,
        agentId: agent.id,
        agentName: agent.name,
        errorCode: 'invalid_request',
        attempts: 1,
      },
    });
    expect(request.headers['webhook-id']).toBe(body.id);
    await expect
      .poll(() => notify.deliveries(subscribed.channel.id), POLL)
      .toMatchObject([{ eventId: body.id, attempt: 1, status: 'delivered', responseCode: 200 }]);
    expect(requestsTo(receiver.requests, '/other')).toEqual([]);
    expect(await notify.deliveries(other.channel.id)).toEqual([]);
  });

  it('retries a receiver that answers 500 twice; the third attempt delivers the same message, and the log shows all three', async () => {
    const agent = await notify.createFailingAgent('[script:notify-flaky]');
    const { channel, secret } = await webhookFor('/flaky', agent.id);
    receiver.script(
      { path: '/flaky', status: 500, body: 'down' },
      { path: '/flaky', status: 500, body: 'still down' },
    );

    const executionId = await notify.runToFailure(agent.id);

    await expect.poll(() => notify.deliveries(channel.id, 'delivered'), POLL).toHaveLength(1);
    const log = await notify.deliveries(channel.id);
    expect(log.map((d) => [d.attempt, d.status, d.responseCode])).toEqual([
      [1, 'retrying', 500],
      [2, 'retrying', 500],
      [3, 'delivered', 200],
    ]);
    expect(new Set(log.map((d) => d.eventId)).size).toBe(1);
    expect(log[0]?.error).toContain('500');
    expect(await notify.deliveries(channel.id, 'retrying')).toHaveLength(2);
    const requests = requestsTo(receiver.requests, '/flaky');
    expect(requests).toHaveLength(3);
    const bodies = requests.map((request) => verifiedWebhook(request, secret ?? ''));
    expect(bodies.map((body) => body.id)).toEqual([log[0]?.eventId, log[0]?.eventId, log[0]?.eventId]);
    expect(bodies[2]?.data).toMatchObject({ executionId });
  });

  it('does not retry a receiver that answers 400', async () => {
    const agent = await notify.createFailingAgent('[script:notify-rejected]');
    const { channel } = await webhookFor('/rejects', agent.id);
    receiver.script({ path: '/rejects', status: 400, body: 'no such hook' });

    await notify.runToFailure(agent.id);

    await expect.poll(() => notify.deliveries(channel.id), POLL).toHaveLength(1);
    // Several retry waits later, still the one attempt.
    await sleep(3_000);
    const log = await notify.deliveries(channel.id);
    expect(log.map((d) => [d.attempt, d.status, d.responseCode])).toEqual([[1, 'gave_up', 400]]);
    expect(requestsTo(receiver.requests, '/rejects')).toHaveLength(1);
  });
});
