import type { ExecutionStatus, LogLineDto, StepDto } from '../contracts/executions';
import { isDomainError, notFound } from '../core/errors';
import { oneAtATime } from '../core/oneAtATime';
import { execute } from '../db/plan';
import { getExecutionLogs, getExecutionSteps } from '../db/queries/executions';
import { getRunPosition } from '../db/queries/runPositions';
import type { Store } from '../db/store';

// A run's output, live, from any sequence number, with no gap and no duplicate, whether the commits
// happen in this process (the engine's event bus) or in another (Postgres NOTIFY). Announcements are
// hints: they say that a run's output is committed through some position; the store is the truth,
// and everything delivered is read from it (or, in process, is the committed batch itself).

/** What a commit announced for one run. */
export interface Announcement {
  /** The run's output is committed through here. */
  seq: number;
  /** The highest step of the commit, when it stored any. */
  stepSeq?: number;
  /** Set when the run's status changed. */
  status?: ExecutionStatus;
  /** The commit's own steps and lines, when the announcer has them (in process). */
  items?: { steps: StepDto[]; logs: LogLineDto[] };
}

export interface AnnouncementListener {
  onAnnouncement(announcement: Announcement): void;
  /** Announcements may have been lost (a reconnection): read the run again from the store. */
  onResync(): void;
}

/** Where announcements come from: the engine's bus in process, Postgres' LISTEN across processes. */
export interface AnnouncementSource {
  /** Returns the unsubscribe function. */
  subscribe(executionId: number, listener: AnnouncementListener): () => void;
}

/** Steps and lines of one run after `afterSeq` through `seq`, each list in sequence order. */
export interface RunItems {
  executionId: number;
  afterSeq: number;
  seq: number;
  steps: StepDto[];
  logs: LogLineDto[];
}

export interface FollowHandlers {
  onItems(items: RunItems): void;
  /** The run's status as stored, once at the start and at each change, after the lines before it. */
  onStatus?(status: ExecutionStatus): void;
  /** A read failed (it is tried again), or the run does not exist (the follow ends). */
  onError(error: unknown): void;
}

export interface RunFollow {
  /**
   * Settles once everything committed when the follow began has been delivered; never for a run
   * that does not exist (`onError` says so) or a follow closed before that.
   */
  readonly caughtUp: Promise<void>;
  /** The highest sequence number delivered so far. */
  readonly deliveredSeq: number;
  close(): void;
}

export interface RunFeed {
  /** Every step and line of the run after `afterSeq`, exactly once, in order, then live. */
  follow(executionId: number, afterSeq: number, handlers: FollowHandlers): RunFollow;
}

/** Lines per read, so a long log is caught up in steps, not one long read. */
export const FOLLOW_CHUNK_LINES = 2_000;
/** After a failed read, the next one (from the store's position) waits this long. */
const RETRY_MS = 1_000;

/** A feed over `store` whose commits `source` announces: one implementation for both dialects. */
export function runFeed(store: Store, source: AnnouncementSource): RunFeed {
  return {
    follow: (executionId, afterSeq, handlers) => new Follower(store, source, executionId, afterSeq, handlers),
  };
}

/**
 * The resume algorithm: subscribe to announcements first, then read the store from `afterSeq`, then
 * read again from the last sequence delivered whenever an announcement says there is more. A read
 * is bounded by a position known to be committed (the run's `last_seq` as stored, or an announced
 * one): Postgres reads the lines and the steps in two statements, and a commit between them must
 * not show its steps without its lines. Only sequence numbers above what was delivered are handed
 * on, so a line read twice (announced and already read) goes out once.
 */
class Follower implements RunFollow {
  readonly caughtUp: Promise<void>;
  private delivered: number;
  /** The highest position announced as committed. */
  private announced: number;
  /** The highest step announced: above `delivered`, the steps must be read too. */
  private announcedStep = 0;
  /** The next read starts from the store's own position (the first, and after a resync or a failure). */
  private fromStore = true;
  private reading = false;
  private closed = false;
  private status: ExecutionStatus | undefined;
  private retry: NodeJS.Timeout | undefined;
  private markCaughtUp: () => void = () => {};
  private readonly unsubscribe: () => void;
  private readonly request: () => void;

  constructor(
    private readonly store: Store,
    source: AnnouncementSource,
    private readonly executionId: number,
    afterSeq: number,
    private readonly handlers: FollowHandlers,
  ) {
    this.delivered = afterSeq;
    this.announced = afterSeq;
    this.caughtUp = new Promise((resolve) => {
      this.markCaughtUp = resolve;
    });
    this.request = oneAtATime(
      () => this.read(),
      (error) => this.failed(error),
    );
    // Subscribed before the first read: whatever commits after that read's position is announced.
    this.unsubscribe = source.subscribe(executionId, {
      onAnnouncement: (announcement) => this.announce(announcement),
      onResync: () => {
        this.fromStore = true;
        this.request();
      },
    });
    this.request();
  }

  get deliveredSeq(): number {
    return this.delivered;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.unsubscribe();
  }

  private announce({ seq, stepSeq, status, items }: Announcement): void {
    if (this.closed) return;
    if (status !== undefined) this.fromStore = true;
    // In process, a commit that follows what was delivered is handed on as it is: nothing to read.
    if (items && !this.reading && !this.fromStore && firstSeqOf(items) === this.delivered + 1) {
      this.deliver(items.steps, items.logs, seq);
      return;
    }
    this.announced = Math.max(this.announced, seq);
    if (stepSeq !== undefined) this.announcedStep = Math.max(this.announcedStep, stepSeq);
    if (this.fromStore || this.announced > this.delivered) this.request();
  }

  private async read(): Promise<void> {
    if (this.closed) return;
    this.reading = true;
    try {
      await this.readOnce();
    } finally {
      this.reading = false;
    }
  }

  private async readOnce(): Promise<void> {
    const { store, executionId } = this;
    const fromStore = this.fromStore;
    this.fromStore = false;
    let bound = this.announced;
    let withSteps = this.announcedStep > this.delivered;
    let status: ExecutionStatus | undefined;
    if (fromStore) {
      const position = await execute(store, getRunPosition(store, executionId));
      if (!position) throw notFound('Execution');
      bound = position.lastSeq;
      withSteps = true;
      status = position.status;
    }
    while (this.delivered < bound && !this.closed) {
      const from = this.delivered;
      const logs = await execute(store, getExecutionLogs(store, executionId, from, FOLLOW_CHUNK_LINES));
      const last = logs.at(-1);
      const through = logs.length === FOLLOW_CHUNK_LINES && last && last.seq < bound ? last.seq : bound;
      const steps = withSteps
        ? await execute(store, getExecutionSteps(store, executionId, from, through))
        : [];
      if (this.closed) return;
      this.deliver(
        steps,
        logs.filter((line) => line.seq <= through),
        through,
      );
    }
    if (this.closed) return;
    if (status !== undefined && status !== this.status) {
      this.status = status;
      this.handlers.onStatus?.(status);
    }
    if (fromStore) this.markCaughtUp();
  }

  private deliver(steps: StepDto[], logs: LogLineDto[], seq: number): void {
    const afterSeq = this.delivered;
    this.delivered = seq;
    if (steps.length > 0 || logs.length > 0)
      this.handlers.onItems({ executionId: this.executionId, afterSeq, seq, steps, logs });
  }

  private failed(error: unknown): void {
    if (this.closed) return;
    this.handlers.onError(error);
    if (isDomainError(error) && error.kind === 'not_found') {
      this.close();
      return;
    }
    this.fromStore = true;
    this.retry = setTimeout(() => this.request(), RETRY_MS);
    this.retry.unref();
  }
}

function firstSeqOf({ steps, logs }: { steps: StepDto[]; logs: LogLineDto[] }): number | undefined {
  const first = Math.min(steps[0]?.seq ?? Number.POSITIVE_INFINITY, logs[0]?.seq ?? Number.POSITIVE_INFINITY);
  return Number.isFinite(first) ? first : undefined;
}
