import { and, count, eq, sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { execute, transaction } from '../../src/lib/db/plan';
import { releaseClaim } from '../../src/lib/db/queries/executions';
import {
  type ClaimingWorker,
  claimRun,
  reapDeadWorkers,
  rejoinWorker,
  WORKER_LEASE_MS,
  workerWaitReason,
} from '../../src/lib/db/queries/runClaims';
import { getRunPosition } from '../../src/lib/db/queries/runPositions';
import { updateAppSettings } from '../../src/lib/db/queries/settings';
import { recordWorkerBeat, recordWorkerDraining, registerWorker } from '../../src/lib/db/queries/workers';
import type { Store } from '../../src/lib/db/store';
import {
  anotherPostgresPool,
  describeOnEachDialect,
  describeOnPostgres,
  emptyTables,
  insertAgent,
  insertRun,
  openPostgresTransaction,
} from '../helpers/stores';

const NOW = 1_800_000_000_000;

async function worker(store: Store, id: string, labels: string[], lastBeatAt = NOW): Promise<ClaimingWorker> {
  await registerWorker(store, { id, host: 'box', labels, version: '0.1.0', startedAt: lastBeatAt - 1000 });
  await recordWorkerBeat(store, id, lastBeatAt);
  return { id, labels };
}

const queued = (store: Store, agentId: number) => insertRun(store, agentId, { status: 'queued' });
const claim = (store: Store, w: ClaimingWorker, now = NOW) =>
  transaction(store, (tx) => claimRun(tx, w, () => now));
const reap = (store: Store, now: number, knownDead: string[] = [], announced: number[] = []) =>
  transaction(store, (tx) =>
    reapDeadWorkers(tx, now, knownDead, function* (inTx, executionId) {
      // Read in the reap's transaction: the run is already ended there.
      const position = yield* getRunPosition(inTx, executionId);
      if (position?.status === 'interrupted') announced.push(executionId);
    }),
  );
const setGlobalLimit = (store: Store, maxConcurrentRuns: number) =>
  transaction(store, (tx) => updateAppSettings(tx, { maxConcurrentRuns }));

async function runRow(store: Store, id: number) {
  const { db, t } = store;
  const [row] = await db.select().from(t.executions).where(eq(t.executions.id, id));
  if (!row) throw new Error(`no run ${id}`);
  return row;
}

async function countRunning({ db, t }: Store, agentId?: number): Promise<number> {
  const e = t.executions;
  const rows = await db
    .select({ id: e.id })
    .from(e)
    .where(and(eq(e.status, 'running'), agentId === undefined ? undefined : eq(e.agentId, agentId)));
  return rows.length;
}

function clearAll(store: () => Store) {
  beforeEach(() =>
    emptyTables(store(), (t) => [
      t.executionAttempts,
      t.executions,
      t.workers,
      t.agentConfigurations,
      t.appSettings,
    ]),
  );
}

describeOnEachDialect('run claims', (store) => {
  clearAll(store);

  it('routes a run only to a worker carrying every label its agent requires, and says why it waits', async () => {
    await setGlobalLimit(store(), 10);
    const agentId = await insertAgent(store(), 'gpu-agent', {
      requiredLabels: ['gpu', 'repo-a'],
      maxConcurrentRuns: 5,
    });
    const runId = await queued(store(), agentId);
    const plain = await worker(store(), 'plain', ['repo-a']);

    expect(await claim(store(), plain)).toBeNull();
    expect((await runRow(store(), runId)).status).toBe('queued');
    expect(await transaction(store(), (tx) => workerWaitReason(tx, ['gpu', 'repo-a'], NOW))).toBe(
      'waiting for a worker with labels gpu, repo-a',
    );

    const gpu = await worker(store(), 'gpu', ['repo-a', 'gpu', 'extra']);
    expect(await transaction(store(), (tx) => workerWaitReason(tx, ['gpu', 'repo-a'], NOW))).toBeNull();
    expect(await claim(store(), gpu, NOW + 5)).toEqual({ executionId: runId, agentId, attempt: 1 });
    expect(await runRow(store(), runId)).toMatchObject({
      status: 'running',
      workerId: 'gpu',
      startedAt: NOW + 5,
    });
  });

  it('a worker that stopped beating, stopped or drains neither claims nor counts as a worker a run waits for', async () => {
    await setGlobalLimit(store(), 10);
    const agentId = await insertAgent(store(), 'a', { requiredLabels: ['gpu'] });
    const runId = await queued(store(), agentId);
    const silent = await worker(store(), 'silent', ['gpu'], NOW - WORKER_LEASE_MS - 1);
    const draining = await worker(store(), 'draining', ['gpu']);
    await recordWorkerDraining(store(), 'draining', NOW);

    expect(await claim(store(), silent)).toBeNull();
    expect(await claim(store(), draining)).toBeNull();
    expect(await transaction(store(), (tx) => workerWaitReason(tx, ['gpu'], NOW))).toBe(
      'waiting for a worker with labels gpu',
    );
    expect((await runRow(store(), runId)).status).toBe('queued');
  });

  it('takes the oldest queued run first, skipping agents at their limit and runs not yet due', async () => {
    await setGlobalLimit(store(), 10);
    const one = await insertAgent(store(), 'one', { maxConcurrentRuns: 1 });
    const two = await insertAgent(store(), 'two', { maxConcurrentRuns: 2 });
    const a1 = await queued(store(), one);
    const a2 = await queued(store(), one);
    const notDue = await insertRun(store(), two, { status: 'queued', nextAttemptAt: NOW + 60_000 });
    const b1 = await queued(store(), two);
    const b2 = await queued(store(), two);
    const b3 = await queued(store(), two);
    const w = await worker(store(), 'w', []);

    const order: (number | undefined)[] = [];
    for (let i = 0; i < 4; i += 1) order.push((await claim(store(), w))?.executionId);
    // one's limit 1 holds a2 back; two's limit 2 holds b3; notDue waits for its time.
    expect(order).toEqual([a1, b1, b2, undefined]);
    expect(await countRunning(store(), one)).toBe(1);
    expect(await countRunning(store(), two)).toBe(2);
    expect((await runRow(store(), a2)).status).toBe('queued');
    expect((await runRow(store(), b3)).status).toBe('queued');

    // A run of `one` ends: its next run takes the slot.
    await store()
      .db.update(store().t.executions)
      .set({ status: 'completed' })
      .where(eq(store().t.executions.id, a1));
    expect((await claim(store(), w))?.executionId).toBe(a2);
    expect((await claim(store(), w, NOW + 60_000))?.executionId).toBeUndefined();
    expect((await runRow(store(), notDue)).status).toBe('queued');
  });

  it('holds the global limit over the runs of every worker', async () => {
    await setGlobalLimit(store(), 2);
    const agentId = await insertAgent(store(), 'a', { maxConcurrentRuns: 10 });
    for (let i = 0; i < 4; i += 1) await queued(store(), agentId);
    const first = await worker(store(), 'first', []);
    const second = await worker(store(), 'second', []);

    expect(await claim(store(), first)).not.toBeNull();
    expect(await claim(store(), second)).not.toBeNull();
    expect(await claim(store(), second)).toBeNull();
    expect(await claim(store(), first)).toBeNull();
    expect(await countRunning(store())).toBe(2);
  });

  it("ends a dead worker's runs interrupted or queues them again per the retry policy, once, and leaves a live worker's alone", async () => {
    await setGlobalLimit(store(), 10);
    const noRetries = await insertAgent(store(), 'no-retries', { runRetries: 0, maxConcurrentRuns: 5 });
    const retries = await insertAgent(store(), 'retries', { runRetries: 1, maxConcurrentRuns: 5 });
    const dead = await worker(store(), 'dead', []);
    const live = await worker(store(), 'live', []);
    const ends = await queued(store(), noRetries);
    const retried = await queued(store(), retries);
    const liveRun = await queued(store(), noRetries);
    expect((await claim(store(), dead))?.executionId).toBe(ends);
    expect((await claim(store(), dead))?.executionId).toBe(retried);
    expect((await claim(store(), live))?.executionId).toBe(liveRun);

    // The live worker beats on; the dead one's last beat was at NOW.
    const later = NOW + WORKER_LEASE_MS + 1;
    await recordWorkerBeat(store(), 'live', later);
    // Silent for the lease itself, it is not dead yet.
    expect(await reap(store(), NOW + WORKER_LEASE_MS)).toEqual([]);

    expect(await reap(store(), later)).toEqual([
      { workerId: 'dead', lastBeatAt: NOW, interrupted: [ends], requeued: [retried], parked: [] },
    ]);
    expect(await reap(store(), later)).toEqual([]);

    const message = `Worker dead stopped beating during the run; last beat at ${new Date(NOW).toISOString()}`;
    expect(await runRow(store(), ends)).toMatchObject({
      status: 'interrupted',
      errorMessage: message,
      finishedAt: NOW,
    });
    expect(await runRow(store(), retried)).toMatchObject({
      status: 'queued',
      workerId: null,
      errorMessage: message,
    });
    expect(await runRow(store(), liveRun)).toMatchObject({ status: 'running', workerId: 'live' });
    const { db, t } = store();
    expect(await db.select().from(t.executionAttempts)).toMatchObject([
      { executionId: retried, attempt: 1, status: 'interrupted', errorMessage: message },
    ]);
    // A reaped worker is stopped: its beat is refused (it must take itself for dead), it claims nothing.
    expect(await recordWorkerBeat(store(), 'dead', later)).toBe(false);
    expect(await claim(store(), dead, NOW)).toBeNull();

    // The live worker takes the requeued run as its second attempt; dying again uses up the retry.
    expect(await claim(store(), live, later)).toEqual({ executionId: retried, agentId: retries, attempt: 2 });
    const afterLive = later + WORKER_LEASE_MS + 1;
    expect(await reap(store(), afterLive)).toEqual([
      { workerId: 'live', lastBeatAt: later, interrupted: [retried, liveRun], requeued: [], parked: [] },
    ]);
    expect((await runRow(store(), retried)).status).toBe('interrupted');
  });
});

describeOnEachDialect('reaping workers known dead, and their runs that wait for a person', (store) => {
  clearAll(store);

  it('reaps a worker known dead before its lease ends, parks its runs that waited for a person with their process, and leaves the others alone', async () => {
    await setGlobalLimit(store(), 10);
    const agentId = await insertAgent(store(), 'a', { runRetries: 0, maxConcurrentRuns: 5 });
    const gone = await worker(store(), 'gone', []);
    await worker(store(), 'beating', []);
    const running = await queued(store(), agentId);
    const asking = await queued(store(), agentId);
    expect((await claim(store(), gone))?.executionId).toBe(running);
    expect((await claim(store(), gone))?.executionId).toBe(asking);
    const { db, t } = store();
    await db.update(t.executions).set({ status: 'awaiting_approval' }).where(eq(t.executions.id, asking));

    // Within the lease: nobody is reaped unless known dead.
    expect(await reap(store(), NOW + 1_000)).toEqual([]);
    const announced: number[] = [];
    expect(await reap(store(), NOW + 1_000, ['gone'], announced)).toEqual([
      { workerId: 'gone', lastBeatAt: NOW, interrupted: [running], requeued: [], parked: [asking] },
    ]);
    // The run it ended is announced in the reap's transaction; the parked one is not over.
    expect(announced).toEqual([running]);
    expect(await runRow(store(), asking)).toMatchObject({ status: 'awaiting_approval', workerId: null });
    expect((await runRow(store(), running)).status).toBe('interrupted');
    expect(await reap(store(), NOW + 1_000, ['gone'])).toEqual([]);
    const [beating] = await db.select().from(t.workers).where(eq(t.workers.id, 'beating'));
    expect(beating?.stoppedAt).toBeNull();
  });
});

describeOnEachDialect('a worker that took itself for dead, back in the books', (store) => {
  clearAll(store);

  it('settles the runs still marked on it as a dead worker’s, then beats and claims again', async () => {
    await setGlobalLimit(store(), 10);
    const agentId = await insertAgent(store(), 'a', { runRetries: 1, maxConcurrentRuns: 5 });
    const cutOff = await worker(store(), 'cut-off', []);
    const stranded = await queued(store(), agentId);
    expect((await claim(store(), cutOff))?.executionId).toBe(stranded);

    // Its hand-back never reached the database, and no reaper came by: it settles its own run.
    const back = NOW + 16_000;
    expect(await transaction(store(), (tx) => rejoinWorker(tx, 'cut-off', back))).toEqual([
      { workerId: 'cut-off', lastBeatAt: NOW, interrupted: [], requeued: [stranded], parked: [] },
    ]);
    expect(await runRow(store(), stranded)).toMatchObject({ status: 'queued', workerId: null });
    expect(await recordWorkerBeat(store(), 'cut-off', back + 1)).toBe(true);
    expect(await claim(store(), cutOff, back + 1)).toEqual({ executionId: stranded, agentId, attempt: 2 });

    // Reaped by another process meanwhile: nothing is left to settle, and it comes back all the same.
    expect(await reap(store(), back + 1 + WORKER_LEASE_MS + 1)).toMatchObject([
      { workerId: 'cut-off', interrupted: [stranded] },
    ]);
    expect(await recordWorkerBeat(store(), 'cut-off', back + 30_000)).toBe(false);
    expect(await transaction(store(), (tx) => rejoinWorker(tx, 'cut-off', back + 30_000))).toEqual([]);
    expect(await recordWorkerBeat(store(), 'cut-off', back + 30_001)).toBe(true);
  });
});

describeOnEachDialect('a claim its worker could not start', (store) => {
  clearAll(store);

  it('goes back to the queue for any worker, and only its own worker may give it back', async () => {
    await setGlobalLimit(store(), 10);
    const agentId = await insertAgent(store(), 'a', { maxConcurrentRuns: 5 });
    const first = await worker(store(), 'first', []);
    const second = await worker(store(), 'second', []);
    const run = await queued(store(), agentId);
    expect((await claim(store(), first))?.executionId).toBe(run);

    await transaction(store(), (tx) => releaseClaim(tx, run, 'second'));
    expect(await runRow(store(), run)).toMatchObject({ status: 'running', workerId: 'first' });
    await transaction(store(), (tx) => releaseClaim(tx, run, 'first'));
    expect(await runRow(store(), run)).toMatchObject({ status: 'queued', workerId: null });
    expect((await claim(store(), second))?.executionId).toBe(run);
  });
});

describeOnPostgres('run claims under concurrency', (store) => {
  clearAll(store);

  it('4 claimers on their own pools run 40 runs at global limit 4: each once, on a worker with its labels, never more than 4 at once', async () => {
    await setGlobalLimit(store(), 4);
    const gpuAgent = await insertAgent(store(), 'gpu', { requiredLabels: ['gpu'], maxConcurrentRuns: 3 });
    const repoAgent = await insertAgent(store(), 'repo', {
      requiredLabels: ['repo-a'],
      maxConcurrentRuns: 3,
    });
    const required = new Map([
      [gpuAgent, 'gpu'],
      [repoAgent, 'repo-a'],
    ]);
    const runAgent = new Map<number, number>();
    for (let i = 0; i < 20; i += 1) {
      runAgent.set(await queued(store(), gpuAgent), gpuAgent);
      runAgent.set(await queued(store(), repoAgent), repoAgent);
    }
    const workers = [
      await worker(store(), 'gpu-1', ['gpu']),
      await worker(store(), 'gpu-2', ['gpu', 'other']),
      await worker(store(), 'repo-1', ['repo-a']),
      await worker(store(), 'repo-2', ['repo-a']),
    ];
    const pools: Awaited<ReturnType<typeof anotherPostgresPool>>[] = [];
    for (let i = 0; i < workers.length; i += 1) pools.push(await anotherPostgresPool(store()));

    const claims: { executionId: number; workerId: string; labels: readonly string[] }[] = [];
    let mostRunning = 0;
    let mostPerAgent = 0;
    const claimer = async (own: Store, w: ClaimingWorker) => {
      for (;;) {
        const claimed = await claim(own, w);
        if (!claimed) {
          const mine = [...runAgent].filter(([, agent]) => w.labels.includes(required.get(agent) ?? ''));
          const queuedIds = await own.db
            .select({ id: own.t.executions.id })
            .from(own.t.executions)
            .where(eq(own.t.executions.status, 'queued'));
          if (!queuedIds.some((row) => mine.some(([id]) => id === row.id))) return;
          await new Promise((resolve) => setTimeout(resolve, 1));
          continue;
        }
        claims.push({ executionId: claimed.executionId, workerId: w.id, labels: w.labels });
        mostRunning = Math.max(mostRunning, await countRunning(own));
        mostPerAgent = Math.max(mostPerAgent, await countRunning(own, claimed.agentId));
        await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 5));
        await own.db
          .update(own.t.executions)
          .set({ status: 'completed' })
          .where(eq(own.t.executions.id, claimed.executionId));
      }
    };
    try {
      await Promise.all(workers.map((w, i) => claimer((pools[i] as (typeof pools)[number]).store, w)));
    } finally {
      for (const pool of pools) await pool.close();
    }

    expect(claims).toHaveLength(40);
    expect(new Set(claims.map((c) => c.executionId)).size).toBe(40);
    for (const c of claims) expect(c.labels).toContain(required.get(runAgent.get(c.executionId) ?? -1));
    expect(mostRunning).toBeLessThanOrEqual(4);
    expect(mostRunning).toBeGreaterThan(1);
    expect(mostPerAgent).toBeLessThanOrEqual(3);
    for (const w of workers) expect(claims.filter((c) => c.workerId === w.id).length).toBeGreaterThan(0);
    expect(await countRunning(store())).toBe(0);
  });

  it('a claim by a worker that a reaper holds waits for it, then starts nothing on the reaped worker', async () => {
    await setGlobalLimit(store(), 10);
    const agentId = await insertAgent(store(), 'a', { maxConcurrentRuns: 10 });
    const dead = await worker(store(), 'dead', []);
    const runId = await queued(store(), agentId);
    const other = await anotherPostgresPool(store());
    try {
      const { claimed } = await openPostgresTransaction(store(), async (tx) => {
        await execute(tx, reapDeadWorkers(tx, NOW + WORKER_LEASE_MS + 1));
        // The worker's clock says its lease still holds: only the row lock can stop it.
        const claimed = claim(other.store, dead, NOW);
        let settled = false;
        const settle = () => {
          settled = true;
        };
        claimed.then(settle, settle);
        // It waits for the reaper's row lock (or, were there none, claims at once).
        await waitForLockWait(store(), () => settled);
        // Wrapped: returned bare, the transaction would wait for the claim that waits for it.
        return { claimed };
      });
      expect(await claimed).toBeNull();
    } finally {
      await other.close();
    }
    expect((await runRow(store(), runId)).status).toBe('queued');
  });

  it("two reapers at once handle a dead worker's runs once", async () => {
    await setGlobalLimit(store(), 20);
    const agentId = await insertAgent(store(), 'a', { runRetries: 1, maxConcurrentRuns: 20 });
    const dead = await worker(store(), 'dead', []);
    const deadLater = await worker(store(), 'dead-later', [], NOW + 10_000);
    for (let i = 0; i < 12; i += 1) await queued(store(), agentId);
    for (let i = 0; i < 6; i += 1) await claim(store(), dead);
    for (let i = 0; i < 6; i += 1) await claim(store(), deadLater, NOW + 10_000);
    const other = await anotherPostgresPool(store());
    try {
      // One reaper holds the dead worker in its open transaction: the other skips it, not waits.
      const later = NOW + WORKER_LEASE_MS + 1;
      const { first, second } = await openPostgresTransaction(store(), async (tx) => {
        const first = await execute(tx, reapDeadWorkers(tx, later));
        const second = await reap(other.store, later);
        return { first, second };
      });
      expect(first.map((w) => [w.workerId, w.requeued.length])).toEqual([['dead', 6]]);
      expect(second).toEqual([]);
      // Both at once on the other dead worker: its runs are handled by one of them, once.
      const both = await Promise.all([reap(store(), later + 10_000), reap(other.store, later + 10_000)]);
      expect(both.flat().map((w) => [w.workerId, w.requeued.length])).toEqual([['dead-later', 6]]);
    } finally {
      await other.close();
    }
    const { db, t } = store();
    const attempts = await db.select().from(t.executionAttempts);
    expect(attempts).toHaveLength(12);
    expect(new Set(attempts.map((a) => a.executionId)).size).toBe(12);
    expect(await countRunning(store())).toBe(0);
  });
});

/** Until some session of the database waits for a lock another holds (pg_locks), polled, or `giveUp`. */
async function waitForLockWait({ db }: Store, giveUp: () => boolean): Promise<void> {
  while (!giveUp()) {
    const [waiting] = await db.select({ n: count() }).from(sql`pg_locks`).where(sql`not granted`);
    if (waiting && waiting.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
