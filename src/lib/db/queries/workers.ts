import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { type HostVitals, WORKER_ALIVE_WINDOW_MS, type WorkerDto } from '../../contracts/workers';
import type { WorkerRow } from '../schema';
import type { Store } from '../store';

// Dialect-neutral (see store.ts): these run on SQLite and on Postgres, and so do their tests.

/** The Workers page lists this many, newest first: one row per process start, so old ones pile up. */
const WORKERS_LISTED = 100;

export async function registerWorker(
  { db, t }: Store,
  worker: Omit<WorkerRow, 'stoppedAt' | 'lastBeatAt' | 'drainingSince' | 'vitals'> & {
    vitals?: HostVitals | null;
  },
): Promise<void> {
  await db.insert(t.workers).values({ ...worker, lastBeatAt: worker.startedAt });
}

/**
 * The worker is alive at `at`, its host's figures `vitals` (kept as they were when undefined).
 * False when a reaper has taken it for dead (its row is stopped): its runs were settled elsewhere,
 * and it must stop theirs (see localWorker.ts, the fence).
 */
export async function recordWorkerBeat(
  { db, t }: Store,
  id: string,
  at: number,
  vitals?: HostVitals | null,
): Promise<boolean> {
  const beaten = await db
    .update(t.workers)
    .set({ lastBeatAt: at, ...(vitals !== undefined && { vitals }) })
    .where(and(eq(t.workers.id, id), isNull(t.workers.stoppedAt)))
    .returning({ id: t.workers.id });
  return beaten.length > 0;
}

/** A stop signal came: the worker starts no run any more and lets its running ones finish. */
export async function recordWorkerDraining({ db, t }: Store, id: string, at: number): Promise<void> {
  await db.update(t.workers).set({ lastBeatAt: at, drainingSince: at }).where(eq(t.workers.id, id));
}

export async function recordWorkerStop({ db, t }: Store, id: string, at: number): Promise<void> {
  await db.update(t.workers).set({ lastBeatAt: at, stoppedAt: at }).where(eq(t.workers.id, id));
}

/** The ids of the workers of `host` not recorded stopped (a killed process never records its stop). */
export async function unstoppedWorkersOn({ db, t }: Store, host: string): Promise<string[]> {
  const rows = await db
    .select({ id: t.workers.id })
    .from(t.workers)
    .where(and(eq(t.workers.host, host), isNull(t.workers.stoppedAt)));
  return rows.map((row) => row.id);
}

/**
 * Counted from the partial index `executions_running_by_worker`. The outer column is written out
 * whole: drizzle leaves columns unqualified, and a bare "id" here would be the run's own. Postgres
 * counts in bigint, which its driver hands over as a string.
 */
function runningRuns({ t }: Store) {
  return sql`(select count(*) from ${t.executions}
    where ${t.executions.workerId} = "workers"."id" and ${t.executions.status} = 'running')`.mapWith(Number);
}

/** The newest workers, with whether each is alive at `now` and how many runs it has under way. */
export async function listWorkers(store: Store, now: number): Promise<WorkerDto[]> {
  const { db, t } = store;
  const rows = await db
    .select({ worker: t.workers, runningRuns: runningRuns(store) })
    .from(t.workers)
    .orderBy(desc(t.workers.startedAt))
    .limit(WORKERS_LISTED);
  return rows.map(({ worker, runningRuns }) => ({
    ...worker,
    alive: worker.stoppedAt === null && now - worker.lastBeatAt <= WORKER_ALIVE_WINDOW_MS,
    runningRuns,
  }));
}
