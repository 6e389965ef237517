import { expect, it } from 'vitest';
import { createChannelSchema, type DeliveryStatus } from '../../src/lib/contracts/notifications';
import { execute } from '../../src/lib/db/plan';
import { insertDelivery, listDeliveries } from '../../src/lib/db/queries/notificationDeliveries';
import type { Store } from '../../src/lib/db/store';
import { createChannel } from '../../src/lib/notifications/channels';
import { newBox } from '../helpers/notifications';
import { describeOnEachDialect } from '../helpers/stores';

// The delivery log on both dialects; its query plans on SQLite stay in tests/unit/queryPlans.test.ts,
// and the worker that writes it in tests/unit/notificationDelivery.test.ts.

const T = Date.parse('2026-11-20T12:00:00.000Z');

async function webhookChannel(store: Store): Promise<number> {
  const { channel } = await createChannel(
    store,
    newBox(),
    createChannelSchema.parse({
      type: 'webhook',
      name: 'webhook',
      url: 'https://hooks.example.invalid/h',
      events: ['run.failed'],
    }),
  );
  return channel.id;
}

function logAttempt(store: Store, channelId: number, eventNumber: number, status: DeliveryStatus) {
  return execute(
    store,
    insertDelivery(store, {
      channelId,
      outboxId: null,
      eventId: `evt_${eventNumber}`,
      eventType: 'run.failed',
      attempt: 1,
      status,
      responseCode: status === 'gave_up' ? 400 : 200,
      error: status === 'gave_up' ? 'HTTP 400: bad payload' : null,
      durationMs: 12,
      createdAt: T + eventNumber,
    }),
  );
}

describeOnEachDialect('notification deliveries', (store) => {
  it('pages the delivery log newest first and filters it by channel and status', async () => {
    const a = await webhookChannel(store());
    const b = await webhookChannel(store());
    // Three events, each sent to both channels; the first attempt was refused.
    for (let i = 1; i <= 3; i++)
      for (const channelId of [a, b])
        await logAttempt(store(), channelId, i, i === 1 && channelId === a ? 'gave_up' : 'delivered');
    const list = (query: Parameters<typeof listDeliveries>[1]) =>
      execute(store(), listDeliveries(store(), query));

    const first = await list({ limit: 4 });
    expect(first.deliveries).toHaveLength(4);
    expect(first.nextBefore).not.toBeNull();
    const rest = await list({ limit: 4, before: first.nextBefore ?? 0 });
    expect(rest).toMatchObject({ nextBefore: null });
    expect(rest.deliveries).toHaveLength(2);
    const ids = [...first.deliveries, ...rest.deliveries].map((d) => d.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    expect(new Set(ids).size).toBe(6);
    expect((await list({ status: 'gave_up', limit: 10 })).deliveries).toMatchObject([
      { channelId: a, status: 'gave_up', responseCode: 400, error: 'HTTP 400: bad payload' },
    ]);
    const ofB = (await list({ channelId: b, limit: 10 })).deliveries;
    expect(ofB).toHaveLength(3);
    expect(ofB.every((d) => d.channelId === b)).toBe(true);
    expect((await list({ channelId: a, limit: 10 })).deliveries[0]).toEqual({
      id: expect.any(Number),
      channelId: a,
      channelName: 'webhook',
      channelType: 'webhook',
      eventId: 'evt_3',
      eventType: 'run.failed',
      attempt: 1,
      status: 'delivered',
      responseCode: 200,
      error: null,
      durationMs: 12,
      createdAt: T + 3,
    });
    expect((await list({ channelId: a, status: 'delivered', limit: 10 })).deliveries).toHaveLength(2);
  });
});
