import type { Logger } from '../core/logger';
import type { DrainStart, HandBackCounts } from '../engine/engine';

/** What drains: the backend's worker and engine. */
export interface Drainable {
  /** No run starts any more; returns what is under way. */
  drain(): DrainStart;
  /** Resolves once no run has a process. */
  whenIdle(): Promise<void>;
  /** Stops what still runs and leaves it, with the queue, for the next start. */
  handBack(): Promise<HandBackCounts>;
}

/** Why a drain ended. */
export type DrainEnd = 'all finished' | 'deadline' | 'second signal';

export interface Drain {
  /** Resolves once every run finished, or was handed back at the deadline or on `handBackNow`. */
  readonly done: Promise<HandBackCounts & { end: DrainEnd }>;
  /** A second stop signal: what still runs is handed back at once. */
  handBackNow(): void;
}

/**
 * A graceful stop: running runs get `drainMs` to finish while nothing new starts (the HTTP server
 * and the live socket stay up meanwhile); at the deadline, or on a second signal, the runs still
 * running are handed back. One line at the start and one at the end say what happened.
 */
export function startDrain(target: Drainable, drainMs: number, logger: Logger): Drain {
  const startedAt = Date.now();
  const { running, queued } = target.drain();
  logger.info(
    { running, queued, drainSeconds: drainMs / 1000, deadline: new Date(startedAt + drainMs).toISOString() },
    `draining: no run starts; ${running} running run(s) have until the deadline to finish, then are handed back to the queue (a second signal hands them back now)`,
  );
  let cut: (end: DrainEnd) => void = () => {};
  const over = new Promise<DrainEnd>((resolve) => {
    cut = resolve;
  });
  const deadline = setTimeout(() => cut('deadline'), drainMs);
  const done = Promise.race([target.whenIdle().then((): DrainEnd => 'all finished'), over]).then(
    async (end) => {
      clearTimeout(deadline);
      const counts = await target.handBack();
      logger.info(
        { ...counts, end, tookMs: Date.now() - startedAt },
        `drain over (${end}): ${counts.finished} run(s) finished, ${counts.handedBack} handed back, ${counts.leftQueued} left queued for the next start`,
      );
      return { ...counts, end };
    },
  );
  return { done, handBackNow: () => cut('second signal') };
}
