import { randomBytes } from 'node:crypto';
import os from 'node:os';
import packageJson from '../../../package.json';
import type { Logger } from '../core/logger';
import type { Db } from '../db/index';
import {
  recordWorkerBeat,
  recordWorkerDraining,
  recordWorkerStop,
  registerWorker,
} from '../db/queries/workers';

/** How often the worker's row says it is alive (the Workers page takes 30 s without a beat for dead). */
const BEAT_INTERVAL_MS = 10_000;

/** The worker inside the web process: the engine runs its runs, under its id and labels. */
export interface LocalWorker {
  readonly id: string;
  readonly labels: readonly string[];
  /** Records that it drains (a stop signal came): it beats on until `stop`. */
  drain(): void;
  /** Stops the beat and records the stop. */
  stop(): void;
}

/** Registers this process's worker row and keeps it beating until `stop`. */
export function startLocalWorker(deps: { db: Db; labels: string[]; logger: Logger }): LocalWorker {
  const { db, labels, logger } = deps;
  const host = os.hostname();
  // Unique per start, so the history of one host's restarts stays apart.
  const id = `${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
  registerWorker(db, { id, host, labels, version: packageJson.version, startedAt: Date.now() });
  const beat = setInterval(() => {
    try {
      recordWorkerBeat(db, id, Date.now());
    } catch (err) {
      // Storage failing: the storage monitor says so; the next beat tries again.
      logger.warn({ err, workerId: id }, 'worker heartbeat could not be stored');
    }
  }, BEAT_INTERVAL_MS);
  beat.unref();
  logger.info({ workerId: id, labels }, 'worker registered');
  return {
    id,
    labels,
    drain() {
      try {
        recordWorkerDraining(db, id, Date.now());
      } catch (err) {
        logger.warn({ err, workerId: id }, 'worker drain could not be stored; it drains all the same');
      }
    },
    stop() {
      clearInterval(beat);
      try {
        recordWorkerStop(db, id, Date.now());
      } catch (err) {
        logger.warn({ err, workerId: id }, 'worker stop could not be stored; the Workers page shows it dead');
      }
    },
  };
}
