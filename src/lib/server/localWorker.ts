import { randomBytes } from 'node:crypto';
import os from 'node:os';
import packageJson from '../../../package.json';
import type { Logger } from '../core/logger';
import {
  recordWorkerBeat,
  recordWorkerDraining,
  recordWorkerStop,
  registerWorker,
} from '../db/queries/workers';
import type { Store } from '../db/store';

/** How often the worker's row says it is alive (the Workers page takes 30 s without a beat for dead). */
const BEAT_INTERVAL_MS = 10_000;

/** The worker inside the web process: the engine runs its runs, under its id and labels. */
export interface LocalWorker {
  readonly id: string;
  readonly labels: readonly string[];
  /** Records that it drains (a stop signal came): it beats on until `stop`. Never rejects. */
  drain(): Promise<void>;
  /** Stops the beat and records the stop. Never rejects. */
  stop(): Promise<void>;
}

/** Registers this process's worker row (a failure stops the start) and keeps it beating until `stop`. */
export async function startLocalWorker(deps: {
  store: Store;
  labels: string[];
  logger: Logger;
}): Promise<LocalWorker> {
  const { store, labels, logger } = deps;
  const host = os.hostname();
  // Unique per start, so the history of one host's restarts stays apart.
  const id = `${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
  await registerWorker(store, { id, host, labels, version: packageJson.version, startedAt: Date.now() });
  /** A write about the worker that may fail (storage failing: the storage monitor says so) without stopping it. */
  const record = (write: Promise<void>, failure: string) =>
    write.catch((err: unknown) => logger.warn({ err, workerId: id }, failure));
  const beat = setInterval(() => {
    // The next beat tries again.
    void record(recordWorkerBeat(store, id, Date.now()), 'worker heartbeat could not be stored');
  }, BEAT_INTERVAL_MS);
  beat.unref();
  logger.info({ workerId: id, labels }, 'worker registered');
  return {
    id,
    labels,
    drain: () =>
      record(
        recordWorkerDraining(store, id, Date.now()),
        'worker drain could not be stored; it drains all the same',
      ),
    stop() {
      clearInterval(beat);
      return record(
        recordWorkerStop(store, id, Date.now()),
        'worker stop could not be stored; the Workers page shows it dead',
      );
    },
  };
}
