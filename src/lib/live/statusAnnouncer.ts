import { type ExecutionLive, type ExecutionStatus, isEndedStatus } from '../contracts/executions';
import type { EventBus } from '../core/eventBus';
import { execute } from '../db/plan';
import type { Store } from '../db/store';
import type { EngineEvent } from '../engine/events';
import { announceStatus } from './announcer';

/** Views read back after another process's announcement: that process announced them already. */
const relayed = new WeakSet<ExecutionLive>();

/**
 * A status change another process announced (a run on a worker host), told to this process's
 * listeners as its engine tells its own runs' (the live socket's lists, workflows, budgets).
 */
export function relayStatus(
  events: EventBus<EngineEvent>,
  execution: ExecutionLive,
  onError: (error: unknown) => void,
): void {
  relayed.add(execution);
  const type = isEndedStatus(execution.status)
    ? 'run.ended'
    : execution.status === 'running'
      ? 'run.started'
      : 'run.updated';
  events.emit({ type, execution }, onError);
}

/**
 * The engine's side of the status announcements on Postgres: each change of a run's status it
 * publishes (after its commit) is announced on the output channel, so every process following
 * the run reads its position and status again. Usage moves a run's view many times a second; only
 * a change of status is sent. Returns the unsubscribe function.
 */
export function announceStatusChanges(
  events: EventBus<EngineEvent>,
  store: Store,
  onError: (error: unknown) => void,
): () => void {
  const known = new Map<number, ExecutionStatus>();
  return events.subscribe((event) => {
    if (!('execution' in event) || relayed.has(event.execution)) return;
    const { id, status, lastSeq } = event.execution;
    if (known.get(id) === status) return;
    if (isEndedStatus(status)) known.delete(id);
    else known.set(id, status);
    execute(store, announceStatus(store, id, lastSeq, status)).catch(onError);
  });
}
