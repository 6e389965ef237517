import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { DbHandle } from './index';

/**
 * Without this, SQLite checkpoints the WAL inside whichever commit pushes it past 1,000 pages:
 * that commit (a scheduler tick, a run's log flush) then copies and syncs the whole WAL on the
 * event loop, about 6 ms here, a tick's p95 on its own. A worker thread with its own connection
 * checkpoints instead, off the event loop; checkpoints never block writers in WAL mode.
 *
 * The worker is plain JavaScript (it does not go through tsx) and loads the same better-sqlite3.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const report = (err) => parentPort.postMessage({ error: String((err && err.message) || err) });
const run = () => {
  let db;
  try {
    db = new Database(workerData.path, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    report(err);
    parentPort.close();
    return;
  }
  const checkpoint = () => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      report(err);
    }
  };
  const timer = setInterval(checkpoint, workerData.intervalMs);
  parentPort.on('message', () => {
    clearInterval(timer);
    checkpoint();
    db.close();
    parentPort.close();
  });
};
run();
`;

/**
 * The main connection still checkpoints by itself past this many WAL pages (40 MB), so a stalled
 * worker cannot let the WAL grow without bound.
 */
const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;
/** SQLite's own threshold, back in force on the main connection if the worker ends unasked. */
const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

export interface Checkpointer {
  /** Stops the worker after a last checkpoint and closes its connection (before the main one closes). */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  intervalMs?: number;
  onError?: (message: string) => void;
}

export function startCheckpointer(handle: DbHandle, options: CheckpointerOptions = {}): Checkpointer {
  handle.sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      path: handle.path,
      intervalMs: options.intervalMs ?? 1_000,
    },
  });
  worker.unref();
  worker.on('message', (message: { error?: string }) => {
    if (message.error) options.onError?.(message.error);
  });
  worker.on('error', (err) => options.onError?.(String(err)));
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      if (!stopping && handle.sqlite.open) {
        handle.sqlite.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
        options.onError?.('the checkpoint worker ended; the main connection checkpoints again');
      }
      resolve();
    }),
  );
  return {
    stop: () => {
      stopping = true;
      // Held by the process again until it has closed its connection.
      worker.ref();
      worker.postMessage('stop');
      return exited;
    },
  };
}
