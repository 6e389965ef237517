import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: number;
}

export class InstanceLockError extends Error {
  override name = 'InstanceLockError';
}

/** What a server's command line holds: the bundle `npm start` runs, or server.ts run from source. */
const SERVER_ENTRIES = ['.next/claudeops/server.mjs', 'server.ts'];

/** A process that still runs a ClaudeOps server (its pid might since belong to something else). */
function isServerProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return SERVER_ENTRIES.some((entry) => commandLine.includes(entry));
  } catch {
    // No /proc (not Linux): a live pid is taken at its word.
    return true;
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

/**
 * One server per database file. Two would each recover the other's runs as interrupted, kill each
 * other's agents, and count limits and budgets apart, so a second server refuses to start, naming
 * the first. A lock left by a server that died (kill -9, power) is taken over.
 */
export function acquireInstanceLock(databasePath: string): () => void {
  const file = `${databasePath}.lock`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const owner: LockOwner = { pid: process.pid, hostname: os.hostname(), startedAt: Date.now() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(owner), { flag: 'wx', mode: 0o600 });
      return () => {
        if (readOwner(file)?.pid === process.pid) fs.rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readOwner(file);
    if (holder && holder.hostname === owner.hostname && isServerProcess(holder.pid)) {
      throw new InstanceLockError(
        `Another ClaudeOps server (pid ${holder.pid}, started ${new Date(holder.startedAt).toISOString()}) is using ${databasePath}. ` +
          'Two servers on one database would recover each other’s runs and double-count limits: stop that one first, or set DATABASE_PATH to another file.',
      );
    }
    // Left by a server that is gone.
    fs.rmSync(file, { force: true });
  }
  throw new InstanceLockError(
    `Could not take the lock ${file}; another server is starting on the same database`,
  );
}
