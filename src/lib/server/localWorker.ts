import { randomBytes } from 'node:crypto';
import packageJson from '../../../package.json';
import { thisHost } from '../config/host';
import { type HostVitals, workerIdOf, workerIdParts } from '../contracts/workers';
import type { Logger } from '../core/logger';
import { oneAtATime } from '../core/oneAtATime';
import { type Plan, transaction } from '../db/plan';
import { type ReapedWorker, reapDeadWorkers, rejoinWorker, WORKER_LEASE_MS } from '../db/queries/runClaims';
import {
  recordWorkerBeat,
  recordWorkerDraining,
  recordWorkerStop,
  registerWorker,
  unstoppedWorkersOn,
  type VitalsPoint,
} from '../db/queries/workers';
import type { Store } from '../db/store';

/**
 * How often the worker's row says it is alive (the Workers page takes 30 s without a beat for
 * dead), and looks for workers that stopped beating: one dead for the lease (20 s) is reaped
 * within a beat after, so its runs are settled within 25 s of its last beat.
 */
const BEAT_INTERVAL_MS = 5_000;

/**
 * A worker on a shared database that stored no beat for this long takes itself for dead, before
 * any reaper may (at the lease): it stops its runs, so a run a reaper requeues never runs on two
 * hosts at once. The 5 s left are for the kill and for the skew of the hosts' clocks.
 */
export const FENCE_AFTER_MS = WORKER_LEASE_MS - 5_000;

/**
 * A worker process silent this long (paused, frozen) while its agents run has them killed by its
 * spawn helper (claude/spawnHelper.ts), since it cannot fence itself. Its last stored beat may be a
 * beat and a write older than the moment it went silent, and the helper looks every 250 ms: the
 * agents are dead about 4 s before the earliest reap (its last beat + the lease).
 */
export const AGENTS_KILLED_AFTER_SILENCE_MS = FENCE_AFTER_MS - BEAT_INTERVAL_MS;

/** How often a worker compares its last stored beat with its fence. */
const FENCE_CHECK_MS = 1_000;

/** The worker inside the web process: the engine runs its runs, under its id and labels. */
export interface LocalWorker {
  readonly id: string;
  readonly labels: readonly string[];
  /** Records that it drains (a stop signal came): it beats on until `stop`. Never rejects. */
  drain(): Promise<void>;
  /** Stops the beat and records the stop. Never rejects. */
  stop(): Promise<void>;
}

export interface LocalWorkerOptions {
  store: Store;
  labels: string[];
  logger: Logger;
  beatIntervalMs?: number;
  /**
   * Whether the worker is listed and claims runs; a web node that leaves runs to worker hosts
   * (CLAUDEOPS_RUN_AGENTS=false) is not, and only reaps.
   */
  registered?: boolean;
  /** A run the reaper ended or queued again, in the transaction that does: to announce it. */
  onSettled?: (tx: Store, executionId: number) => Plan<unknown>;
  /** Workers were reaped: their runs parked for a person may be woken (see RunEngine.wakeAnswered). */
  onReaped?: (reaped: ReapedWorker[]) => void;
  /**
   * Other processes share the database and reap this worker when it stops beating (Postgres): what
   * it does when it takes itself for dead. Unset on the SQLite file, where nobody else reaps it.
   */
  fence?: WorkerFence;
  /** Its host's figures, read before each beat and stored with it (the Workers page shows them). */
  vitals?: () => Promise<HostVitals | null>;
}

export interface WorkerFence {
  /** Stops every run of this worker; resolves once their writes are done or failed. Never rejects. */
  onFenced(): Promise<void>;
  /** The worker is back in the books (its leftover runs settled): it may claim again. */
  onRejoined(): void;
}

/** Whether the worker `id` of this host is a process that is gone (its pid answers no signal). */
function goneHere(id: string, host: string): boolean {
  const parts = workerIdParts(id);
  if (!parts || parts.host !== host) return false;
  const { pid } = parts;
  if (pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: alive, another user's. A pid taken again by another process passes for alive: its lease decides.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Says once when the host's figures stop reaching its load chart, and once when they reach it
 * again: a storage fault would otherwise log at every beat, or (swallowed) not at all.
 */
function gapsInHistory(logger: Logger, workerId: string): (point: VitalsPoint) => void {
  let losing = false;
  return (point) => {
    if (!point.stored && point.error !== undefined) {
      if (!losing)
        logger.warn(
          { err: point.error, workerId },
          "this host's figures could not be stored: its load chart has a gap until they can",
        );
      losing = true;
    } else if (point.stored && losing) {
      losing = false;
      logger.info({ workerId }, "this host's figures reach its load chart again");
    }
  };
}

/**
 * Registers this process's worker row (a failure stops the start) and keeps it beating until
 * `stop`. Each beat also reaps the workers that stopped beating (any worker may: two at once
 * handle a dead one once); a worker whose own beat failed reaps nobody that time, as the store
 * that refused its beat would refuse the reap too.
 */
export async function startLocalWorker(options: LocalWorkerOptions): Promise<LocalWorker> {
  const {
    store,
    labels,
    logger,
    beatIntervalMs = BEAT_INTERVAL_MS,
    onReaped,
    onSettled,
    registered = true,
    fence,
    vitals,
  } = options;
  const host = thisHost();
  const id = workerIdOf(host, process.pid, randomBytes(4).toString('hex'));
  // A process of this host that was killed is known dead now: its runs need not wait for its lease.
  const goneWorkers = (await unstoppedWorkersOn(store, host)).filter((worker) => goneHere(worker, host));
  // Unregistered, its beats and its stop change no row.
  const startedAt = Date.now();
  if (registered) {
    const figures = (await vitals?.().catch(() => null)) ?? null;
    await registerWorker(store, {
      id,
      host,
      labels,
      version: packageJson.version,
      startedAt,
      vitals: figures,
    });
  }
  /** A write about the worker that may fail (storage failing: the storage monitor says so) without stopping it. */
  const record = (write: Promise<void>, failure: string) =>
    write.catch((err: unknown) => logger.warn({ err, workerId: id }, failure));
  const settled = (reaped: ReapedWorker[]) => {
    for (const dead of reaped)
      logger.warn({ ...dead, reapedBy: id }, 'a worker stopped beating: its runs are settled');
    if (reaped.length > 0) onReaped?.(reaped);
  };
  // Nothing in this process holds the dead worker's runs: the rows are all there is to settle.
  const reap = async (now: number, knownDead: readonly string[] = []) =>
    settled(await transaction(store, (tx) => reapDeadWorkers(tx, now, knownDead, onSettled)));
  if (goneWorkers.length > 0) await reap(Date.now(), goneWorkers);
  let stopped = false;
  /** The time the last beat the database stored was taken at. */
  let storedBeatAt = startedAt;
  /** While the worker takes itself for dead: its runs' hand-back, then its rejoining. */
  let fencing: Promise<void> | undefined;
  const takeItselfForDead = (why: string) => {
    if (!fence || fencing || stopped) return;
    logger.error(
      { workerId: id, lastStoredBeatAt: new Date(storedBeatAt).toISOString() },
      `${why}: this worker takes itself for dead and stops its runs, before another process may take them up`,
    );
    fencing = fence.onFenced();
  };
  /** Once its runs are stopped: what is still marked on it is settled, and it beats again. */
  const rejoin = async (now: number) => {
    await fencing;
    settled(await transaction(store, (tx) => rejoinWorker(tx, id, now, onSettled)));
    fencing = undefined;
    storedBeatAt = now;
    logger.info({ workerId: id }, 'the worker reaches the database again and claims runs again');
    fence?.onRejoined();
  };
  const notePoint = gapsInHistory(logger, id);
  // One beat at a time: a slow store must not pile beats (and reaps) up; none after `stop`.
  const beatOnce = oneAtATime(
    async () => {
      if (stopped) return;
      const now = Date.now();
      if (fencing) return rejoin(now);
      // Figures that cannot be read are left out: the beat is what must get through.
      const figures = registered ? await vitals?.().catch(() => undefined) : undefined;
      if (await recordWorkerBeat(store, id, now, figures, notePoint)) storedBeatAt = now;
      else if (registered) takeItselfForDead('another process took this worker for dead');
      await reap(now);
    },
    // The next beat tries again.
    (err) => logger.warn({ err, workerId: id }, 'worker heartbeat or reap could not be stored'),
  );
  const beat = setInterval(beatOnce, beatIntervalMs);
  beat.unref();
  // Apart from the beat, which may hang on a database out of reach.
  const fenceCheck =
    fence &&
    setInterval(() => {
      if (Date.now() - storedBeatAt > FENCE_AFTER_MS)
        takeItselfForDead(`no beat stored for ${FENCE_AFTER_MS / 1000} s`);
    }, FENCE_CHECK_MS);
  fenceCheck?.unref();
  if (registered) logger.info({ workerId: id, labels }, 'worker registered');
  else
    logger.info(
      { reaperId: id },
      'this process runs no agents (CLAUDEOPS_RUN_AGENTS=false); it reaps dead workers',
    );
  return {
    id,
    labels,
    drain: () =>
      record(
        recordWorkerDraining(store, id, Date.now()),
        'worker drain could not be stored; it drains all the same',
      ),
    stop() {
      stopped = true;
      clearInterval(beat);
      clearInterval(fenceCheck);
      return record(
        recordWorkerStop(store, id, Date.now()),
        'worker stop could not be stored; the Workers page shows it dead',
      );
    },
  };
}
