import { type ExecutionLive, type ExecutionStatus, isEndedStatus } from '../contracts/executions';
import type { EventBus } from '../core/eventBus';
import { execute } from '../db/plan';
import type { Store } from '../db/store';
import type { EngineEvent } from '../engine/events';
import { announceStatus } from './announcer';

/** Views read back after another process's announcement: that process announced them already. */
const relayed = new WeakSet<ExecutionLive>();

/**
 * Status changes another process announced (a run on a worker host), told to this process's
 * listeners as its engine tells its own runs' (the live socket's lists, workflows, budgets). A run
 * announced again at the status it had (a workflow step's spend moved) is a `run.updated`.
 */
export function statusRelay(
  events: EventBus<EngineEvent>,
  onError: (error: unknown) => void,
): (execution: ExecutionLive) => void {
  const known = new Map<number, ExecutionStatus>();
  return (execution) => {
    relayed.add(execution);
    const { id, status } = execution;
    const before = known.get(id);
    if (isEndedStatus(status)) known.delete(id);
    else known.set(id, status);
    const type = isEndedStatus(status)
      ? 'run.ended'
      : status === 'running' && before !== 'running'
        ? 'run.started'
        : 'run.updated';
    events.emit({ type, execution }, onError);
  };
}

/**
 * The engine's side of the status announcements on Postgres: each change of a run's status it
 * publishes (after its commit) is announced on the output channel, so every process following
 * the run reads its position and status again. Usage moves a run's view many times a second; only
 * a change of status is sent, and a change of a workflow step's spend: the workflow's budget is
 * held by the web processes' runners. Returns the unsubscribe function.
 */
export function announceStatusChanges(
  events: EventBus<EngineEvent>,
  store: Store,
  onError: (error: unknown) => void,
): () => void {
  const known = new Map<number, { status: ExecutionStatus; costUsd: number }>();
  return events.subscribe((event) => {
    if (!('execution' in event) || relayed.has(event.execution)) return;
    const { id, status, lastSeq, costUsd, trigger } = event.execution;
    const before = known.get(id);
    const spendMoved = trigger === 'workflow' && before !== undefined && before.costUsd !== costUsd;
    if (before?.status === status && !spendMoved) return;
    if (isEndedStatus(status)) known.delete(id);
    else known.set(id, { status, costUsd });
    execute(store, announceStatus(store, id, lastSeq, status)).catch(onError);
  });
}
