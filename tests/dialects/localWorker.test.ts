import { spawn } from 'node:child_process';
import os from 'node:os';
import { count, eq, type SQL, sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { HostVitals } from '../../src/lib/contracts/workers';
import { execute, sqlChangesOf, transaction } from '../../src/lib/db/plan';
import { openPostgres } from '../../src/lib/db/postgres';
import { reapDeadWorkers, WORKER_LEASE_MS } from '../../src/lib/db/queries/runClaims';
import { recordWorkerBeat, registerWorker } from '../../src/lib/db/queries/workers';
import type { Store } from '../../src/lib/db/store';
import {
  FENCE_AFTER_MS,
  type LocalWorker,
  startLocalWorker,
  type WorkerFence,
} from '../../src/lib/server/localWorker';
import { capturingLogger } from '../helpers/logCapture';
import {
  anotherPostgresPool,
  describeOnEachDialect,
  describeOnPostgres,
  emptyTables,
  insertAgent,
  insertRun,
  postgresUrlOf,
} from '../helpers/stores';
import { startTcpProxy } from '../helpers/tcpProxy';

/** Beats this often here, so a test waits milliseconds for what takes 10 s in the product. */
const BEAT_MS = 25;

/** A worker of another process that last beat `silentMs` ago and never again. */
async function silentWorker(store: Store, id: string, silentMs: number): Promise<void> {
  const lastBeatAt = Date.now() - silentMs;
  await registerWorker(store, {
    id,
    host: 'gone',
    labels: [],
    version: '0.1.0',
    startedAt: lastBeatAt - 60_000,
  });
  await recordWorkerBeat(store, id, lastBeatAt);
}

async function runOf({ db, t }: Store, id: number) {
  const [row] = await db.select().from(t.executions).where(eq(t.executions.id, id));
  if (!row) throw new Error(`no run ${id}`);
  return row;
}

async function workerOf({ db, t }: Store, id: string) {
  const [row] = await db.select().from(t.workers).where(eq(t.workers.id, id));
  if (!row) throw new Error(`no worker ${id}`);
  return row;
}

async function attemptsOf({ db, t }: Store, executionId: number) {
  return db.select().from(t.executionAttempts).where(eq(t.executionAttempts.executionId, executionId));
}

function clearAll(store: () => Store) {
  beforeEach(() =>
    emptyTables(store(), (t) => [t.executionAttempts, t.executions, t.workers, t.agentConfigurations]),
  );
}

/** Workers started by a test, stopped after it. */
function startedWorkers() {
  const started: LocalWorker[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((worker) => worker.stop()));
  });
  return (store: Store, fence?: WorkerFence, vitals?: () => Promise<HostVitals>) => {
    const logged = capturingLogger();
    const worker = startLocalWorker({
      store,
      labels: [],
      logger: logged.logger,
      beatIntervalMs: BEAT_MS,
      ...(fence && { fence }),
      ...(vitals && { vitals }),
    });
    return worker.then((running) => {
      started.push(running);
      return { worker: running, records: logged.records };
    });
  };
}

describeOnEachDialect('a process worker reaping the dead', (store) => {
  clearAll(store);
  const start = startedWorkers();

  it("settles a worker's runs once it stops beating: retried while the agent's retries allow, else interrupted", async () => {
    const retried = await insertAgent(store(), 'retried', { runRetries: 1 });
    const once = await insertAgent(store(), 'once', { runRetries: 0 });
    await silentWorker(store(), 'gone-1', WORKER_LEASE_MS + 1_000);
    const requeued = await insertRun(store(), retried, {
      workerId: 'gone-1',
      attempt: 1,
      startedAt: Date.now() - 30_000,
    });
    const ended = await insertRun(store(), once, {
      workerId: 'gone-1',
      attempt: 1,
      startedAt: Date.now() - 30_000,
    });
    // A worker silent for less than the lease keeps its run.
    await silentWorker(store(), 'late', WORKER_LEASE_MS - 5_000);
    const kept = await insertRun(store(), once, { workerId: 'late' });

    const { worker, records } = await start(store());
    await vi.waitFor(async () => expect((await workerOf(store(), 'gone-1')).stoppedAt).not.toBeNull());

    expect(await runOf(store(), requeued)).toMatchObject({ status: 'queued', workerId: null });
    expect(await attemptsOf(store(), requeued)).toMatchObject([{ attempt: 1, status: 'interrupted' }]);
    const interrupted = await runOf(store(), ended);
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.errorMessage).toMatch(/^Worker gone-1 stopped beating during the run; last beat at /);
    expect(await runOf(store(), kept)).toMatchObject({ status: 'running', workerId: 'late' });
    expect((await workerOf(store(), 'late')).stoppedAt).toBeNull();
    // The reaping worker itself beats on, and says what it did.
    expect((await workerOf(store(), worker.id)).stoppedAt).toBeNull();
    expect(records()).toContainEqual(
      expect.objectContaining({
        msg: 'a worker stopped beating: its runs are settled',
        workerId: 'gone-1',
        reapedBy: worker.id,
        requeued: [requeued],
        interrupted: [ended],
      }),
    );
  });

  it('settles at once, at its start, the runs of a process of this host that is gone (a killed server), and not those of one alive', async () => {
    const host = os.hostname();
    const agentId = await insertAgent(store(), 'once', { runRetries: 0 });
    // A pid that was, and is no more.
    const gonePid = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '0']);
      child.once('exit', () => resolve(child.pid ?? 0));
    });
    const gone = `${host}-${gonePid}-0badf00d`;
    const alive = `${host}-${process.ppid}-0c0ffee0`;
    for (const id of [gone, alive]) {
      await registerWorker(store(), {
        id,
        host,
        labels: [],
        version: '0.1.0',
        startedAt: Date.now() - 1_000,
      });
      await recordWorkerBeat(store(), id, Date.now());
    }
    const ended = await insertRun(store(), agentId, { workerId: gone, attempt: 1, startedAt: Date.now() });
    const kept = await insertRun(store(), agentId, { workerId: alive, attempt: 1 });

    await start(store());
    // Within its lease, and settled by the start itself, not a later beat.
    expect((await runOf(store(), ended)).status).toBe('interrupted');
    expect((await workerOf(store(), gone)).stoppedAt).not.toBeNull();
    expect(await runOf(store(), kept)).toMatchObject({ status: 'running', workerId: alive });
  });

  it('beats on, and reaps a worker that dies after it started', async () => {
    const { worker } = await start(store());
    const first = (await workerOf(store(), worker.id)).lastBeatAt;
    await vi.waitFor(async () =>
      expect((await workerOf(store(), worker.id)).lastBeatAt).toBeGreaterThan(first),
    );
    await silentWorker(store(), 'gone-2', WORKER_LEASE_MS + 1_000);
    await vi.waitFor(async () => expect((await workerOf(store(), 'gone-2')).stoppedAt).not.toBeNull());
  });
});

describeOnPostgres('workers of two processes reaping the same dead one', (store) => {
  clearAll(store);
  const start = startedWorkers();

  it('settle each of its runs once', async () => {
    const other = await anotherPostgresPool(store());
    try {
      const agentId = await insertAgent(store(), 'retried', { runRetries: 3 });
      await silentWorker(store(), 'gone-3', WORKER_LEASE_MS + 1_000);
      const runs = await Promise.all(
        Array.from({ length: 5 }, () => insertRun(store(), agentId, { workerId: 'gone-3', attempt: 1 })),
      );
      const [a, b] = await Promise.all([start(store()), start(other.store)]);
      await vi.waitFor(async () => expect((await workerOf(store(), 'gone-3')).stoppedAt).not.toBeNull());

      for (const run of runs) {
        expect(await runOf(store(), run)).toMatchObject({ status: 'queued', workerId: null });
        expect(await attemptsOf(store(), run)).toHaveLength(1);
      }
      const reapings = [...a.records(), ...b.records()].filter((record) => record.workerId === 'gone-3');
      expect(reapings).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});

/** A fence that records when the worker took itself for dead and when it came back. */
function recordedFence() {
  const times = { fencedAt: 0, rejoinedAt: 0 };
  const fence: WorkerFence = {
    onFenced: async () => {
      times.fencedAt = Date.now();
    },
    onRejoined: () => {
      times.rejoinedAt = Date.now();
    },
  };
  return { fence, times };
}

describeOnEachDialect('a worker another process took for dead', (store) => {
  clearAll(store);
  const start = startedWorkers();

  it('stops its runs at its next beat, then comes back under its id and claims again', async () => {
    const { fence, times } = recordedFence();
    const { worker, records } = await start(store(), fence);
    // Paused past its lease (a stopped VM, a laptop lid): another process reaped it meanwhile.
    await transaction(store(), (tx) => reapDeadWorkers(tx, Date.now(), [worker.id]));
    await vi.waitFor(() => expect(times.rejoinedAt).toBeGreaterThan(0));
    expect(times.fencedAt).toBeGreaterThan(0);
    expect(times.fencedAt).toBeLessThanOrEqual(times.rejoinedAt);
    expect((await workerOf(store(), worker.id)).stoppedAt).toBeNull();
    expect(records().map((record) => record.msg)).toEqual(
      expect.arrayContaining([
        'another process took this worker for dead: this worker takes itself for dead and stops its runs, before another process may take them up',
        'the worker reaches the database again and claims runs again',
      ]),
    );
  });
});

describeOnPostgres('a worker cut off from its database', (store) => {
  clearAll(store);
  const start = startedWorkers();

  // What it bounds is the fence, checked inside; the whole may take longer on a loaded machine: the pool
  // waits up to 10 s for a connection at each step after the link is back.
  it('takes itself for dead before its lease ends, and once back settles what it left and claims again', async () => {
    const url = new URL(postgresUrlOf(store()));
    const proxy = await startTcpProxy(Number(url.port));
    url.port = String(proxy.port);
    const proxied = await openPostgres(url.toString(), { maxConnections: 2 });
    const { fence, times } = recordedFence();
    const { worker, records } = await start(proxied.store, fence);
    try {
      const agentId = await insertAgent(store(), 'retried', { runRetries: 1 });
      // A run of its own whose hand-back will not reach the database.
      const stranded = await insertRun(store(), agentId, {
        workerId: worker.id,
        attempt: 1,
        startedAt: Date.now(),
      });

      proxy.cut();
      await vi.waitFor(() => expect(times.fencedAt).toBeGreaterThan(0), {
        timeout: WORKER_LEASE_MS + 5_000,
        interval: 100,
      });
      const lastBeatAt = (await workerOf(store(), worker.id)).lastBeatAt;
      const fenceRecord = records().find((record) => typeof record.lastStoredBeatAt === 'string');
      const lastHeardBeatAt = Date.parse(String(fenceRecord?.lastStoredBeatAt));
      // A beat in flight at the cut may be stored without the worker hearing so: it reckons from
      // the last beat it heard was stored, never a later one than the database has.
      expect(lastHeardBeatAt).toBeLessThanOrEqual(lastBeatAt);
      expect(times.fencedAt - lastHeardBeatAt).toBeGreaterThanOrEqual(FENCE_AFTER_MS);
      // And before any reaper, reckoning from the database's last beat, may take its runs up.
      expect(times.fencedAt - lastBeatAt).toBeLessThan(WORKER_LEASE_MS);
      expect(await runOf(store(), stranded)).toMatchObject({ status: 'running', workerId: worker.id });

      proxy.mend();
      await vi.waitFor(() => expect(times.rejoinedAt).toBeGreaterThan(0), { timeout: 10_000, interval: 100 });
      // Its run is settled as a dead worker's (queued again: its agent retries once), and it beats again.
      expect(await runOf(store(), stranded)).toMatchObject({ status: 'queued', workerId: null });
      expect(await attemptsOf(store(), stranded)).toMatchObject([{ attempt: 1, status: 'interrupted' }]);
      expect((await workerOf(store(), worker.id)).stoppedAt).toBeNull();
    } finally {
      await worker.stop();
      await proxied.close();
      await proxy.close();
    }
  }, 120_000);
});

describeOnEachDialect('a worker whose host figures cannot be stored', (store) => {
  beforeEach(() => emptyTables(store(), (t) => [t.workerVitals, t.workers]));
  const start = startedWorkers();
  const run = (query: SQL) => execute(store(), sqlChangesOf(store(), query));
  const pointsOf = async (workerId: string) =>
    (
      await store()
        .db.select({ n: count() })
        .from(store().t.workerVitals)
        .where(eq(store().t.workerVitals.workerId, workerId))
    )[0]?.n ?? 0;
  const GAP = "this host's figures could not be stored: its load chart has a gap until they can";
  const AGAIN = "this host's figures reach its load chart again";

  it('beats on, says once that its load chart has a gap, and once that the figures reach it again', async () => {
    const vitals = async (): Promise<HostVitals> => ({
      cpuBusy: 0.5,
      cores: 2,
      load1: 1,
      memoryUsedBytes: 1,
      memoryTotalBytes: 2,
      diskAvailableBytes: 1,
      diskSizeBytes: 2,
      diskUsedBytes: 1,
    });
    const { worker, records } = await start(store(), undefined, vitals);
    const said = (msg: string) => records().filter((record) => record.msg === msg).length;
    await vi.waitFor(async () => expect(await pointsOf(worker.id)).toBeGreaterThan(0));

    // The history table gone from under it (a failing write, for real): the beats still count.
    await run(sql.raw('alter table worker_vitals rename to worker_vitals_away'));
    try {
      await vi.waitFor(() => expect(said(GAP)).toBe(1));
      const beatAt = (await workerOf(store(), worker.id)).lastBeatAt;
      await vi.waitFor(async () =>
        expect((await workerOf(store(), worker.id)).lastBeatAt).toBeGreaterThan(beatAt + 4 * BEAT_MS),
      );
    } finally {
      await run(sql.raw('alter table worker_vitals_away rename to worker_vitals'));
    }
    expect(said(GAP)).toBe(1);
    const before = await pointsOf(worker.id);
    await vi.waitFor(() => expect(said(AGAIN)).toBe(1));
    await vi.waitFor(async () => expect(await pointsOf(worker.id)).toBeGreaterThan(before));
    expect(said(GAP)).toBe(1);
  });
});
