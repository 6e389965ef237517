import type { NotificationEvent } from '../contracts/notifications';
import type { DbExecutor } from '../db/executor';
import { deleteCondition, getCondition, putCondition } from '../db/queries/notificationConditions';

/** A condition event names its condition and says whether it now holds or has cleared. */
export interface ConditionChange {
  key: string;
  holds: boolean;
}

/**
 * Which events are conditions, and their keys. One condition per disk, per budget and month, per
 * health reporter; circuit.closed clears what circuit.opened raised. Runs and schedule firings are
 * not conditions: each is its own thing to look at, and the channel rate limit bounds a burst of them.
 */
export const hostDiskKey = (mount: string): string => `host.disk:${mount}`;

export function conditionOf(event: NotificationEvent): ConditionChange | null {
  switch (event.type) {
    case 'host.disk':
      return { key: hostDiskKey(event.data.mount), holds: event.data.state === 'firing' };
    case 'host.memory':
    case 'host.load':
    case 'storage.low':
    case 'storage.failing':
      return { key: event.type, holds: event.data.state === 'firing' };
    case 'budget.warning':
    case 'budget.exhausted': {
      const d = event.data;
      const owner = d.scope === 'agent' ? d.agentId : d.scope === 'workflow' ? d.workflowId : null;
      return { key: `${event.type}:${d.scope}:${owner ?? ''}:${d.month}`, holds: d.state === 'firing' };
    }
    case 'health.warning':
    case 'health.critical':
      return { key: `${event.type}:${event.data.agentId}`, holds: event.data.state === 'firing' };
    case 'circuit.opened':
      return { key: 'circuit', holds: true };
    case 'circuit.closed':
      return { key: 'circuit', holds: false };
    default:
      return null;
  }
}

/**
 * Whether a condition event is worth a message, updating the condition's state. A condition is
 * announced when it starts to hold, again only once the quiet period has passed while it still
 * holds, and its clearing is announced only if its start was.
 */
export function admitConditionChange(
  db: DbExecutor,
  change: ConditionChange,
  now: number,
  quietMs: number,
): boolean {
  const row = getCondition(db, change.key);
  if (!change.holds) {
    if (!row) return false;
    deleteCondition(db, change.key);
    return row.active;
  }
  if (row?.active && row.lastNotifiedAt !== null && now - row.lastNotifiedAt < quietMs) return false;
  putCondition(db, {
    key: change.key,
    active: true,
    since: row?.since ?? now,
    lastNotifiedAt: now,
    updatedAt: now,
  });
  return true;
}

/**
 * Notes that a condition's breach began without announcing it (a load that must hold for minutes
 * first). Returns when the breach began.
 */
export function breachSince(db: DbExecutor, key: string, now: number): number {
  const row = getCondition(db, key);
  if (row) return row.since;
  putCondition(db, { key, active: false, since: now, lastNotifiedAt: null, updatedAt: now });
  return now;
}
