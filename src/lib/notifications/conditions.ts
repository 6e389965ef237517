import type { NotificationEvent, NotificationEventType } from '../contracts/notifications';
import type { Plan } from '../db/plan';
import {
  deleteCondition,
  getCondition,
  lockConditions,
  putCondition,
} from '../db/queries/notificationConditions';
import type { Store } from '../db/store';

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
export const hostDiskKey = (host: string, mount: string): string =>
  `host.disk:${encodeURIComponent(host)}:${mount}`;
/** The conditions each host has once, listed for every host even while they are clear. */
export const HOST_CONDITION_TYPES = ['host.memory', 'host.load'] as const;
/** A host's memory or load condition: the name is encoded, so a `:` in it cannot split the key. */
export const hostConditionKey = (type: (typeof HOST_CONDITION_TYPES)[number], host: string): string =>
  `${type}:${encodeURIComponent(host)}`;

/** What a condition is about, read back from its key. */
export type ConditionSubject =
  | { kind: 'machine' }
  | { kind: 'host'; host: string }
  | { kind: 'disk'; host: string; mount: string }
  | { kind: 'budget'; scope: 'global' | 'agent' | 'workflow'; ownerId: number | null; month: string }
  | { kind: 'reporter'; agentId: number };

export interface ParsedConditionKey {
  /** The event it sends when it starts. */
  eventType: NotificationEventType;
  subject: ConditionSubject;
  /** The agent it is about, for channels limited to some agents. */
  agentId: number | null;
}

/** The conditions with one fixed key, listed even while they are clear. */
export const FIXED_CONDITION_KEYS = ['circuit', 'storage.low', 'storage.failing'] as const;

/** A host name read back from a key; null when it is not one hostConditionKey wrote. */
function hostOfKey(encoded: string | undefined): string | null {
  // Empty, or a mount: a key from before hosts were named (`host.disk:/var`).
  if (!encoded || encoded.startsWith('/')) return null;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

const MACHINE = { kind: 'machine' } as const;
const BUDGET_SCOPES = new Set(['global', 'agent', 'workflow']);

/** The inverse of `conditionOf`'s keys; null for a key it never writes. */
export function parseConditionKey(key: string): ParsedConditionKey | null {
  const [head = '', ...rest] = key.split(':');
  switch (head) {
    case 'circuit':
      return { eventType: 'circuit.opened', subject: MACHINE, agentId: null };
    case 'storage.low':
    case 'storage.failing':
      return { eventType: head, subject: MACHINE, agentId: null };
    case 'host.memory':
    case 'host.load': {
      const host = hostOfKey(rest[0]);
      return host === null || rest.length !== 1
        ? null
        : { eventType: head, subject: { kind: 'host', host }, agentId: null };
    }
    case 'host.disk': {
      const host = hostOfKey(rest[0]);
      const mount = rest.slice(1).join(':');
      return host === null || mount === ''
        ? null
        : { eventType: head, subject: { kind: 'disk', host, mount }, agentId: null };
    }
    case 'budget.warning':
    case 'budget.exhausted': {
      const [scope = '', owner = '', month = ''] = rest;
      if (!BUDGET_SCOPES.has(scope)) return null;
      const ownerId = owner === '' ? null : Number(owner);
      const subject = {
        kind: 'budget',
        scope: scope as 'global' | 'agent' | 'workflow',
        ownerId,
        month,
      } as const;
      return { eventType: head, subject, agentId: scope === 'agent' ? ownerId : null };
    }
    case 'health.warning':
    case 'health.critical': {
      const agentId = Number(rest[0]);
      return Number.isInteger(agentId)
        ? { eventType: head, subject: { kind: 'reporter', agentId }, agentId }
        : null;
    }
    default:
      return null;
  }
}

export function conditionOf(event: NotificationEvent): ConditionChange | null {
  switch (event.type) {
    case 'host.disk':
      return {
        key: hostDiskKey(event.data.host ?? '', event.data.mount),
        holds: event.data.state === 'firing',
      };
    case 'host.memory':
    case 'host.load':
      return {
        key: hostConditionKey(event.type, event.data.host ?? ''),
        holds: event.data.state === 'firing',
      };
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
export function* admitConditionChange(
  store: Store,
  change: ConditionChange,
  now: number,
  quietMs: number,
): Plan<boolean> {
  yield* lockConditions(store);
  const row = yield* getCondition(store, change.key);
  if (!change.holds) {
    if (!row) return false;
    yield* deleteCondition(store, change.key);
    return row.active;
  }
  if (row?.active && row.lastNotifiedAt !== null && now - row.lastNotifiedAt < quietMs) return false;
  yield* putCondition(store, {
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
export function* breachSince(store: Store, key: string, now: number): Plan<number> {
  const row = yield* getCondition(store, key);
  if (row) return row.since;
  yield* putCondition(store, { key, active: false, since: now, lastNotifiedAt: null, updatedAt: now });
  return now;
}
