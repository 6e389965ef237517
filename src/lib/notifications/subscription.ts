import type { NotificationEventType } from '../contracts/notifications';

/** What a channel asked for: event types, and the agents it is limited to (null: all). */
export interface Subscription {
  events: readonly string[];
  agentIds: readonly number[] | null;
}

/**
 * A channel wants an event it subscribed to, unless it is limited to other agents. Events about
 * no agent (the machine, the whole app) pass every agent filter.
 */
export function subscribes(
  channel: Subscription,
  type: NotificationEventType,
  agentId: number | null,
): boolean {
  if (!channel.events.includes(type)) return false;
  return channel.agentIds === null || agentId === null || channel.agentIds.includes(agentId);
}
