import { describe, expect, it } from 'vitest';
import { type ChannelSubscriber, conditionStatus } from '../../src/lib/notifications/conditionStatus';
import { hostConditionKey, hostDiskKey, parseConditionKey } from '../../src/lib/notifications/conditions';

const QUIET = 30 * 60_000;
const T0 = Date.UTC(2026, 11, 4, 9, 12);
const disk = { eventType: 'host.disk', agentId: null } as const;
const firing = { active: true, since: T0 - 60_000, lastNotifiedAt: T0 };

const channel = (name: string, change: Partial<ChannelSubscriber> = {}): ChannelSubscriber => ({
  name,
  enabled: true,
  createdAt: T0 - 3_600_000,
  events: ['host.disk', 'budget.warning'],
  agentIds: null,
  ...change,
});

describe('conditionStatus', () => {
  it('is clear without a stored state', () => {
    expect(conditionStatus(undefined, disk, [channel('ops')], QUIET)).toEqual({ kind: 'clear' });
  });

  it('is pending while a breach waits to have held long enough (never announced)', () => {
    const state = { active: false, since: T0, lastNotifiedAt: null };
    expect(conditionStatus(state, { eventType: 'host.load', agentId: null }, [], QUIET)).toEqual({
      kind: 'pending',
      since: T0,
    });
  });

  it('names the channels it was sent to, and when the quiet period ends', () => {
    const channels = [channel('ntfy-ops'), channel('mail'), channel('runs only', { events: ['run.failed'] })];
    expect(conditionStatus(firing, disk, channels, QUIET)).toEqual({
      kind: 'sent',
      at: T0,
      channels: ['ntfy-ops', 'mail'],
      quietUntil: T0 + QUIET,
    });
  });

  it('says no channel subscribes to its event', () => {
    expect(conditionStatus(firing, disk, [channel('runs', { events: ['run.failed'] })], QUIET)).toEqual({
      kind: 'no_channel',
    });
  });

  it('says the subscribing channels are disabled', () => {
    expect(conditionStatus(firing, disk, [channel('ops', { enabled: false })], QUIET)).toEqual({
      kind: 'channels_disabled',
      channels: ['ops'],
    });
  });

  it('says the subscribing channels are limited to other agents (an agent’s budget)', () => {
    const budget = { eventType: 'budget.warning', agentId: 3 } as const;
    const limited = channel('team b', { agentIds: [4] });
    expect(conditionStatus(firing, budget, [limited], QUIET)).toEqual({
      kind: 'other_agents',
      channels: ['team b'],
    });
    expect(conditionStatus(firing, budget, [channel('team a', { agentIds: [3] })], QUIET).kind).toBe('sent');
    // A condition about no agent passes every agent filter.
    expect(conditionStatus(firing, disk, [limited], QUIET).kind).toBe('sent');
  });

  it('explains a condition marked notified before the first subscribing channel existed', () => {
    const later = channel('late', { createdAt: T0 + 28 * 60_000 });
    const latest = channel('latest', { createdAt: T0 + 40 * 60_000 });
    expect(conditionStatus(firing, disk, [latest, later], QUIET)).toEqual({
      kind: 'notified_before_channel',
      notifiedAt: T0,
      channel: 'late',
      channelCreatedAt: T0 + 28 * 60_000,
      nextPossibleAt: T0 + QUIET,
    });
  });
});

describe('parseConditionKey', () => {
  it.each([
    ['circuit', 'circuit.opened', { kind: 'machine' }, null],
    ['storage.low', 'storage.low', { kind: 'machine' }, null],
    ['host.disk:web-1:/var/lib', 'host.disk', { kind: 'disk', host: 'web-1', mount: '/var/lib' }, null],
    // A host named with a ':' (an IPv6 address) is encoded in the key, and read back whole.
    [
      hostDiskKey('fe80::1', '/mnt/a:b'),
      'host.disk',
      { kind: 'disk', host: 'fe80::1', mount: '/mnt/a:b' },
      null,
    ],
    [hostConditionKey('host.memory', 'gpu box'), 'host.memory', { kind: 'host', host: 'gpu box' }, null],
    ['host.load:gpu-2', 'host.load', { kind: 'host', host: 'gpu-2' }, null],
    ['health.critical:2', 'health.critical', { kind: 'reporter', agentId: 2 }, 2],
    [
      'budget.warning:agent:3:2026-12',
      'budget.warning',
      { kind: 'budget', scope: 'agent', ownerId: 3, month: '2026-12' },
      3,
    ],
    [
      'budget.exhausted:workflow:5:2026-12',
      'budget.exhausted',
      { kind: 'budget', scope: 'workflow', ownerId: 5, month: '2026-12' },
      null,
    ],
    [
      'budget.exhausted:global::2026-12',
      'budget.exhausted',
      { kind: 'budget', scope: 'global', ownerId: null, month: '2026-12' },
      null,
    ],
  ])('reads %s', (key, eventType, subject, agentId) => {
    expect(parseConditionKey(key)).toEqual({ eventType, subject, agentId });
  });

  it('refuses keys it never writes', () => {
    expect(parseConditionKey('run.failed')).toBeNull();
    // From before hosts were named: the first check of a host takes them (adoptUnnamedHostConditions).
    expect(parseConditionKey('host.memory')).toBeNull();
    expect(parseConditionKey('host.disk:/var')).toBeNull();
    expect(parseConditionKey('host.load:%E0%A4%A')).toBeNull();
    expect(parseConditionKey('budget.warning:team:1:2026-12')).toBeNull();
  });
});
