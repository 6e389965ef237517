import crypto from 'node:crypto';
import {
  type NotificationEvent,
  type NotificationEventInput,
  notificationEventSchema,
} from '../contracts/notifications';
import { type Plan, transaction } from '../db/plan';
import { type ChannelSubscription, listSubscriptions } from '../db/queries/notificationChannels';
import { insertEventForChannels } from '../db/queries/notificationOutbox';
import { getAppSettings } from '../db/queries/settings';
import type { Store } from '../db/store';
import { admitConditionChange, conditionOf } from './conditions';
import { subscribes } from './subscription';

export interface RecordedEvent {
  /** The event's id (its webhook-id); null when nothing was queued. */
  eventId: string | null;
  /** Outbox rows written: one per matching enabled channel. */
  queued: number;
  /**
   * True when a condition event was held back: it already holds and was announced within the
   * quiet period, or it cleared without its start ever being announced.
   */
  suppressed: boolean;
}

export const newEventId = (): string => `evt_${crypto.randomUUID().replaceAll('-', '')}`;

/** The agent an event is about, if any; events about the machine or the whole app have none. */
function agentOf(event: NotificationEvent): number | null {
  const data = event.data;
  return 'agentId' in data && typeof data.agentId === 'number' ? data.agentId : null;
}

const wants = (channel: ChannelSubscription, event: NotificationEvent): boolean =>
  subscribes(channel, event.type, agentOf(event));

/**
 * The producers' port: records an event and queues it for every enabled channel that wants it, as
 * a plan in the transaction of the state change that causes the event, so both commit or neither
 * does (a crash loses no notification); the producer kicks the worker after the commit. Condition
 * events (host.*, budget.*, health.*, circuit.*) are de-duplicated here. Throws if the event does
 * not match the catalogue: that is a producer's bug, and its tests should catch it.
 */
export function* recordEventIn(
  store: Store,
  input: NotificationEventInput,
  now = Date.now(),
): Plan<RecordedEvent> {
  return yield* recordPlan(store, notificationEventSchema.parse(input), now);
}

/** recordEventIn in a transaction of its own, on either dialect: for an event no other write causes. */
export async function recordEventOn(
  store: Store,
  input: NotificationEventInput,
  now = Date.now(),
): Promise<RecordedEvent> {
  return transaction(store, (tx) => recordEventIn(tx, input, now));
}

function* recordPlan(store: Store, event: NotificationEvent, now: number): Plan<RecordedEvent> {
  // Only a condition event needs the quiet period.
  const quietMs = conditionOf(event)
    ? (yield* getAppSettings(store)).notificationQuietPeriodMinutes * 60_000
    : 0;
  return yield* queueEvent(store, event, now, quietMs);
}

/**
 * recordEvent's writes, as a plan on either dialect: run it inside the transaction of the state
 * change. `quietMs` is the settings' quiet period, read only for condition events.
 */
export function* queueEvent(
  store: Store,
  event: NotificationEvent,
  now: number,
  quietMs: number,
): Plan<RecordedEvent> {
  const change = conditionOf(event);
  if (change && !(yield* admitConditionChange(store, change, now, quietMs)))
    return { eventId: null, queued: 0, suppressed: true };
  const channelIds = (yield* listSubscriptions(store))
    .filter((channel) => wants(channel, event))
    .map((channel) => channel.id);
  if (channelIds.length === 0) return { eventId: null, queued: 0, suppressed: false };
  const eventId = newEventId();
  yield* insertEventForChannels(
    store,
    { id: eventId, type: event.type, occurredAt: now, data: event.data },
    channelIds,
    now,
  );
  return { eventId, queued: channelIds.length, suppressed: false };
}
