import { hasLabels, labelWaitReason } from '../contracts/workers';
import { oneAtATime } from '../core/oneAtATime';
import { execute } from '../db/plan';
import { claimingWorkerLabels, queuedRunsWithLabels } from '../db/queries/runClaims';
import type { Store } from '../db/store';

/** How often the view is read again: the pages show a place at most this old. */
const REFRESH_MS = 1_000;
/** Queued runs given a place; later ones show none (the queue is that long). */
const RUNS_PLACED = 1_000;

/** Why a run waits when no worker is alive at all. */
export const NO_WORKER_WAIT_REASON = 'waiting for a worker: none is running (start one with npm run worker)';

/**
 * Where each run of a shared queue stands, for the pages and the API (the engine's memory holds
 * only the runs of its own worker): its place among the queued runs and, when no live worker
 * may take it, why. Read from the database every second, not on each change of a busy queue.
 */
export class SharedQueueView {
  private places = new Map<number, { position: number; waitReason: string | null }>();
  private readonly refresh: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(store: Store, onError: (error: unknown) => void) {
    this.refresh = oneAtATime(async () => {
      const { runs, alive } = await execute(store, readQueue(store));
      const places = new Map<number, { position: number; waitReason: string | null }>();
      runs.forEach(({ executionId, requiredLabels }, index) => {
        const takers = alive.some((labels) => hasLabels(labels, requiredLabels));
        const waitReason = takers
          ? null
          : requiredLabels.length > 0
            ? labelWaitReason(requiredLabels, [])
            : NO_WORKER_WAIT_REASON;
        places.set(executionId, { position: index + 1, waitReason });
      });
      this.places = places;
    }, onError);
    this.timer = setInterval(this.refresh, REFRESH_MS);
    this.timer.unref();
    this.refresh();
  }

  position(executionId: number): number | null {
    return this.places.get(executionId)?.position ?? null;
  }

  waitReason(executionId: number): string | null {
    return this.places.get(executionId)?.waitReason ?? null;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function* readQueue(store: Store) {
  return {
    runs: yield* queuedRunsWithLabels(store, RUNS_PLACED),
    alive: yield* claimingWorkerLabels(store, Date.now()),
  };
}
