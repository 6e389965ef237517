import { desc, eq, sql } from 'drizzle-orm';
import { WORKER_ALIVE_WINDOW_MS, type WorkerDto } from '../../contracts/workers';
import type { Db } from '../index';
import { executions, type WorkerRow, workers } from '../schema';

/** The Workers page lists this many, newest first: one row per process start, so old ones pile up. */
const WORKERS_LISTED = 100;

export function registerWorker(
  db: Db,
  worker: Omit<WorkerRow, 'stoppedAt' | 'lastBeatAt' | 'drainingSince'>,
): void {
  db.insert(workers)
    .values({ ...worker, lastBeatAt: worker.startedAt })
    .run();
}

export function recordWorkerBeat(db: Db, id: string, at: number): void {
  db.update(workers).set({ lastBeatAt: at }).where(eq(workers.id, id)).run();
}

/** A stop signal came: the worker starts no run any more and lets its running ones finish. */
export function recordWorkerDraining(db: Db, id: string, at: number): void {
  db.update(workers).set({ lastBeatAt: at, drainingSince: at }).where(eq(workers.id, id)).run();
}

export function recordWorkerStop(db: Db, id: string, at: number): void {
  db.update(workers).set({ lastBeatAt: at, stoppedAt: at }).where(eq(workers.id, id)).run();
}

/**
 * Counted from the partial index `executions_running_by_worker`. The outer column is written out
 * whole: drizzle leaves columns unqualified, and a bare "id" here would be the run's own.
 */
const runningRuns = sql<number>`(select count(*) from ${executions}
  where ${executions.workerId} = "workers"."id" and ${executions.status} = 'running')`;

/** The newest workers, with whether each is alive at `now` and how many runs it has under way. */
export function listWorkers(db: Db, now: number): WorkerDto[] {
  return db
    .select({ worker: workers, runningRuns })
    .from(workers)
    .orderBy(desc(workers.startedAt))
    .limit(WORKERS_LISTED)
    .all()
    .map(({ worker, runningRuns }) => ({
      ...worker,
      alive: worker.stoppedAt === null && now - worker.lastBeatAt <= WORKER_ALIVE_WINDOW_MS,
      runningRuns,
    }));
}
