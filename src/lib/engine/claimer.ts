import { oneAtATime } from '../core/oneAtATime';
import type { Execution } from '../db/schema';

/**
 * How often an idle worker looks for runs it may claim besides being told to (a claim job: a run
 * queued, a slot freed, a retry due): for what no job announces, a limit or an agent's labels
 * edited on another process. Also how often graphile-worker's runner polls for due jobs.
 */
export const CLAIM_POLL_MS = 1_000;

/** A queued run this worker claimed: marked `running` on it, for `attempt`. */
export interface ClaimedRow {
  row: Execution;
  attempt: number;
}

export interface ClaimerHost {
  /** Whether this worker may start another run now (room, not draining, the breaker closed). */
  mayStart(): boolean;
  /** Claims the oldest queued run this worker may take (runClaims.ts), or null. */
  claim(): Promise<ClaimedRow | null>;
  /** Starts a claimed run. */
  take(claimed: ClaimedRow): Promise<void>;
  /** A claim failed (the next look tries again). */
  failed(error: unknown): void;
}

/**
 * The worker's side of a shared queue: queued runs live in the database, and each worker claims
 * the ones it may run while it has room, one claim at a time, when told (`look`) and on a timer.
 */
export class Claimer {
  readonly look: () => void;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly host: ClaimerHost,
    pollMs = CLAIM_POLL_MS,
  ) {
    this.look = oneAtATime(
      () => this.claimWhileRoom(),
      (error) => host.failed(error),
    );
    this.timer = setInterval(this.look, pollMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async claimWhileRoom(): Promise<void> {
    while (!this.stopped && this.host.mayStart()) {
      const claimed = await this.host.claim();
      if (!claimed) return;
      await this.host.take(claimed);
    }
  }
}
