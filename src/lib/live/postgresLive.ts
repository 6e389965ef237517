import type { DatabaseLinkDto } from '../contracts/storage';
import { type ListenerOptions, PostgresListener } from '../db/postgresListener';
import { describePostgresUrl, lostDatabaseLinkOf } from '../db/postgresUrl';
import { OUTBOX_CHANNEL } from '../db/queries/notificationOutbox';
import { decodePositions, OUTPUT_CHANNEL } from './announcements';
import { type AnswerNotice, CONTROL_CHANNEL, decodeControl, type StopRequest } from './control';
import type { AnnouncementListener, AnnouncementSource } from './runFeed';

/** Where the live path reports a lost connection and what it skipped (the process's logger). */
export interface LiveLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * A process's one listening connection to Postgres (four channels), fanned out in process: to the
 * followers of each run (announcements), to this process's worker (stop requests), to its
 * claimer (the shared queue's wake-ups) and to its notification delivery (events queued). After every
 * (re)connection each follower is told to read again, since notifications sent while there was no
 * connection are gone.
 */
export class PostgresLive implements AnnouncementSource {
  private readonly followers = new Map<number, Set<AnnouncementListener>>();
  private readonly stopHandlers = new Map<string, Set<(request: StopRequest) => void>>();
  private readonly answerHandlers = new Map<string, Set<(notice: AnswerNotice) => void>>();
  private readonly outboxHandlers = new Set<() => void>();
  private readonly statusHandlers = new Set<(executionId: number) => void>();
  private readonly linkHandlers = new Set<(link: DatabaseLinkDto) => void>();
  private linkNow: DatabaseLinkDto;
  private readonly listener: PostgresListener;
  private connections = 0;
  private readonly connectedWaiters = new Set<() => void>();

  constructor(
    url: string,
    private readonly log: LiveLog,
    options?: ListenerOptions,
  ) {
    this.linkNow = { state: 'reachable', where: describePostgresUrl(url), cause: null, since: Date.now() };
    this.listener = new PostgresListener(
      url,
      [OUTPUT_CHANNEL, CONTROL_CHANNEL, OUTBOX_CHANNEL],
      {
        onNotification: (channel, payload) => this.dispatch(channel, payload),
        onConnected: () => this.connected(),
        onError: (error, phase) => {
          this.log.warn({ err: error }, 'Live updates: the Postgres LISTEN connection failed; reconnecting');
          if (phase === 'connecting') this.setLink('unreachable', lostDatabaseLinkOf(error) ?? error.message);
        },
      },
      options,
    );
  }

  /** How many times the LISTEN connection came up (1 until it was lost once). */
  get connectionCount(): number {
    return this.connections;
  }

  /** The server process of the LISTEN connection, while connected. */
  get backendPid(): number | undefined {
    return this.listener.backendPid;
  }

  /** This process's link to the database, as the LISTEN connection last found it. */
  get link(): DatabaseLinkDto {
    return this.linkNow;
  }

  /** `handler` hears each change of the link (lost, back). */
  onLinkChange(handler: (link: DatabaseLinkDto) => void): () => void {
    this.linkHandlers.add(handler);
    return () => this.linkHandlers.delete(handler);
  }

  /** Resolves once the LISTEN connection is up (at once when it is). */
  whenListening(): Promise<void> {
    if (this.listener.backendPid !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.connectedWaiters.add(resolve));
  }

  subscribe(executionId: number, listener: AnnouncementListener): () => void {
    let set = this.followers.get(executionId);
    if (!set) {
      set = new Set();
      this.followers.set(executionId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.followers.get(executionId) === set) this.followers.delete(executionId);
    };
  }

  /** `handler` gets the stop requests addressed to `workerId` (this process's worker). */
  onStop(workerId: string, handler: (request: StopRequest) => void): () => void {
    return addressed(this.stopHandlers, workerId, handler);
  }

  /** `handler` gets the answers to calls whose process waits on `workerId` (this process's worker). */
  onAnswer(workerId: string, handler: (notice: AnswerNotice) => void): () => void {
    return addressed(this.answerHandlers, workerId, handler);
  }

  /** `handler` hears each run whose status changed, on any process (its followers hear it too). */
  onStatusChange(handler: (executionId: number) => void): () => void {
    this.statusHandlers.add(handler);
    return () => this.statusHandlers.delete(handler);
  }

  /** `handler` hears each notification event queued on any process (and each reconnection). */
  onOutboxChange(handler: () => void): () => void {
    this.outboxHandlers.add(handler);
    return () => this.outboxHandlers.delete(handler);
  }

  close(): Promise<void> {
    this.followers.clear();
    this.outboxHandlers.clear();
    this.stopHandlers.clear();
    this.answerHandlers.clear();
    this.statusHandlers.clear();
    this.linkHandlers.clear();
    return this.listener.close();
  }

  private setLink(state: DatabaseLinkDto['state'], cause: string | null): void {
    if (this.linkNow.state === state) return;
    this.linkNow = { ...this.linkNow, state, cause, since: Date.now() };
    const link = this.linkNow;
    if (state === 'reachable') this.log.info({ where: link.where }, 'The database can be reached again');
    else this.log.warn({ where: link.where, cause }, 'The database cannot be reached');
    for (const handler of this.linkHandlers) this.guarded(() => handler(link));
  }

  private connected(): void {
    this.setLink('reachable', null);
    this.connections += 1;
    if (this.connections > 1)
      this.log.info({ connections: this.connections }, 'Live updates: listening again');
    for (const set of this.followers.values()) for (const listener of set) listener.onResync();
    for (const handler of this.outboxHandlers) this.guarded(handler);
    for (const resolve of this.connectedWaiters) resolve();
    this.connectedWaiters.clear();
  }

  private dispatch(channel: string, payload: string): void {
    if (channel === OUTPUT_CHANNEL) {
      const positions = this.decoded(channel, () => decodePositions(payload));
      for (const { e, seq, step, status } of positions ?? []) {
        for (const listener of this.followers.get(e) ?? [])
          this.guarded(() => listener.onAnnouncement({ seq, stepSeq: step, status }));
        if (status !== undefined) for (const handler of this.statusHandlers) this.guarded(() => handler(e));
      }
    } else if (channel === CONTROL_CHANNEL) {
      const message = this.decoded(channel, () => decodeControl(payload));
      if (message?.type === 'stop')
        for (const handler of this.stopHandlers.get(message.workerId) ?? [])
          this.guarded(() => handler(message));
      else if (message?.type === 'answered')
        for (const handler of this.answerHandlers.get(message.workerId) ?? [])
          this.guarded(() => handler(message));
    } else if (channel === OUTBOX_CHANNEL) {
      for (const handler of this.outboxHandlers) this.guarded(handler);
    }
  }

  private decoded<T>(channel: string, decode: () => T): T | undefined {
    try {
      return decode();
    } catch (error) {
      // Another version's payload, or a hand-sent NOTIFY: not ours to act on.
      this.log.warn({ err: error, channel }, 'Live updates: skipped a notification that is not one of ours');
      return undefined;
    }
  }

  /** One listener's failure is logged, and the others still hear. */
  private guarded(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.log.warn({ err: error }, 'Live updates: a listener failed');
    }
  }
}

/** Adds `handler` to the set addressed to `workerId`; returns its removal. */
function addressed<T>(handlers: Map<string, Set<T>>, workerId: string, handler: T): () => void {
  let set = handlers.get(workerId);
  if (!set) {
    set = new Set();
    handlers.set(workerId, set);
  }
  set.add(handler);
  return () => set.delete(handler);
}
