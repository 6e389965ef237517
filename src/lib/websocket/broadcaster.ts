import type { WebSocket } from 'ws';
import type { ExecutionLive } from '../contracts/executions';
import type { CircuitBreakerDto } from '../contracts/system';
import { execute } from '../db/plan';
import { getExecutionResources } from '../db/queries/runResources';
import type { Store } from '../db/store';
import type { EngineEvent } from '../engine/events';
import type { RunFeed, RunFollow, RunItems } from '../live/runFeed';
import { RUNNING_UPDATE_INTERVAL_MS, UpdatePacer } from '../live/updatePacer';
import type { BackendEvent } from '../server/backend';
import type { BroadcastTopic, ServerFrame } from './protocol';

/**
 * Slow-client policy: a socket whose unsent buffer passes HIGH_WATER stops following its
 * executions (their output is in the store anyway); once it drains below LOW_WATER it follows them
 * again from the last sequence number it was sent (a resume). Past HARD_LIMIT it is closed (4008)
 * and the browser reconnects with `afterSeq`. Server memory per client stays bounded.
 */
export const HIGH_WATER_BYTES = 1024 * 1024;
export const LOW_WATER_BYTES = 256 * 1024;
export const HARD_LIMIT_BYTES = 8 * 1024 * 1024;
const CATCH_UP_INTERVAL_MS = 250;

interface ExecutionSubscription {
  lastSentSeq: number;
  /** Until the follow has caught up (at the start and after a pause), the run's view frames wait. */
  lagging: boolean;
  /** View frames sent so far: a view read while one went out is no newer than it, and is dropped. */
  viewsSent: number;
  /** Null while paused for a backed-up socket. */
  follow: RunFollow | null;
}

/** What a session subscribes to as a whole: the run list, or a broadcast topic. */
export type ListTopic = 'executions' | BroadcastTopic;

export interface ClientSession {
  readonly socket: WebSocket;
  readonly executions: Map<number, ExecutionSubscription>;
  listAll: boolean;
  readonly topics: Set<BroadcastTopic>;
  /** Live frames of a topic whose first state is still being read: they follow it once it is sent. */
  readonly held: Map<ListTopic, Buffer[]>;
}

type TopicEvent = Exclude<BackendEvent, { type: 'execution.resources' }>;

const TOPIC_OF: Record<TopicEvent['type'], BroadcastTopic> = {
  'metrics.sample': 'metrics',
  'workflowRun.updated': 'workflowRuns',
  'schedule.fired': 'schedules',
  'storage.updated': 'storage',
};

/**
 * Fans committed events out to the sockets that subscribed to them: each run's output through the
 * run feed (src/lib/live/runFeed.ts: from the subscriber's `afterSeq`, each item once, in order,
 * whether it commits in this process or on a worker host), the rest from the engine's and the
 * backend's events.
 */
export class Broadcaster {
  private readonly sessions = new Set<ClientSession>();
  private readonly catchUpTimer: NodeJS.Timeout;
  private readonly updates = new UpdatePacer(
    (execution) => this.sendUpdated(execution),
    RUNNING_UPDATE_INTERVAL_MS,
  );
  /**
   * The last output frame, by the batch it encodes: in process every follower of a run is handed
   * the same committed batch, so it is serialized once for all of them.
   */
  private lastOutput: { items: RunItems['logs']; steps: RunItems['steps']; frame: Buffer } | null = null;

  /** `viewOf`: a run as it is now (from the engine while it runs, else from the store). */
  constructor(
    private readonly store: Store,
    private readonly feed: RunFeed,
    private readonly viewOf: (executionId: number) => Promise<ExecutionLive | undefined>,
  ) {
    this.catchUpTimer = setInterval(() => this.catchUpLagging(), CATCH_UP_INTERVAL_MS);
    this.catchUpTimer.unref();
  }

  add(socket: WebSocket): ClientSession {
    const session: ClientSession = {
      socket,
      executions: new Map(),
      listAll: false,
      topics: new Set(),
      held: new Map(),
    };
    this.sessions.add(session);
    return session;
  }

  remove(session: ClientSession): void {
    this.sessions.delete(session);
    for (const executionId of session.executions.keys()) this.unsubscribeExecution(session, executionId);
  }

  close(): void {
    clearInterval(this.catchUpTimer);
    this.updates.close();
    for (const session of this.sessions) this.remove(session);
  }

  /**
   * Sends what the client missed after `afterSeq` (none when it gives none: it rendered the run
   * as it is now), then the run's output live, through one follow of the run feed.
   */
  async subscribeExecution(
    session: ClientSession,
    executionId: number,
    afterSeq: number | undefined,
  ): Promise<boolean> {
    const view = await this.viewOf(executionId);
    if (!view) return false;
    // Closed while the view was read.
    if (!this.sessions.has(session)) return true;
    this.unsubscribeExecution(session, executionId);
    send(session.socket, { type: 'subscribed', topic: 'execution', executionId, lastSeq: view.lastSeq });
    const subscription: ExecutionSubscription = {
      lastSentSeq: afterSeq ?? view.lastSeq,
      lagging: true,
      viewsSent: 0,
      follow: null,
    };
    session.executions.set(executionId, subscription);
    this.follow(session, executionId, subscription);
    return true;
  }

  /**
   * Subscribes the session to the run list or a topic whose first frames are its state now, read
   * by `first`: live frames that come while it is read are held, and follow it, in order. So the
   * list never misses a change made during the read, and never ends on a state older than one it
   * was sent (every change after the read started is announced after it, so the last frame sent
   * is the newest).
   */
  async subscribeList(
    session: ClientSession,
    topic: ListTopic,
    first: () => Promise<ServerFrame[]>,
  ): Promise<void> {
    const held: Buffer[] = [];
    session.held.set(topic, held);
    if (topic === 'executions') session.listAll = true;
    else session.topics.add(topic);
    try {
      for (const frame of await first()) send(session.socket, frame);
      for (const frame of held) sendEncoded(session.socket, frame);
    } catch (error) {
      // Without its first state the tab is not subscribed: it may ask again.
      if (topic === 'executions') session.listAll = false;
      else session.topics.delete(topic);
      throw error;
    } finally {
      session.held.delete(topic);
    }
  }

  unsubscribeExecution(session: ClientSession, executionId: number): void {
    session.executions.get(executionId)?.follow?.close();
    session.executions.delete(executionId);
  }

  onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'run.output':
        // Followed through the run feed.
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
      this.toList(session, topic, frame);
    }
  }

  /** Follows the run from the last sequence number sent; once caught up, its view and resource use follow. */
  private follow(session: ClientSession, executionId: number, subscription: ExecutionSubscription): void {
    subscription.lagging = true;
    const follow = this.feed.follow(executionId, subscription.lastSentSeq, {
      onItems: (items) => this.onItems(session, subscription, items),
      onError: () => {
        // A failed read is tried again by the feed.
      },
    });
    subscription.follow = follow;
    void follow.caughtUp
      .then(() => {
        if (subscription.follow !== follow || session.socket.readyState !== session.socket.OPEN) return;
        subscription.lagging = false;
        this.sendCaughtUp(session, executionId, subscription);
      })
      .catch(() => {
        // The view could not be read: the run's next update brings it.
      });
  }

  private onItems(session: ClientSession, subscription: ExecutionSubscription, items: RunItems): void {
    if (this.isBackedUp(session, subscription)) return;
    sendEncoded(session.socket, this.outputFrame(items));
    subscription.lastSentSeq = items.seq;
  }

  private outputFrame({ executionId, seq, steps, logs }: RunItems): Buffer {
    const last = this.lastOutput;
    if (last && last.items === logs && last.steps === steps) return last.frame;
    const frame = encode({ type: 'execution.events', executionId, seq, steps, logs });
    this.lastOutput = { items: logs, steps, frame };
    return frame;
  }

  /** A run's view, as the pacer lets it go, to its subscribers and the lists. */
  private sendUpdated(execution: ExecutionLive): void {
    let frame: Buffer | undefined;
    for (const session of this.sessions) {
      const subscription = session.executions.get(execution.id);
      const followed = subscription !== undefined && !subscription.lagging;
      if (!(session.listAll || followed) || session.socket.bufferedAmount > HIGH_WATER_BYTES) continue;
      frame ??= encode(updatedFrame(execution));
      if (subscription) subscription.viewsSent += 1;
      if (session.listAll) this.toList(session, 'executions', frame);
      else sendEncoded(session.socket, frame);
    }
  }

  /** A frame of a list or topic the session follows, or held while its first state is read. */
  private toList(session: ClientSession, topic: ListTopic, frame: Buffer): void {
    const held = session.held.get(topic);
    if (held) held.push(frame);
    else sendEncoded(session.socket, frame);
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
    for (const session of this.sessions) if (session.listAll) this.toList(session, 'executions', frame);
  }

  /** Past the high water the follow pauses (closed: the catch-up timer follows again); past the hard limit the socket goes. */
  private isBackedUp(session: ClientSession, subscription: ExecutionSubscription): boolean {
    const buffered = session.socket.bufferedAmount;
    if (buffered > HARD_LIMIT_BYTES) {
      session.socket.close(4008, 'Client too slow; reconnect with afterSeq');
      return true;
    }
    if (buffered <= HIGH_WATER_BYTES) return false;
    subscription.follow?.close();
    subscription.follow = null;
    subscription.lagging = true;
    return true;
  }

  private catchUpLagging(): void {
    for (const session of this.sessions) {
      if (session.socket.bufferedAmount > LOW_WATER_BYTES) continue;
      for (const [executionId, subscription] of session.executions) {
        if (subscription.follow === null) this.follow(session, executionId, subscription);
      }
    }
  }

  /** The run's view as it is now, and what its process tree used so far (the sampler's next ticks follow as frames). */
  private sendCaughtUp(
    session: ClientSession,
    executionId: number,
    subscription: ExecutionSubscription,
  ): void {
    const { socket } = session;
    const sentBefore = subscription.viewsSent;
    void this.viewOf(executionId).then(
      (execution) => {
        // A view sent while this one was read is at least as new.
        if (!execution || subscription.viewsSent !== sentBefore) return;
        if (session.executions.get(executionId) !== subscription) return;
        subscription.viewsSent += 1;
        send(socket, updatedFrame(execution));
      },
      () => {
        // The view could not be read: the run's next update brings it.
      },
    );
    void execute(this.store, getExecutionResources(this.store, executionId)).then(
      (resources) => send(socket, { type: 'execution.resources', executionId, resources }),
      () => {
        // Only the resource panel misses its history; the next samples still arrive.
      },
    );
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
