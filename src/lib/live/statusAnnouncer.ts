import { type ExecutionLive, type ExecutionStatus, isEndedStatus } from '../contracts/executions';
import type { EventBus } from '../core/eventBus';
import { execute } from '../db/plan';
import type { Store } from '../db/store';
import type { EngineEvent } from '../engine/events';
import { announceStatus } from './announcer';
import { UpdatePacer } from './updatePacer';

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

/** A workflow step's spend goes to the other processes at most this often; its status at once. */
export const SPEND_ANNOUNCE_INTERVAL_MS = 1000;

/**
 * The engine's side of the status announcements on Postgres: each change of a run's status it
 * publishes (after its commit) is handed to `announce`, so every process following the run reads
 * its position and status again. Usage moves a run's view many times a second; only a change of
 * status is sent, and a change of a workflow step's spend (the web processes' runners hold a
 * workflow's budget over parallel steps), paced to once per `SPEND_ANNOUNCE_INTERVAL_MS` with its
 * newest value. Returns the unsubscribe function.
 */
export function announceStatusChanges(
  events: EventBus<EngineEvent>,
  announce: (execution: ExecutionLive) => void,
): () => void {
  const known = new Map<number, { status: ExecutionStatus; costUsd: number }>();
  const pacer = new UpdatePacer(announce, SPEND_ANNOUNCE_INTERVAL_MS);
  const unsubscribe = events.subscribe((event) => {
    if (!('execution' in event) || relayed.has(event.execution)) return;
    const { id, status, costUsd, trigger } = event.execution;
    const before = known.get(id);
    const spendMoved = trigger === 'workflow' && before !== undefined && before.costUsd !== costUsd;
    if (before?.status === status && !spendMoved) return;
    if (isEndedStatus(status)) known.delete(id);
    else known.set(id, { status, costUsd });
    pacer.update(event.execution);
  });
  return () => {
    unsubscribe();
    pacer.close();
  };
}

/** For `announceStatusChanges`: a run's position and status, sent on the output channel. */
export function announceOnChannel(
  store: Store,
  onError: (error: unknown) => void,
): (execution: ExecutionLive) => void {
  return ({ id, lastSeq, status }) => {
    execute(store, announceStatus(store, id, lastSeq, status)).catch(onError);
  };
}
