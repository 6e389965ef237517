import { and, gt, isNull, type SQL, sql } from 'drizzle-orm';
import { type Plan, sqlChangesOf } from '../plan';
import type { Store } from '../store';
import { WORKER_LEASE_MS } from './runClaims';

// The shared queue's wake-ups, as graphile-worker jobs (docs/scaling.md#the-wake-ups-graphile-worker).
// The queued runs themselves stay `executions` rows, claimed by runClaims.ts; a job only tells one
// worker "look for runs to claim". Each worker runs its own task (so a job reaches exactly that
// worker, however many others run), and has at most one job waiting per due time (its job key).

const CLAIM_TASK_PREFIX = 'claudeops_claim:';

/** The graphile-worker task of one worker's wake-ups: only that worker's runner knows it. */
export const claimTaskOf = (workerId: string): string => `${CLAIM_TASK_PREFIX}${workerId}`;

/**
 * Wakes every worker that may claim (beating within the lease, not draining, not stopped): a job
 * for each, at the commit of `store`'s transaction (graphile-worker's `add_job`, whose insert sends
 * its NOTIFY). Due at once, or at `dueAt` (epoch ms: a retry's time). A job already waiting for
 * the same worker and time is kept, not doubled. Postgres only.
 */
export function* addClaimJobs(store: Store, now: number, dueAt: number | null = null): Plan<void> {
  const w = store.t.workers;
  const task = sql`${CLAIM_TASK_PREFIX} || ${w.id}`;
  const claimWhen =
    dueAt === null ? sql`null::timestamptz` : sql`to_timestamp(${dueAt / 1000}::double precision)`;
  const key = dueAt === null ? task : sql`${task} || ${`@${dueAt}`}`;
  const mayClaim = and(isNull(w.stoppedAt), isNull(w.drainingSince), gt(w.lastBeatAt, now - WORKER_LEASE_MS));
  yield* postgresOnly(
    store,
    sql`select graphile_worker.add_job(${task}, run_at => ${claimWhen}, job_key => ${key}, max_attempts => 1) from ${w} where ${mayClaim}`,
  );
}

/**
 * Drops the waiting jobs of workers that stopped (cleanly, or reaped): no runner will ever take
 * them. A job a dead runner held locked is only unkeyed (graphile-worker's `remove_job`).
 */
export function* removeClaimJobs(store: Store, workerIds: readonly string[]): Plan<void> {
  if (workerIds.length === 0) return;
  const tasks = workerIds.map(claimTaskOf);
  yield* postgresOnly(
    store,
    sql`select graphile_worker.remove_job(key) from graphile_worker.jobs where task_identifier in (${sql.join(
      tasks.map((task) => sql`${task}`),
      sql`, `,
    )}) and key is not null`,
  );
}

function* postgresOnly(store: Store, query: SQL): Plan<void> {
  if (store.dialect !== 'postgres') throw new Error('The shared queue’s wake-ups need a Postgres store');
  yield* sqlChangesOf(store, query);
}
