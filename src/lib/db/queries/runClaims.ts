import { and, asc, count, eq, gt, inArray, isNull, lt, lte, or } from 'drizzle-orm';
import { hasLabels, labelWaitReason } from '../../contracts/workers';
import { changesOf, firstOf, type Plan, rowsOf } from '../plan';
import { advisoryTransactionLock, lockedRows, skipLockedRows } from '../rowLocks';
import type { Store } from '../store';
import { countHandedBackAttempts, markExecutionRunning } from './executions';
import { getAppSettings } from './settings';

// Worker hosts' side of the database (docs/scaling.md#claims-leases-and-the-reaper): a worker
// claims the oldest queued run it may take, within the global and per-agent limits counted over
// every worker; a reaper ends or requeues the runs of workers whose lease ran out. Dialect-neutral:
// run each plan with `transaction(store, …)`.

/** Workers beat every 10 s: one that has not for two beats is taken for dead, and must take itself for dead. */
export const WORKER_LEASE_MS = 20_000;

/**
 * The one advisory lock every claim takes on Postgres (an arbitrary constant: "cops" in ASCII).
 * One key, not one per agent: the global count is over every agent's runs, so every claim must
 * wait for the one before it anyway, and the per-agent counts are read under the same lock.
 */
const CLAIM_LOCK_KEY = 0x636f7073;

/** Queued runs read per page while looking for one this worker's labels and the agents' limits allow. */
const CANDIDATES_PER_PAGE = 100;

export interface ClaimingWorker {
  id: string;
  labels: readonly string[];
}

export interface ClaimedRun {
  executionId: number;
  agentId: number;
  attempt: number;
}

const leaseHolds = (row: { stoppedAt: number | null; lastBeatAt: number }, now: number): boolean =>
  row.stoppedAt === null && now - row.lastBeatAt <= WORKER_LEASE_MS;

/** The `running` runs of every worker, per agent: few rows, read through `executions_by_status`. */
function* runningByAgent({ db, t }: Store): Plan<Map<number, number>> {
  const e = t.executions;
  const rows = yield* rowsOf(
    db.select({ agentId: e.agentId, n: count() }).from(e).where(eq(e.status, 'running')).groupBy(e.agentId),
  );
  return new Map(rows.map((row) => [row.agentId, Number(row.n)]));
}

/** Queued runs due at `now` after `afterId`, oldest first, with their agent's labels and limit. */
function candidatePage(store: Store, now: number, afterId: number) {
  const { db, t } = store;
  const e = t.executions;
  const agents = t.agentConfigurations;
  const query = db
    .select({
      executionId: e.id,
      agentId: e.agentId,
      attempt: e.attempt,
      startedAt: e.startedAt,
      requiredLabels: agents.requiredLabels,
      agentLimit: agents.maxConcurrentRuns,
    })
    .from(e)
    .innerJoin(agents, eq(agents.id, e.agentId))
    .where(
      and(eq(e.status, 'queued'), gt(e.id, afterId), or(isNull(e.nextAttemptAt), lte(e.nextAttemptAt, now))),
    )
    .orderBy(asc(e.id))
    .limit(CANDIDATES_PER_PAGE);
  return rowsOf(skipLockedRows(store, query, e));
}

/**
 * Moves the oldest queued run this worker may take to `running` on it, at `clock()` read once the
 * claim lock is held, in the caller's
 * transaction: the agent's required labels all carried by the worker, its agent below its own
 * limit and every worker's runs below the global limit. Null when none may start, or when the
 * worker's own lease is gone (stopped, draining, or reaped). On Postgres the claims of all workers
 * take one advisory lock, and the queued rows are read `FOR UPDATE SKIP LOCKED` (rows another
 * writer holds are passed over, not waited for); on SQLite the immediate transaction serializes.
 */
export function* claimRun(
  store: Store,
  worker: ClaimingWorker,
  clock: () => number,
): Plan<ClaimedRun | null> {
  yield* advisoryTransactionLock(store, CLAIM_LOCK_KEY);
  // Read under the lock: the run starts after every claim and ending committed before it.
  const now = clock();
  if (!(yield* mayClaim(store, worker.id, now))) return null;
  const globalLimit = (yield* getAppSettings(store)).maxConcurrentRuns;
  const running = yield* runningByAgent(store);
  let total = 0;
  for (const n of running.values()) total += n;
  if (total >= globalLimit) return null;
  let afterId = 0;
  for (;;) {
    const page = yield* candidatePage(store, now, afterId);
    const run = page.find(
      (row) =>
        (running.get(row.agentId) ?? 0) < row.agentLimit && hasLabels(worker.labels, row.requiredLabels),
    );
    if (run) {
      // A run that started before (a retry, a hand-back) begins its next attempt.
      const attempt = run.startedAt === null ? run.attempt : run.attempt + 1;
      yield* markExecutionRunning(store, run.executionId, { startedAt: now, attempt, workerId: worker.id });
      return { executionId: run.executionId, agentId: run.agentId, attempt };
    }
    const last = page.at(-1);
    if (!last || page.length < CANDIDATES_PER_PAGE) return null;
    afterId = last.executionId;
  }
}

/**
 * A worker claims only while its lease holds and it is not draining. Its row is read locked on
 * Postgres: a reaper that holds it makes the claim wait and then see the worker stopped, and one
 * that comes later skips it (SKIP LOCKED) until the next pass, so no run starts on a reaped worker.
 */
function* mayClaim(store: Store, workerId: string, now: number): Plan<boolean> {
  const { db, t } = store;
  const w = t.workers;
  const row = yield* firstOf(
    lockedRows(
      store,
      db
        .select({ drainingSince: w.drainingSince, stoppedAt: w.stoppedAt, lastBeatAt: w.lastBeatAt })
        .from(w)
        .where(eq(w.id, workerId)),
      w,
    ),
  );
  return row !== undefined && row.drainingSince === null && leaseHolds(row, now);
}

export interface ReapedWorker {
  workerId: string;
  lastBeatAt: number;
  interrupted: number[];
  requeued: number[];
  /** Its runs that waited for a person with their process held: parked now, woken by an answer. */
  parked: number[];
}

/**
 * Workers not stopped whose last beat is older than the lease (or `knownDead`: a process of this
 * host that is gone) are marked stopped, and each of
 * their `running` runs either goes back to `queued` (its attempt recorded `interrupted`) while the
 * agent's run retries allow, or ends `interrupted` naming the worker and its last beat. On Postgres
 * the dead workers' rows are taken `FOR UPDATE SKIP LOCKED`: two reapers never handle one worker,
 * and the second finds it stopped once the first commits. `onSettled` runs in the same
 * transaction for each run it ends or queues again (to announce it). Run it in one transaction.
 */
export function* reapDeadWorkers(
  store: Store,
  now: number,
  knownDead: readonly string[] = [],
  onSettled?: (tx: Store, executionId: number) => Plan<unknown>,
): Plan<ReapedWorker[]> {
  const { db, t } = store;
  const silent = lt(t.workers.lastBeatAt, now - WORKER_LEASE_MS);
  const dead = yield* rowsOf(
    skipLockedRows(
      store,
      db
        .select({ id: t.workers.id, lastBeatAt: t.workers.lastBeatAt })
        .from(t.workers)
        .where(
          and(
            isNull(t.workers.stoppedAt),
            knownDead.length > 0 ? or(silent, inArray(t.workers.id, [...knownDead])) : silent,
          ),
        )
        .orderBy(asc(t.workers.lastBeatAt)),
      t.workers,
    ),
  );
  const reaped: ReapedWorker[] = [];
  for (const worker of dead) {
    const stopped = yield* changesOf(
      db
        .update(t.workers)
        .set({ stoppedAt: now })
        .where(and(eq(t.workers.id, worker.id), isNull(t.workers.stoppedAt))),
    );
    if (stopped === 0) continue;
    reaped.push({
      workerId: worker.id,
      lastBeatAt: worker.lastBeatAt,
      ...(yield* reapRunsOf(store, worker, now, onSettled)),
    });
  }
  return reaped;
}

/**
 * A worker that took itself for dead (no beat stored within its fence, see localWorker.ts) and has
 * stopped its runs comes back under the same id: its runs still marked on it are settled as a dead
 * worker's (unless a reaper did so already), then its row beats again. One transaction.
 */
export function* rejoinWorker(
  store: Store,
  workerId: string,
  now: number,
  onSettled?: (tx: Store, executionId: number) => Plan<unknown>,
): Plan<ReapedWorker[]> {
  const reaped = yield* reapDeadWorkers(store, now, [workerId], onSettled);
  const { db, t } = store;
  yield* changesOf(
    db.update(t.workers).set({ stoppedAt: null, lastBeatAt: now }).where(eq(t.workers.id, workerId)),
  );
  return reaped;
}

function* reapRunsOf(
  store: Store,
  worker: { id: string; lastBeatAt: number },
  now: number,
  onSettled: ((tx: Store, executionId: number) => Plan<unknown>) | undefined,
): Plan<Omit<ReapedWorker, 'workerId' | 'lastBeatAt'>> {
  const { db, t } = store;
  const e = t.executions;
  const runs = yield* rowsOf(
    db
      .select({
        id: e.id,
        attempt: e.attempt,
        startedAt: e.startedAt,
        costMicros: e.costMicros,
        limits: e.limits,
        agentRetries: t.agentConfigurations.runRetries,
      })
      .from(e)
      .innerJoin(t.agentConfigurations, eq(t.agentConfigurations.id, e.agentId))
      .where(and(eq(e.workerId, worker.id), eq(e.status, 'running')))
      .orderBy(asc(e.id)),
  );
  const message = `Worker ${worker.id} stopped beating during the run; last beat at ${new Date(worker.lastBeatAt).toISOString()}`;
  // Its process is gone with the worker: the run is parked, as a hold that ended leaves it.
  const parked = yield* rowsOf(
    db
      .update(e)
      .set({ workerId: null })
      .where(and(eq(e.workerId, worker.id), eq(e.status, 'awaiting_approval')))
      .returning({ id: e.id }),
  );
  const result = {
    interrupted: [] as number[],
    requeued: [] as number[],
    parked: parked.map((row) => row.id),
  };
  for (const run of runs) {
    const runRetries = run.limits?.runRetries ?? run.agentRetries;
    const handBacks = yield* countHandedBackAttempts(store, run.id);
    // As the engine counts (planRetry): attempts handed back use up none of the retries.
    if (run.attempt - handBacks <= runRetries) {
      yield* changesOf(
        db.insert(t.executionAttempts).values({
          executionId: run.id,
          attempt: run.attempt,
          status: 'interrupted',
          startedAt: run.startedAt ?? worker.lastBeatAt,
          finishedAt: worker.lastBeatAt,
          errorCode: 'interrupted',
          errorMessage: message,
          retryDelayMs: 0,
        }),
      );
      // Due at once: the host failed, not the API, so no backoff is owed.
      yield* changesOf(
        db
          .update(e)
          .set({
            status: 'queued',
            nextAttemptAt: null,
            workerId: null,
            errorCode: 'interrupted',
            errorMessage: message,
            lastActivityAt: now,
          })
          .where(eq(e.id, run.id)),
      );
      if (onSettled) yield* onSettled(store, run.id);
      result.requeued.push(run.id);
    } else {
      yield* changesOf(
        db
          .update(e)
          .set({
            status: 'interrupted',
            errorCode: 'interrupted',
            errorMessage: message,
            finishedAt: worker.lastBeatAt,
            durationMs: run.startedAt === null ? null : Math.max(0, worker.lastBeatAt - run.startedAt),
            nextAttemptAt: null,
          })
          .where(eq(e.id, run.id)),
      );
      if (onSettled) yield* onSettled(store, run.id);
      result.interrupted.push(run.id);
    }
  }
  return result;
}

/** The labels of every worker that may claim at `now`: beating within the lease, not stopped, not draining. */
export function* claimingWorkerLabels({ db, t }: Store, now: number): Plan<string[][]> {
  const rows = yield* rowsOf(
    db
      .select({ labels: t.workers.labels })
      .from(t.workers)
      .where(
        and(
          isNull(t.workers.stoppedAt),
          isNull(t.workers.drainingSince),
          gt(t.workers.lastBeatAt, now - WORKER_LEASE_MS),
        ),
      ),
  );
  return rows.map((row) => row.labels);
}

/** The shared queue as people see it: its queued runs, oldest first, with the labels each requires. */
export interface QueuedRunView {
  executionId: number;
  requiredLabels: string[];
}

/** The oldest `limit` queued runs (due or not) with their agents' required labels. */
export function* queuedRunsWithLabels({ db, t }: Store, limit: number): Plan<QueuedRunView[]> {
  const e = t.executions;
  return yield* rowsOf(
    db
      .select({ executionId: e.id, requiredLabels: t.agentConfigurations.requiredLabels })
      .from(e)
      .innerJoin(t.agentConfigurations, eq(t.agentConfigurations.id, e.agentId))
      .where(eq(e.status, 'queued'))
      .orderBy(asc(e.id))
      .limit(limit),
  );
}

/** Why a queued run requiring `required` waits for a worker ("waiting for a worker with labels gpu, repo-a"), or null when one alive can take it. */
export function* workerWaitReason(
  store: Store,
  required: readonly string[],
  now: number,
): Plan<string | null> {
  const alive = yield* claimingWorkerLabels(store, now);
  if (alive.some((labels) => hasLabels(labels, required))) return null;
  return labelWaitReason(required, []) ?? 'waiting for a worker';
}
