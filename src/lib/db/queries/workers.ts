import { and, asc, desc, eq, gte, isNull, lt, lte, sql } from 'drizzle-orm';
import { METRIC_RANGE_MS } from '../../contracts/metrics';
import {
  HOST_LOAD_POINTS,
  type HostLoadDto,
  type HostLoadQuery,
  type HostVitals,
  WORKER_ALIVE_WINDOW_MS,
  type WorkerDto,
} from '../../contracts/workers';
import { changesOf, type Plan, rowsOf } from '../plan';
import type { WorkerRow } from '../schema';
import type { Store } from '../store';

// Dialect-neutral (see store.ts): these run on SQLite and on Postgres, and so do their tests.

/** The Workers page lists this many, newest first: one row per process start, so old ones pile up. */
const WORKERS_LISTED = 100;

export async function registerWorker(
  store: Store,
  worker: Omit<WorkerRow, 'stoppedAt' | 'lastBeatAt' | 'drainingSince' | 'vitals'> & {
    vitals?: HostVitals | null;
  },
): Promise<void> {
  const { db, t } = store;
  await db.insert(t.workers).values({ ...worker, lastBeatAt: worker.startedAt });
  await vitalsHistory(store, worker.id, worker.startedAt, worker.vitals);
}

/**
 * What became of a beat's figures as a point of its host's history: stored, none to store, or lost
 * (the error), which is a gap in the chart and never a beat that does not count.
 */
export type VitalsPoint = { stored: true } | { stored: false; error?: unknown };

/**
 * The host's figures at a beat, into its history (a chart's point). A statement of its own after
 * the beat's, not one transaction with it: a beat holds no pooled connection across statements.
 */
async function vitalsHistory(
  { db, t }: Store,
  workerId: string,
  at: number,
  vitals: HostVitals | null | undefined,
): Promise<VitalsPoint> {
  if (!vitals) return { stored: false };
  try {
    await db
      .insert(t.workerVitals)
      .values({ workerId, t: at, ...vitals })
      .onConflictDoNothing();
    return { stored: true };
  } catch (error) {
    return { stored: false, error };
  }
}

/**
 * The worker is alive at `at`, its host's figures `vitals` (kept as they were when undefined).
 * False when a reaper has taken it for dead (its row is stopped): its runs were settled elsewhere,
 * and it must stop theirs (see localWorker.ts, the fence). `onPoint` hears what became of the
 * figures' history point once the beat counted.
 */
export async function recordWorkerBeat(
  store: Store,
  id: string,
  at: number,
  vitals?: HostVitals | null,
  onPoint?: (point: VitalsPoint) => void,
): Promise<boolean> {
  const { db, t } = store;
  const beaten = await db
    .update(t.workers)
    .set({ lastBeatAt: at, ...(vitals !== undefined && { vitals }) })
    .where(and(eq(t.workers.id, id), isNull(t.workers.stoppedAt)))
    .returning({ id: t.workers.id });
  if (beaten.length === 0) return false;
  // Stored whether or not anyone listens (`onPoint?.(…)` would skip evaluating its argument).
  const point = await vitalsHistory(store, id, at, vitals);
  onPoint?.(point);
  return true;
}

/** Drops the host figures taken before `before` (WORKER_VITALS_KEPT_MS): how many rows went. */
export function pruneWorkerVitals({ db, t }: Store, before: number): Plan<number> {
  return changesOf(db.delete(t.workerVitals).where(lt(t.workerVitals.t, before)));
}

/**
 * A host's load over `range` back from `now`: the beats of every worker on it (one per process
 * start), averaged per bucket. Shares are taken in SQL as doubles; a whole of 0 reads as unknown.
 */
export function* hostLoad(store: Store, { host, range }: HostLoadQuery, now: number): Plan<HostLoadDto> {
  const { db, t } = store;
  const v = t.workerVitals;
  const stepMs = METRIC_RANGE_MS[range] / HOST_LOAD_POINTS;
  const from = now - METRIC_RANGE_MS[range];
  // The step is one of two constants, written into the SQL so both dialects divide integers.
  const bucket = sql`(${v.t} / ${sql.raw(String(stepMs))}) * ${sql.raw(String(stepMs))}`;
  const share = (part: unknown, whole: unknown) =>
    sql`avg(cast(${part} as double precision) / nullif(${whole}, 0))`.mapWith(Number);
  const rows = yield* rowsOf(
    db
      .select({
        t: bucket.mapWith(Number),
        cpuBusy: sql`avg(${v.cpuBusy})`.mapWith(Number),
        memoryUsed: share(v.memoryUsedBytes, v.memoryTotalBytes),
        load1: sql`avg(${v.load1})`.mapWith(Number),
        // df's Use%, as everywhere in the console (diskUsedShare).
        diskUsed: share(v.diskUsedBytes, sql`${v.diskUsedBytes} + ${v.diskAvailableBytes}`),
      })
      .from(v)
      .innerJoin(t.workers, eq(t.workers.id, v.workerId))
      .where(and(eq(t.workers.host, host), gte(v.t, from), lte(v.t, now)))
      .groupBy(bucket)
      .orderBy(asc(bucket)),
  );
  return {
    host,
    range,
    from,
    to: now,
    stepMs,
    t: rows.map((row) => row.t),
    cpuBusy: rows.map((row) => row.cpuBusy ?? null),
    memoryUsed: rows.map((row) => row.memoryUsed ?? null),
    load1: rows.map((row) => row.load1),
    diskUsed: rows.map((row) => row.diskUsed ?? null),
  };
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
