import type { WebSocket } from 'ws';
import type { ExecutionLive, LogLineDto, StepDto } from '../contracts/executions';
import type { CircuitBreakerDto } from '../contracts/system';
import type { Db } from '../db';
import { onSqlite } from '../db/plan';
import { getExecutionLogs, getExecutionSteps } from '../db/queries/executions';
import { getExecutionResources } from '../db/queries/runResources';
import type { EngineEvent } from '../engine/events';
import type { BackendEvent } from '../server/backend';
import type { BroadcastTopic, ServerFrame } from './protocol';
import { UpdatePacer } from './updatePacer';

/**
 * Slow-client policy: a socket whose unsent buffer passes HIGH_WATER stops receiving live
 * frames for its executions (they are in SQLite anyway); once it drains below LOW_WATER it is
 * caught up from the database from the last sequence number it was sent. Past HARD_LIMIT it is
 * closed (4008) and the browser reconnects with `afterSeq`. Server memory per client stays bounded.
 */
export const HIGH_WATER_BYTES = 1024 * 1024;
export const LOW_WATER_BYTES = 256 * 1024;
export const HARD_LIMIT_BYTES = 8 * 1024 * 1024;
const REPLAY_CHUNK_LINES = 2_000;
const CATCH_UP_INTERVAL_MS = 250;

interface ExecutionSubscription {
  lastSentSeq: number;
  lagging: boolean;
}

export interface ClientSession {
  readonly socket: WebSocket;
  readonly executions: Map<number, ExecutionSubscription>;
  listAll: boolean;
  readonly topics: Set<BroadcastTopic>;
}

type TopicEvent = Exclude<BackendEvent, { type: 'execution.resources' }>;

const TOPIC_OF: Record<TopicEvent['type'], BroadcastTopic> = {
  'metrics.sample': 'metrics',
  'workflowRun.updated': 'workflowRuns',
  'schedule.fired': 'schedules',
  'storage.updated': 'storage',
};

interface OutputMessage {
  executionId: number;
  seq: number;
  steps: StepDto[];
  logs: LogLineDto[];
}

/** Fans the engine's committed events out to the sockets that subscribed to them. */
export class Broadcaster {
  private readonly sessions = new Set<ClientSession>();
  private readonly catchUpTimer: NodeJS.Timeout;
  private readonly updates = new UpdatePacer((execution) => this.sendUpdated(execution));

  /** `viewOf`: a run as it is now (from the engine while it runs, else from the database). */
  constructor(
    private readonly db: Db,
    private readonly viewOf: (executionId: number) => ExecutionLive | undefined,
  ) {
    this.catchUpTimer = setInterval(() => this.catchUpLagging(), CATCH_UP_INTERVAL_MS);
    this.catchUpTimer.unref();
  }

  add(socket: WebSocket): ClientSession {
    const session: ClientSession = { socket, executions: new Map(), listAll: false, topics: new Set() };
    this.sessions.add(session);
    return session;
  }

  remove(session: ClientSession): void {
    this.sessions.delete(session);
  }

  close(): void {
    clearInterval(this.catchUpTimer);
    this.updates.close();
    this.sessions.clear();
  }

  /**
   * Sends what the client missed after `afterSeq`, then registers it for live frames. Runs
   * synchronously: events are published right after their commit on this same thread, so
   * nothing can be committed between the read and the registration (no gap, no duplicate).
   */
  subscribeExecution(session: ClientSession, executionId: number, afterSeq: number | undefined): boolean {
    const view = this.viewOf(executionId);
    if (!view) return false;
    send(session.socket, { type: 'subscribed', topic: 'execution', executionId, lastSeq: view.lastSeq });
    const subscription = { lastSentSeq: afterSeq ?? view.lastSeq, lagging: false };
    session.executions.set(executionId, subscription);
    this.replay(session, executionId, subscription);
    return true;
  }

  onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'run.output':
        this.onOutput(event);
        return;
      case 'circuit.changed':
        this.onCircuit(event.circuit);
        return;
      case 'approval.updated':
        this.toTopic('approvals', event);
        return;
      default:
        this.updates.update(event.execution);
    }
  }

  /** Schedules, workflow runs and host samples, to the sockets that subscribed to their topic. */
  onBackendEvent(event: BackendEvent): void {
    if (event.type === 'execution.resources') {
      this.onResources(event);
      return;
    }
    this.toTopic(TOPIC_OF[event.type], event);
  }

  /** A frame to every socket subscribed to its topic. */
  private toTopic(topic: BroadcastTopic, event: ServerFrame): void {
    let frame: Buffer | undefined;
    for (const session of this.sessions) {
      if (!session.topics.has(topic) || session.socket.bufferedAmount > HIGH_WATER_BYTES) continue;
      // These frames describe the latest state, so one a slow client misses is superseded by the next.
      frame ??= encode(event);
      sendEncoded(session.socket, frame);
    }
  }

  private onOutput(message: OutputMessage): void {
    let frame: Buffer | undefined;
    for (const session of this.sessions) {
      const subscription = session.executions.get(message.executionId);
      if (!subscription || subscription.lagging || message.seq <= subscription.lastSentSeq) continue;
      if (this.isBackedUp(session, subscription)) continue;
      const { executionId, seq, steps, logs } = message;
      frame ??= encode({ type: 'execution.events', executionId, seq, steps, logs });
      sendEncoded(session.socket, frame);
      subscription.lastSentSeq = message.seq;
    }
  }

  /** A run's view, as the pacer lets it go, to its subscribers and the lists. */
  private sendUpdated(execution: ExecutionLive): void {
    let frame: Buffer | undefined;
    for (const session of this.sessions) {
      const subscription = session.executions.get(execution.id);
      const wanted = session.listAll || (subscription !== undefined && !subscription.lagging);
      if (!wanted || session.socket.bufferedAmount > HIGH_WATER_BYTES) continue;
      frame ??= encode(updatedFrame(execution));
      sendEncoded(session.socket, frame);
    }
  }

  /** A run's new resource sample, to its subscribers; a lagging one gets them all once caught up. */
  private onResources(event: Extract<BackendEvent, { type: 'execution.resources' }>): void {
    let frame: Buffer | undefined;
    for (const session of this.sessions) {
      const subscription = session.executions.get(event.executionId);
      if (!subscription || subscription.lagging || session.socket.bufferedAmount > HIGH_WATER_BYTES) continue;
      frame ??= encode(event);
      sendEncoded(session.socket, frame);
    }
  }

  private onCircuit(circuit: CircuitBreakerDto): void {
    const frame = encode({ type: 'circuit.updated', circuit });
    for (const session of this.sessions) if (session.listAll) sendEncoded(session.socket, frame);
  }

  private isBackedUp(session: ClientSession, subscription: ExecutionSubscription): boolean {
    const buffered = session.socket.bufferedAmount;
    if (buffered > HARD_LIMIT_BYTES) {
      session.socket.close(4008, 'Client too slow; reconnect with afterSeq');
      return true;
    }
    if (buffered > HIGH_WATER_BYTES) subscription.lagging = true;
    return subscription.lagging;
  }

  private catchUpLagging(): void {
    for (const session of this.sessions) {
      if (session.socket.bufferedAmount > LOW_WATER_BYTES) continue;
      for (const [executionId, subscription] of session.executions) {
        if (subscription.lagging) this.replay(session, executionId, subscription);
      }
    }
  }

  /** Sends committed events after `lastSentSeq` in chunks, stopping (still lagging) if the socket backs up. */
  private replay(session: ClientSession, executionId: number, subscription: ExecutionSubscription): void {
    subscription.lagging = true;
    for (;;) {
      if (session.socket.bufferedAmount > HIGH_WATER_BYTES) return;
      const from = subscription.lastSentSeq;
      const logs = onSqlite(this.db, (store) =>
        getExecutionLogs(store, executionId, from, REPLAY_CHUNK_LINES),
      );
      const last = logs.at(-1);
      const through = logs.length === REPLAY_CHUNK_LINES && last ? last.seq : Number.MAX_SAFE_INTEGER;
      const steps = onSqlite(this.db, (store) => getExecutionSteps(store, executionId, from, through));
      const seq = Math.max(last?.seq ?? from, steps.at(-1)?.seq ?? from);
      if (seq > from) {
        send(session.socket, { type: 'execution.events', executionId, seq, steps, logs });
        subscription.lastSentSeq = seq;
      }
      if (through === Number.MAX_SAFE_INTEGER) break;
    }
    subscription.lagging = false;
    const execution = this.viewOf(executionId);
    if (execution) send(session.socket, updatedFrame(execution));
    // What the run's process tree used so far; the sampler's next ticks follow as frames.
    const resources = onSqlite(this.db, (store) => getExecutionResources(store, executionId));
    send(session.socket, { type: 'execution.resources', executionId, resources });
  }
}

function updatedFrame(execution: ExecutionLive): ServerFrame {
  return { type: 'execution.updated', executionId: execution.id, seq: execution.lastSeq, execution };
}

export function send(socket: WebSocket, frame: ServerFrame): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
}

/**
 * A frame for many sockets, serialized and UTF-8 encoded once: given a string, each socket's send
 * would measure and encode it again.
 */
function encode(frame: ServerFrame): Buffer {
  return Buffer.from(JSON.stringify(frame));
}

/** An encoded frame, sent as text (the browser's `message.data` stays a string). */
function sendEncoded(socket: WebSocket, frame: Buffer): void {
  socket.send(frame, { binary: false });
}
