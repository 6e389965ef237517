import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/core/logger';
import { execute, transaction } from '../../src/lib/db/plan';
import { openPostgres } from '../../src/lib/db/postgres';
import { addClaimJobs, claimTaskOf, removeClaimJobs } from '../../src/lib/db/queries/claimJobs';
import { WORKER_LEASE_MS } from '../../src/lib/db/queries/runClaims';
import { registerWorker } from '../../src/lib/db/queries/workers';
import type { Store } from '../../src/lib/db/store';
import { type ClaimJobRunner, startClaimJobRunner } from '../../src/lib/server/claimJobRunner';
import { eventually } from '../helpers/approvals';
import { type PostgresCluster, queryPostgres, startPostgres } from '../helpers/postgres';

// The shared queue's wake-ups as graphile-worker jobs (docs/scaling.md#the-wake-ups-graphile-worker),
// against a real cluster and graphile-worker's real runner: which workers a job reaches, when, and
// what is left once a worker stops.

let cluster: PostgresCluster;
let url: string;
let store: Store;
let closeStore: () => Promise<void>;
const runners: ClaimJobRunner[] = [];
/** When each worker's runner handed it a job (epoch ms). */
const jobsOf = new Map<string, number[]>();
const quiet = createLogger({ level: 'error' });

async function runnerFor(workerId: string): Promise<void> {
  jobsOf.set(workerId, []);
  const runner = await startClaimJobRunner({
    postgresUrl: url,
    workerId,
    logger: quiet,
    onJob: () => jobsOf.get(workerId)?.push(Date.now()),
  });
  runners.push(runner);
}

async function worker(id: string, state: { beatAgoMs?: number; draining?: boolean; stopped?: boolean } = {}) {
  const now = Date.now();
  await registerWorker(store, { id, host: 'test-host', labels: [], version: 'test', startedAt: now });
  const { db, t } = store;
  await db
    .update(t.workers)
    .set({
      lastBeatAt: now - (state.beatAgoMs ?? 0),
      drainingSince: state.draining ? now : null,
      stoppedAt: state.stopped ? now : null,
    })
    .where(eq(t.workers.id, id));
}

/** The waiting jobs of a worker's task, as an operator reads graphile-worker's `jobs` view. */
async function waitingJobs(workerId: string): Promise<{ key: string; runAt: number }[]> {
  const rows = await queryPostgres<{ key: string; run_at: Date }>(
    url,
    'select key, run_at from graphile_worker.jobs where task_identifier = $1 and locked_at is null order by run_at',
    [claimTaskOf(workerId)],
  );
  return rows.map((row) => ({ key: row.key, runAt: row.run_at.getTime() }));
}

const wake = (dueAt: number | null = null) => transaction(store, (tx) => addClaimJobs(tx, Date.now(), dueAt));

/** The time a worker was handed its `nth` job (1-based), once it was. */
const handed = (workerId: string, nth: number) =>
  eventually(`job ${nth} of ${workerId}`, async () => jobsOf.get(workerId)?.[nth - 1]);

beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase('claim_jobs');
  const opened = await openPostgres(url);
  store = opened.store;
  closeStore = opened.close;
  await worker('live-a');
  await worker('live-b');
  await worker('no-runner');
  await worker('draining', { draining: true });
  await worker('stopped', { stopped: true });
  await worker('silent', { beatAgoMs: WORKER_LEASE_MS + 1_000 });
  // Every worker but `no-runner` runs graphile-worker: the ones that may not claim get no job.
  for (const id of ['live-a', 'live-b', 'draining', 'stopped', 'silent']) await runnerFor(id);
}, 60_000);

afterAll(async () => {
  for (const runner of runners) await runner.stop();
  await closeStore?.();
  await cluster?.stop();
});

describe('claim jobs (graphile-worker wakes the workers)', () => {
  it('reaches each worker that may claim, at the commit, and none that may not', async () => {
    await expect(
      transaction(store, function* (tx) {
        yield* addClaimJobs(tx, Date.now());
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await waitingJobs('no-runner')).toEqual([]);

    await wake();
    await handed('live-a', 1);
    await handed('live-b', 1);
    // The job the rolled-back transaction added was never there: one each.
    expect(jobsOf.get('live-a')).toHaveLength(1);
    expect(jobsOf.get('live-b')).toHaveLength(1);
    for (const id of ['draining', 'stopped', 'silent']) expect(await waitingJobs(id)).toEqual([]);
    expect(jobsOf.get('draining')).toEqual([]);
    expect(jobsOf.get('stopped')).toEqual([]);
    expect(jobsOf.get('silent')).toEqual([]);
  });

  it('keeps one waiting job per worker and due time, however many runs are queued', async () => {
    const dueAt = Date.now() + 60_000;
    await transaction(store, function* (tx) {
      for (let run = 0; run < 5; run += 1) yield* addClaimJobs(tx, Date.now());
      yield* addClaimJobs(tx, Date.now(), dueAt);
      yield* addClaimJobs(tx, Date.now(), dueAt);
    });
    const jobs = await waitingJobs('no-runner');
    expect(jobs.map((job) => job.key)).toEqual([
      claimTaskOf('no-runner'),
      `${claimTaskOf('no-runner')}@${dueAt}`,
    ]);
    expect(jobs[1]?.runAt).toBe(dueAt);
    // The runners' workers took their immediate job; the due one waits.
    await handed('live-a', 2);
    await handed('live-b', 2);
    expect(await waitingJobs('live-a')).toEqual([{ key: `${claimTaskOf('live-a')}@${dueAt}`, runAt: dueAt }]);
  });

  it('hands a job due later to its worker once it is due, not before', async () => {
    const dueAt = Date.now() + 1_500;
    await wake(dueAt);
    // Postgres and this process read one clock.
    expect(await handed('live-b', 3)).toBeGreaterThanOrEqual(dueAt);
  });

  it('drops the waiting jobs of stopped workers, and a stopped runner takes none', async () => {
    await removeClaimJobsOf(['no-runner']);
    expect(await waitingJobs('no-runner')).toEqual([]);

    const runner = runners.shift();
    await runner?.stop();
    const taken = jobsOf.get('live-a')?.length;
    const takenByB = jobsOf.get('live-b')?.length ?? 0;
    await wake();
    await handed('live-b', takenByB + 1);
    expect((await waitingJobs('live-a')).map((job) => job.key)).toContain(claimTaskOf('live-a'));
    expect(jobsOf.get('live-a')?.length).toBe(taken);
  });
});

const removeClaimJobsOf = (workerIds: string[]) => execute(store, removeClaimJobs(store, workerIds));
