import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient } from '../helpers/api';
import { type AppServer, startAppServer } from '../helpers/appServer';
import { notificationsApi, requestsTo, verifiedWebhook } from '../helpers/notificationServer';
import { type HttpReceiver, startHttpReceiver } from '../helpers/receivers';
import { type ScriptedModelServer, startScriptedModelServer } from '../helpers/scriptedModelServer';

let model: ScriptedModelServer;
let receiver: HttpReceiver;
const servers: AppServer[] = [];

beforeAll(async () => {
  model = await startScriptedModelServer();
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  for (const server of servers) await server.stop();
  await receiver?.close();
  await model?.close();
});

async function start(dataDir?: string): Promise<AppServer> {
  const server = await startAppServer({ modelServerUrl: model.url, ...(dataDir && { dataDir }) });
  servers.push(server);
  return server;
}

it('delivers a notification after the server was killed mid-send, once, with the same id', {
  timeout: 240_000,
}, async () => {
  const first = await start();
  const notify = notificationsApi(apiClient(first.url), model);
  const agent = await notify.createFailingAgent('[script:notify-crash]');
  const { channel, secret } = await notify.createChannel({
    type: 'webhook',
    name: 'crash',
    url: `${receiver.url}/crash`,
    events: ['run.failed'],
    agentIds: [agent.id],
  });
  // The first request is never answered: the server is killed while it waits.
  receiver.script({ path: '/crash', status: 200, hang: true });

  await notify.runToFailure(agent.id);
  await expect.poll(() => requestsTo(receiver.requests, '/crash').length, { timeout: 20_000 }).toBe(1);
  const eventId = requestsTo(receiver.requests, '/crash')[0]?.headers['webhook-id'];
  await first.stop('SIGKILL');

  const second = await start(first.dataDir);
  const restarted = notificationsApi(apiClient(second.url), model);
  // The dead server's claim runs out (a 60 s lease), and the new server sends the row again.
  await expect
    .poll(() => restarted.deliveries(channel.id, 'delivered'), { timeout: 150_000, interval: 500 })
    .toHaveLength(1);

  const requests = requestsTo(receiver.requests, '/crash');
  expect(requests.map((request) => request.headers['webhook-id'])).toEqual([eventId, eventId]);
  for (const request of requests) expect(verifiedWebhook(request, secret ?? '').id).toBe(eventId);
  const log = await restarted.deliveries(channel.id);
  expect(log.map((d) => [d.attempt, d.status, d.responseCode, d.eventId])).toEqual([
    [1, 'retrying', null, eventId],
    [2, 'delivered', 200, eventId],
  ]);
  expect(log[0]?.error).toBe('No result: the server stopped during this attempt');
});
