import type { ConditionStatus, NotificationEventType } from '../contracts/notifications';
import { type Subscription, subscribes } from './subscription';

/** A channel as far as the reason needs it. */
export interface ChannelSubscriber extends Subscription {
  name: string;
  enabled: boolean;
  createdAt: number;
}

/** A condition's stored state; absent when it is clear. */
export interface ConditionState {
  active: boolean;
  since: number;
  lastNotifiedAt: number | null;
}

export interface ConditionTarget {
  eventType: NotificationEventType;
  agentId: number | null;
}

const names = (channels: readonly ChannelSubscriber[]): string[] => channels.map((channel) => channel.name);

/**
 * Why a condition did or did not send, from its state and today's channels. A condition is marked
 * announced when it starts whether or not a channel takes it (`admitConditionChange`), so a channel
 * created later hears nothing until the quiet period has passed or the condition clears: that case
 * is told apart from one that no channel wants at all. Whether a channel was enabled at the time is
 * not stored; today's flag stands for it.
 */
export function conditionStatus(
  state: ConditionState | undefined,
  target: ConditionTarget,
  channels: readonly ChannelSubscriber[],
  quietMs: number,
): ConditionStatus {
  if (!state) return { kind: 'clear' };
  if (!state.active || state.lastNotifiedAt === null) return { kind: 'pending', since: state.since };
  const notifiedAt = state.lastNotifiedAt;
  const subscribed = channels.filter((channel) => channel.events.includes(target.eventType));
  if (subscribed.length === 0) return { kind: 'no_channel' };
  const forAgent = subscribed.filter((channel) => subscribes(channel, target.eventType, target.agentId));
  if (forAgent.length === 0) return { kind: 'other_agents', channels: names(subscribed) };
  const enabled = forAgent.filter((channel) => channel.enabled);
  if (enabled.length === 0) return { kind: 'channels_disabled', channels: names(forAgent) };
  const recipients = enabled.filter((channel) => channel.createdAt <= notifiedAt);
  if (recipients.length > 0)
    return { kind: 'sent', at: notifiedAt, channels: names(recipients), quietUntil: notifiedAt + quietMs };
  const [first] = [...enabled].sort((a, b) => a.createdAt - b.createdAt);
  if (!first) return { kind: 'no_channel' };
  return {
    kind: 'notified_before_channel',
    notifiedAt,
    channel: first.name,
    channelCreatedAt: first.createdAt,
    nextPossibleAt: notifiedAt + quietMs,
  };
}
