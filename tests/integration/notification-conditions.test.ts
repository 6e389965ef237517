import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConditionDto, conditionListResponseSchema } from '../../src/lib/contracts/notifications';
import { hostConditionKey, hostDiskKey } from '../../src/lib/notifications/conditions';
import { notificationsApi, requestsTo, verifiedWebhook } from '../helpers/notificationServer';
import { type HttpReceiver, startHttpReceiver } from '../helpers/receivers';
import { setUpTestStack } from '../helpers/stack';
import { connectRecording, type RecordingSocket } from '../helpers/wsClient';

const stack = setUpTestStack({ beforeAll, afterAll });
const POLL = { timeout: 20_000, interval: 200 };
const QUIET_MINUTES = 360;

let receiver: HttpReceiver;
let samples: RecordingSocket;

beforeAll(async () => {
  receiver = await startHttpReceiver();
  samples = await connectRecording(stack.app.url);
  samples.send({ type: 'subscribe', topic: 'metrics' });
  const { status } = await stack.api.call('PATCH', '/api/settings', {
    metricsIntervalSeconds: 1,
    notificationQuietPeriodMinutes: QUIET_MINUTES,
  });
  expect(status).toBe(200);
});
afterAll(async () => {
  await samples?.close();
  await receiver?.close();
});

async function conditions(): Promise<ConditionDto[]> {
  const { status, body } = await stack.api.call('GET', '/api/notifications/conditions');
  expect(status).toBe(200);
  return conditionListResponseSchema.parse(body).conditions;
}

const condition = async (key: string) => (await conditions()).find((one) => one.key === key);
const setDiskThreshold = async (percent: number) =>
  expect((await stack.api.call('PATCH', '/api/settings', { hostDiskUsedPercent: percent })).status).toBe(200);

/** Resolves once `count` host samples taken after now have been published (and evaluated). */
async function samplesAfterNow(count: number): Promise<void> {
  const from = Date.now();
  await samples.waitFor(
    (frame): frame is Extract<typeof frame, { type: 'metrics.sample' }> =>
      frame.type === 'metrics.sample' &&
      samples.frames.filter((f) => f.type === 'metrics.sample' && f.sample.t > from).length >= count,
  );
}

describe('notification conditions through the API', () => {
  it('lists the fixed conditions as clear, and says why a firing disk condition did or did not send', async () => {
    const initial = await conditions();
    expect(initial.find((one) => one.key === 'circuit')).toMatchObject({
      label: 'Circuit breaker open',
      eventType: 'circuit.opened',
      status: { kind: 'clear' },
    });
    // This machine's memory and load are listed under its name, clear.
    const host = os.hostname();
    expect(initial.find((one) => one.key === hostConditionKey('host.memory', host))).toMatchObject({
      label: `Memory low on ${host}`,
      eventType: 'host.memory',
      status: { kind: 'clear' },
    });

    // Every real mount is more than 1% full: the disk condition fires, with no channel to take it.
    await setDiskThreshold(1);
    const diskPrefix = hostDiskKey(host, '');
    await expect
      .poll(async () => (await conditions()).some((one) => one.key.startsWith(diskPrefix)), POLL)
      .toBe(true);
    const disks = (await conditions()).filter((one) => one.key.startsWith(diskPrefix));
    const firing = disks.find((one) => one.key === hostDiskKey(host, '/')) ?? disks[0];
    const key = firing?.key ?? '';
    const mount = key.slice(diskPrefix.length);
    expect(firing).toMatchObject({
      label: `Disk ${mount} full on ${host}`,
      eventType: 'host.disk',
      active: true,
      status: { kind: 'no_channel' },
    });
    const notifiedAt = firing?.lastNotifiedAt ?? 0;
    expect(notifiedAt).toBeGreaterThan(0);

    // A channel subscribing to it now hears nothing: the start was marked announced already.
    const notify = notificationsApi(stack.api, stack.model);
    const { channel, secret } = await notify.createChannel({
      type: 'webhook',
      name: 'disk-watch',
      url: `${receiver.url}/disk`,
      events: ['host.disk'],
    });
    await samplesAfterNow(2);
    expect((await condition(key))?.status).toEqual({
      kind: 'notified_before_channel',
      notifiedAt,
      channel: 'disk-watch',
      channelCreatedAt: channel.createdAt,
      nextPossibleAt: notifiedAt + QUIET_MINUTES * 60_000,
    });
    expect(requestsTo(receiver.requests, '/disk')).toHaveLength(0);

    // It clears: the channel gets the "resolved" (the start was announced), and the row is gone.
    await setDiskThreshold(100);
    await expect.poll(() => condition(key), POLL).toBeUndefined();
    const mountMessages = () =>
      requestsTo(receiver.requests, '/disk')
        .map((request) => verifiedWebhook(request, secret ?? ''))
        .filter((body) => body.type === 'host.disk' && body.data.mount === mount)
        .map((body) => {
          const { pathname, search } = new URL(body.url);
          return body.type === 'host.disk' ? [body.data.state, body.data.host, pathname + search] : null;
        });
    const link = `/system?host=${encodeURIComponent(host)}`;
    await expect.poll(mountMessages, POLL).toEqual([['resolved', host, link]]);

    // It fires again: this time the channel exists, so it is sent, and the API says to whom.
    await setDiskThreshold(1);
    await expect.poll(async () => (await condition(key))?.status.kind, POLL).toBe('sent');
    const sent = await condition(key);
    expect(sent?.status).toEqual({
      kind: 'sent',
      at: sent?.lastNotifiedAt,
      channels: ['disk-watch'],
      quietUntil: (sent?.lastNotifiedAt ?? 0) + QUIET_MINUTES * 60_000,
    });
    await expect.poll(mountMessages, POLL).toEqual([
      ['resolved', host, link],
      ['firing', host, link],
    ]);
  });
});
