import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import type { DatabaseUsageDto, PruneRoundDto } from '../contracts/storage';
import type { Logger } from '../core/logger';
import { freelistPages } from '../db/autoVacuum';
import { execute } from '../db/plan';
import {
  deleteRunOutputBatch,
  getOutputFigures,
  getPostgresDatabaseBytes,
  listRunsToPrune,
  markOutputPruned,
} from '../db/queries/outputRetention';
import type { Store } from '../db/store';
import { type Pause, yieldToEventLoop } from '../metrics/eventLoop';
import { reclaimFreePages } from '../metrics/retention';

const DAY_MS = 86_400_000;
/** Rows one delete takes (~1 ms): a run's output goes in many short transactions, the event loop turning between them. */
const BATCH_ROWS = 500;
const RUNS_PER_QUERY = 20;
/**
 * After this many rows the round rests past the checkpointer's interval (1 s), so a checkpoint
 * completes with no write under way and the write-ahead log starts over: without the rest, a large
 * round grows the WAL to the 40 MB fallback checkpoint (measured), the very space pruning is for.
 */
const ROWS_BETWEEN_RESTS = 20_000;
const restForCheckpoint: Pause = () => new Promise((resolve) => setTimeout(resolve, 1_100));

const round1 = (ms: number) => Math.round(ms * 10) / 10;

/**
 * Drops the log lines and steps of runs that ended more than `retentionMs` ago, in batches (the
 * way metrics retention prunes, see metrics/retention.ts), then marks each run pruned: its row,
 * cost, attempts and result stay. Gives the freed pages back to the file system last.
 */
export async function pruneRunOutput(
  store: Store,
  now: number,
  retentionMs: number,
  pauses: { pause: Pause; rest: Pause } = { pause: yieldToEventLoop, rest: restForCheckpoint },
): Promise<PruneRoundDto> {
  const runsToPrune = () => execute(store, listRunsToPrune(store, now - retentionMs, RUNS_PER_QUERY));
  const started = performance.now();
  const batchMs: number[] = [];
  let runs = 0;
  let rows = 0;
  for (let ids = await runsToPrune(); ids.length > 0; ) {
    for (const id of ids) {
      for (let deleted = Number.POSITIVE_INFINITY; deleted > 0; ) {
        const batchStarted = performance.now();
        deleted = await execute(store, deleteRunOutputBatch(store, id, BATCH_ROWS));
        batchMs.push(performance.now() - batchStarted);
        const rests = Math.floor(rows / ROWS_BETWEEN_RESTS);
        rows += deleted;
        await (Math.floor(rows / ROWS_BETWEEN_RESTS) > rests ? pauses.rest : pauses.pause)();
      }
      await execute(store, markOutputPruned(store, id, now));
      runs += 1;
    }
    ids = await runsToPrune();
  }
  const pagesFreed = rows > 0 ? await reclaimFreePages(store, pauses.pause) : 0;
  batchMs.sort((a, b) => a - b);
  return {
    at: now,
    runs,
    rows,
    pagesFreed,
    durationMs: Math.round(performance.now() - started),
    medianBatchMs: round1(batchMs[Math.floor(batchMs.length / 2)] ?? 0),
    longestBatchMs: round1(batchMs.at(-1) ?? 0),
  };
}

export interface OutputRetentionOptions {
  store: Store;
  /** The SQLite file (its size and its write-ahead log's are shown); none on Postgres. */
  file?: string;
  logger: Logger;
  /** The setting, read at each round: days, or null to keep everything. */
  retentionDays(): Promise<number | null>;
  /** Between rounds (default 10 minutes); a settings change starts one at once (kick). */
  intervalMs?: number;
}

export interface OutputRetention {
  /** Starts a round now (after the one under way); resolves once it ended (it never rejects). */
  kick(): Promise<void>;
  /** The database's size and what retention keeps and frees. */
  usage(): Promise<DatabaseUsageDto>;
  /** Stops between two batches, so the database can be closed next. */
  stop(): Promise<void>;
}

const sizeOf = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);

/**
 * What the database takes on disk. SQLite: the file, its write-ahead log and the free pages
 * inside it. Postgres: the database's size; its WAL is the cluster's, shared by every database,
 * and freed space stays inside the tables for later rows (autovacuum), so both read 0.
 */
async function diskUsage(store: Store, file: string | undefined) {
  if (store.dialect === 'postgres')
    return { fileBytes: await getPostgresDatabaseBytes(store), walBytes: 0, freeBytes: 0 };
  const pageSize = store.db.get<{ page_size: number }>(sql`pragma page_size`).page_size;
  return {
    fileBytes: file ? sizeOf(file) : 0,
    walBytes: file ? sizeOf(`${file}-wal`) : 0,
    freeBytes: freelistPages(store.db) * pageSize,
  };
}

export function startOutputRetention(options: OutputRetentionOptions): OutputRetention {
  const { store, logger } = options;
  const intervalMs = options.intervalMs ?? 600_000;
  let stopped = false;
  let lastRound: PruneRoundDto | null = null;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const stopRequested = new Error('output retention stopped');
  const stoppable =
    (wait: Pause): Pause =>
    async () => {
      await wait();
      if (stopped) throw stopRequested;
    };
  const pauses = { pause: stoppable(yieldToEventLoop), rest: stoppable(restForCheckpoint) };

  const round = async () => {
    try {
      const days = await options.retentionDays();
      if (days === null) return;
      lastRound = await pruneRunOutput(store, Date.now(), days * DAY_MS, pauses);
      if (lastRound.runs > 0) logger.info(lastRound, 'run output past its retention dropped');
    } catch (error) {
      if (error !== stopRequested)
        logger.warn({ err: error }, 'pruning run output failed; the next round goes on');
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void kick(), intervalMs);
    timer.unref();
  };

  function kick(): Promise<void> {
    if (stopped) return running;
    clearTimeout(timer);
    running = running.then(round).then(schedule);
    return running;
  }

  schedule();
  return {
    kick,
    async usage() {
      const days = await options.retentionDays();
      const cutoff = days === null ? null : Date.now() - days * DAY_MS;
      return {
        ...(await diskUsage(store, options.file)),
        retentionDays: days,
        ...(await execute(store, getOutputFigures(store, cutoff))),
        lastRound,
      };
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
