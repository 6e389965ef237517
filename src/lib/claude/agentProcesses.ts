import fs from 'node:fs';
import { EXECUTION_ENV_MARKER, INSTANCE_ENV_MARKER } from './client';

/**
 * Finds agent processes by the markers every agent process (and every child it starts, which
 * inherits its environment) carries: this server's database path and the execution id. Linux
 * only (/proc); elsewhere it finds nothing and killing relies on the process group.
 */
export function findAgentProcesses(instance: string, executionId?: number): number[] {
  if (!fs.existsSync('/proc/self/environ')) return [];
  const needles = [`${INSTANCE_ENV_MARKER}=${instance}\0`];
  if (executionId !== undefined) needles.push(`${EXECUTION_ENV_MARKER}=${executionId}\0`);
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        const environ = `${fs.readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`;
        return needles.every((needle) => environ.includes(needle));
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    })
    .map(Number);
}

/** Sends a signal, ignoring processes that are already gone. Never throws. */
export function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already exited
    }
  }
}

/** Kills every process of a previous server on this database (agent processes it left behind). */
export function killOrphanAgents(instance: string): number[] {
  const orphans = findAgentProcesses(instance);
  signalAll(orphans, 'SIGKILL');
  return orphans;
}
