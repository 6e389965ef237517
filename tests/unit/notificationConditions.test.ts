import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/lib/db';
import { runOnSqlite, transaction } from '../../src/lib/db/plan';
import { listConditions, putCondition } from '../../src/lib/db/queries/notificationConditions';
import { updateAppSettings } from '../../src/lib/db/queries/settings';
import { notificationEvents, notificationOutbox } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { createChannel } from '../../src/lib/notifications/channels';
import { hostConditionKey, hostDiskKey } from '../../src/lib/notifications/conditions';
import {
  adoptUnnamedHostConditions,
  evaluateHostConditions,
  type HostReading,
} from '../../src/lib/notifications/hostConditions';
import { everythingChannel, fakeClock, newBox } from '../helpers/notifications';
import { createTestDb } from '../helpers/testDb';

let handle: DbHandle;
let clock: ReturnType<typeof fakeClock>;
let channelId: number;

beforeEach(async () => {
  handle = createTestDb();
  clock = fakeClock();
  const created = await createChannel(sqliteStore(handle.db), newBox(), everythingChannel());
  channelId = created.channel.id;
});
afterEach(() => handle.sqlite.close());

const MINUTE = 60_000;

/** What the channel was sent so far: `type state figure`, one line per message. */
function sent(): string[] {
  return handle.db
    .select({ type: notificationEvents.type, data: notificationEvents.data })
    .from(notificationOutbox)
    .innerJoin(notificationEvents, eq(notificationEvents.id, notificationOutbox.eventId))
    .where(eq(notificationOutbox.channelId, channelId))
    .orderBy(notificationOutbox.id)
    .all()
    .map(({ type, data }) => {
      const figure = data.usedPercent ?? data.availablePercent ?? data.load1 ?? '';
      return [type, data.state ?? '', figure].join(' ').trim();
    });
}

const HOST = 'web-box';

function reading(over: Partial<HostReading> = {}): HostReading {
  return {
    host: HOST,
    disks: [{ mount: '/', usedPercent: 50 }],
    memoryAvailablePercent: 60,
    load1: 0.5,
    cores: 2,
    ...over,
  };
}

/** The data of the event recorded with this id. */
const eventData = (id: string | null | undefined) =>
  handle.db
    .select()
    .from(notificationEvents)
    .where(eq(notificationEvents.id, id ?? ''))
    .get()?.data;

const evaluate = (over: Partial<HostReading> = {}) =>
  evaluateHostConditions(sqliteStore(handle.db), reading(over), clock.now());
const disk = (usedPercent: number, mount = '/') => evaluate({ disks: [{ mount, usedPercent }] });

describe('host.disk', () => {
  it('notifies once when a disk passes 90%, stays quiet while it holds, and sends "resolved" when it clears', async () => {
    await disk(85);
    expect(sent()).toEqual([]);
    await disk(91);
    expect(sent()).toEqual(['host.disk firing 91']);
    for (const used of [93, 95, 97]) {
      clock.advance(5 * MINUTE);
      await disk(used);
    }
    expect(sent()).toEqual(['host.disk firing 91']);
    clock.advance(MINUTE);
    await disk(80);
    expect(sent()).toEqual(['host.disk firing 91', 'host.disk resolved 80']);
    await disk(79);
    expect(sent()).toHaveLength(2);
  });

  it('does not flap at the threshold: it clears only 2 points below it', async () => {
    await disk(90.5);
    await disk(89.5);
    await disk(90.2);
    await disk(88.5);
    expect(sent()).toEqual(['host.disk firing 90.5']);
    await disk(87.9);
    expect(sent()).toEqual(['host.disk firing 90.5', 'host.disk resolved 87.9']);
  });

  it('announces a condition that still holds again after the quiet period (default 6 h)', async () => {
    await disk(95);
    clock.advance(6 * 60 * MINUTE - 1);
    await disk(95);
    expect(sent()).toHaveLength(1);
    clock.advance(1);
    await disk(96);
    expect(sent()).toEqual(['host.disk firing 95', 'host.disk firing 96']);
  });

  it('keeps one condition per mount, and follows the threshold setting', async () => {
    runOnSqlite(updateAppSettings(sqliteStore(handle.db), { hostDiskUsedPercent: 70 }));
    await evaluate({
      disks: [
        { mount: '/', usedPercent: 75 },
        { mount: '/data', usedPercent: 60 },
      ],
    });
    await evaluate({
      disks: [
        { mount: '/', usedPercent: 75 },
        { mount: '/data', usedPercent: 71 },
      ],
    });
    expect(sent()).toEqual(['host.disk firing 75', 'host.disk firing 71']);
  });
});

describe('host.memory', () => {
  it('notifies below 10% available and resolves at 12% or more', async () => {
    await evaluate({ memoryAvailablePercent: 9 });
    await evaluate({ memoryAvailablePercent: 11 });
    await evaluate({ memoryAvailablePercent: 5 });
    expect(sent()).toEqual(['host.memory firing 9']);
    await evaluate({ memoryAvailablePercent: 12 });
    expect(sent()).toEqual(['host.memory firing 9', 'host.memory resolved 12']);
  });
});

describe('host.load', () => {
  it('notifies only once the load has stayed above twice the cores for 10 minutes', async () => {
    await evaluate({ load1: 4.5 });
    clock.advance(9 * MINUTE);
    await evaluate({ load1: 5 });
    expect(sent()).toEqual([]);
    clock.advance(MINUTE);
    await evaluate({ load1: 4.2 });
    expect(sent()).toEqual(['host.load firing 4.2']);
    clock.advance(MINUTE);
    await evaluate({ load1: 6 });
    await evaluate({ load1: 3.9 });
    expect(sent()).toEqual(['host.load firing 4.2', 'host.load resolved 3.9']);
  });

  it('starts counting again when the load dips before the 10 minutes are up, and says nothing about the dip', async () => {
    await evaluate({ load1: 5 });
    clock.advance(8 * MINUTE);
    await evaluate({ load1: 1 });
    clock.advance(MINUTE);
    await evaluate({ load1: 5 });
    clock.advance(9 * MINUTE);
    await evaluate({ load1: 5 });
    expect(sent()).toEqual([]);
    clock.advance(MINUTE);
    await evaluate({ load1: 5 });
    expect(sent()).toEqual(['host.load firing 5']);
  });

  it('tells the load, the cores and since when in the event', async () => {
    const start = clock.now();
    await evaluate({ load1: 9, cores: 4 });
    clock.advance(10 * MINUTE);
    const [outcome] = await evaluate({ load1: 9.5, cores: 4 });
    expect(eventData(outcome?.eventId)).toMatchObject({
      host: HOST,
      path: '/system?host=web-box',
      load1: 9.5,
      cores: 4,
      thresholdLoad: 8,
      sustainedMinutes: 10,
      since: start,
    });
  });
});

describe('several hosts', () => {
  it('keeps each host’s conditions apart: a fine reading of one host clears nothing of another', async () => {
    await evaluate({ memoryAvailablePercent: 5, disks: [{ mount: '/', usedPercent: 95 }] });
    await evaluate({ host: 'gpu-box', memoryAvailablePercent: 50, disks: [{ mount: '/', usedPercent: 40 }] });
    expect(sent()).toEqual(['host.disk firing 95', 'host.memory firing 5']);
    await evaluate({ host: 'gpu-box', memoryAvailablePercent: 4, disks: [{ mount: '/', usedPercent: 96 }] });
    expect(sent()).toEqual([
      'host.disk firing 95',
      'host.memory firing 5',
      'host.disk firing 96',
      'host.memory firing 4',
    ]);
    const conditions = runOnSqlite(listConditions(sqliteStore(handle.db))).map((row) => row.key);
    expect(conditions).toEqual([
      hostDiskKey('gpu-box', '/'),
      hostDiskKey(HOST, '/'),
      hostConditionKey('host.memory', 'gpu-box'),
      hostConditionKey('host.memory', HOST),
    ]);
  });

  it('names the host in each event and links to its charts', async () => {
    const [outcome] = await evaluate({ host: 'gpu box:2', disks: [{ mount: '/data', usedPercent: 99 }] });
    expect(eventData(outcome?.eventId)).toMatchObject({
      host: 'gpu box:2',
      mount: '/data',
      path: '/system?host=gpu%20box%3A2',
    });
  });
});

describe('conditions stored before hosts were named', () => {
  it('are taken by the first host to check, keeping their start, so a holding one is not sent again', async () => {
    const store = sqliteStore(handle.db);
    const since = clock.now() - 30 * MINUTE;
    const held = { active: true, since, lastNotifiedAt: since, updatedAt: since };
    runOnSqlite(putCondition(store, { key: 'host.memory', ...held }));
    runOnSqlite(putCondition(store, { key: 'host.disk:/var', ...held }));
    runOnSqlite(putCondition(store, { key: 'circuit', ...held }));
    expect(await transaction(store, (tx) => adoptUnnamedHostConditions(tx, HOST))).toBe(2);
    expect(runOnSqlite(listConditions(store))).toEqual([
      { key: 'circuit', ...held },
      { key: hostDiskKey(HOST, '/var'), ...held },
      { key: hostConditionKey('host.memory', HOST), ...held },
    ]);
    await evaluate({ memoryAvailablePercent: 5, disks: [{ mount: '/var', usedPercent: 97 }] });
    expect(sent()).toEqual([]);
    expect(await transaction(store, (tx) => adoptUnnamedHostConditions(tx, 'gpu-box'))).toBe(0);
  });
});
