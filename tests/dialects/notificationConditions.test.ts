import { asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { type NotificationEventInput, notificationEventSchema } from '../../src/lib/contracts/notifications';
import { execute, rowsOf, transaction } from '../../src/lib/db/plan';
import {
  deleteCondition,
  getCondition,
  listConditions,
  putCondition,
} from '../../src/lib/db/queries/notificationConditions';
import type { Store } from '../../src/lib/db/store';
import { createChannel } from '../../src/lib/notifications/channels';
import { queueEvent } from '../../src/lib/notifications/events';
import { evaluateHostConditions, type HostReading } from '../../src/lib/notifications/hostConditions';
import { everythingChannel, fakeClock, newBox, runFailed } from '../helpers/notifications';
import { describeOnEachDialect } from '../helpers/stores';

// Conditions (their table and the de-duplication in recordEventIn) on both dialects; the host
// thresholds, which read the settings, stay in tests/unit/notificationConditions.test.ts.

const HOUR = 3_600_000;
const QUIET_MS = 6 * HOUR;

/** recordEventIn's writes, in a transaction of their own, with the default quiet period. */
const record = (store: Store, input: NotificationEventInput, now: number, quietMs = QUIET_MS) =>
  transaction(store, (tx) => queueEvent(tx, notificationEventSchema.parse(input), now, quietMs));

/** A channel that takes every event: what it was sent so far, `type state`, one line per message. */
async function sentToNewChannel(store: Store): Promise<() => Promise<string[]>> {
  const { channel } = await createChannel(store, newBox(), everythingChannel());
  const { db, t } = store;
  return async () =>
    (
      await execute(
        store,
        rowsOf(
          db
            .select({ type: t.notificationEvents.type, data: t.notificationEvents.data })
            .from(t.notificationOutbox)
            .innerJoin(t.notificationEvents, eq(t.notificationEvents.id, t.notificationOutbox.eventId))
            .where(eq(t.notificationOutbox.channelId, channel.id))
            .orderBy(asc(t.notificationOutbox.id)),
        ),
      )
    ).map(({ type, data }) => [type, data.state ?? ''].join(' ').trim());
}

const opened = {
  type: 'circuit.opened' as const,
  data: { consecutiveFailures: 5, threshold: 5, cooldownSeconds: 60, lastFailure: 'overloaded', path: '/' },
};
const closed = { type: 'circuit.closed' as const, data: { openedAt: 1, path: '/' } };

describeOnEachDialect('notification conditions', (store) => {
  it('stores a condition, changes it in place (an upsert), lists by key and deletes it', async () => {
    const s = store();
    const put = (key: string, active: boolean, since: number, lastNotifiedAt: number | null) =>
      execute(s, putCondition(s, { key, active, since, lastNotifiedAt, updatedAt: since }));
    await put('storage.low', false, 10, null);
    await put('host.disk:/', false, 20, null);
    await put('host.disk:/', true, 20, 30);
    expect(await execute(s, getCondition(s, 'host.disk:/'))).toEqual({
      key: 'host.disk:/',
      active: true,
      since: 20,
      lastNotifiedAt: 30,
      updatedAt: 20,
    });
    const listed = await execute(s, listConditions(s));
    expect(listed.map((row) => [row.key, row.active])).toEqual([
      ['host.disk:/', true],
      ['storage.low', false],
    ]);
    await execute(s, deleteCondition(s, 'storage.low'));
    await execute(s, deleteCondition(s, 'storage.low'));
    expect(await execute(s, getCondition(s, 'storage.low'))).toBeUndefined();
    await execute(s, deleteCondition(s, 'host.disk:/'));
    expect(await execute(s, listConditions(s))).toEqual([]);
  });

  it('circuit: opened once, closed once, opened again after it closed', async () => {
    const sent = await sentToNewChannel(store());
    const clock = fakeClock();
    for (const event of [opened, opened, closed, closed, opened]) await record(store(), event, clock.now());
    expect(await sent()).toEqual(['circuit.opened', 'circuit.closed', 'circuit.opened']);
    // Cleared for the next test: the suite's store is shared.
    await record(store(), closed, clock.now());
  });

  it('announces a condition that still holds again after the quiet period, and suppresses it within', async () => {
    const sent = await sentToNewChannel(store());
    const clock = fakeClock();
    expect((await record(store(), opened, clock.now())).suppressed).toBe(false);
    clock.advance(QUIET_MS - 1);
    expect(await record(store(), opened, clock.now())).toEqual({
      eventId: null,
      queued: 0,
      suppressed: true,
    });
    clock.advance(1);
    const again = await record(store(), opened, clock.now());
    // Both channels of the suite's store take it: this test's and the circuit test's.
    expect(again).toMatchObject({ queued: 2, suppressed: false });
    expect(again.eventId).toMatch(/^evt_/);
    expect(await sent()).toEqual(['circuit.opened', 'circuit.opened']);
    await record(store(), closed, clock.now());
  });

  it('budget: one warning per budget and month; another agent or month is its own condition', async () => {
    const sent = await sentToNewChannel(store());
    const clock = fakeClock();
    const warning = (agentId: number, month: string) => ({
      type: 'budget.warning' as const,
      data: {
        scope: 'agent' as const,
        agentId,
        agentName: `agent ${agentId}`,
        month,
        spentUsd: 41,
        budgetUsd: 50,
        state: 'firing' as const,
        path: '/costs',
      },
    });
    const outcomes = [];
    for (const event of [
      warning(1, '2026-11'),
      warning(1, '2026-11'),
      warning(2, '2026-11'),
      warning(1, '2026-12'),
    ])
      outcomes.push(await record(store(), event, clock.now()));
    expect(outcomes.map((o) => o.suppressed)).toEqual([false, true, false, false]);
    expect(await sent()).toEqual(['budget.warning firing', 'budget.warning firing', 'budget.warning firing']);
  });

  it('one machine checked by two processes at once (a web server and a worker host beside it): one message per change', async () => {
    const sent = await sentToNewChannel(store());
    const clock = fakeClock();
    const reading = (usedPercent: number): HostReading => ({
      host: 'shared-box',
      disks: [{ mount: '/', usedPercent }],
      memoryAvailablePercent: 60,
      load1: 0,
      cores: 2,
    });
    // Both sample at the same instants (multiples of the interval), so they check at once.
    for (const used of [95, 96, 50, 97, 98]) {
      const both = [reading(used), reading(used)];
      await Promise.all(both.map((one) => evaluateHostConditions(store(), one, clock.now())));
      clock.advance(60_000);
    }
    expect(await sent()).toEqual(['host.disk firing', 'host.disk resolved', 'host.disk firing']);
  });

  it('runs are not conditions: every failure is its own message', async () => {
    const sent = await sentToNewChannel(store());
    const clock = fakeClock();
    await record(store(), runFailed(), clock.now());
    await record(store(), runFailed(), clock.now());
    expect(await sent()).toEqual(['run.failed', 'run.failed']);
  });
});
