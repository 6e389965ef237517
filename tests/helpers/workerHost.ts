import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type StartAppServerOptions, type StartedProcess, spawnAppServer, startProcess } from './appServer';

/** A worker host (`npm run worker`) on a shared Postgres, once it claims runs. */
export interface WorkerHost extends StartedProcess {
  /** Its id in the `workers` table and on the runs it runs. */
  readonly id: string;
}

const READY = /"workerId":"([^"]+)".*"msg":"worker host claiming runs"/;

/** Starts `npm run worker`'s process with `databaseUrl` and `labels` (WORKER_LABELS). */
export async function startWorkerHost(
  options: StartAppServerOptions & { databaseUrl: string; labels: string[] },
): Promise<WorkerHost> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-worker-'));
  const child = spawnAppServer(
    {
      ...options,
      entry: ['--import', 'tsx', 'worker.ts'],
      env: { ...options.env, DATABASE_URL: options.databaseUrl, WORKER_LABELS: options.labels.join(',') },
    },
    dataDir,
  );
  const started = await startProcess(child, READY, 'worker host');
  return { ...started, id: started.ready[1] ?? '' };
}
