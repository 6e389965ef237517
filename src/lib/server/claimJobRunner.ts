import type { Logger as GraphileLogger } from 'graphile-worker';
import type { Logger } from '../core/logger';
import { newPostgresPool } from '../db/postgres';
import { claimTaskOf } from '../db/queries/claimJobs';
import { CLAIM_POLL_MS } from '../engine/claimer';

// A worker's side of the shared queue's wake-ups (queries/claimJobs.ts): graphile-worker's runner,
// which LISTENs for new jobs, polls for due ones, and hands this worker's claim jobs to `onJob`.
// docs/scaling.md#the-wake-ups-graphile-worker.

export interface ClaimJobRunner {
  /** Takes no more jobs (a job under way finishes) and closes its connections. */
  stop(): Promise<void>;
}

/** Its LISTEN connection, and one for taking and completing jobs (they are taken one at a time). */
const RUNNER_CONNECTIONS = 2;

export async function startClaimJobRunner(options: {
  postgresUrl: string;
  workerId: string;
  logger: Logger;
  /** A job arrived: look for runs to claim (it returns at once; the claims go on without it). */
  onJob: () => void;
}): Promise<ClaimJobRunner> {
  const { logger } = options;
  const pool = newPostgresPool(options.postgresUrl, {
    maxConnections: RUNNER_CONNECTIONS,
    onIdleClientError: (err) => logger.warn({ err }, 'the claim jobs’ Postgres connection failed'),
  });
  try {
    // Loaded on Postgres only: a server on SQLite never needs it (~40 ms of loading).
    const graphileWorker = await import('graphile-worker');
    const runner = await graphileWorker.run({
      pgPool: pool,
      concurrency: 1,
      noHandleSignals: true,
      pollInterval: CLAIM_POLL_MS,
      logger: graphileLoggerOf(graphileWorker.Logger, logger),
      taskList: { [claimTaskOf(options.workerId)]: () => options.onJob() },
    });
    // A runner that ends on its own (a fatal error) must not take the process with it: the claimer
    // still looks each second.
    runner.promise.catch((err: unknown) =>
      logger.error({ err }, 'the claim jobs’ runner stopped; this worker claims on its own look each second'),
    );
    return {
      async stop() {
        await runner.stop();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** graphile-worker's lines in this process's log: its problems as warnings, its chatter at debug. */
function graphileLoggerOf(GraphileLoggerClass: typeof GraphileLogger, logger: Logger): GraphileLogger {
  return new GraphileLoggerClass((scope) => (level, message, meta) => {
    const fields = { graphileWorker: scope, ...meta };
    if (level === 'error') logger.error(fields, message);
    else if (level === 'warning') logger.warn(fields, message);
    else logger.debug(fields, message);
  });
}
