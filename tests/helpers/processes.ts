import fs from 'node:fs';

/** PIDs of live processes whose environment contains `NAME=value` (how agent processes are tagged). */
export function pidsWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}\0`;
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return `${fs.readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`.includes(needle);
      } catch {
        return false; // exited meanwhile, or not ours to read
      }
    })
    .map(Number);
}

/** The distinct execution ids of the live agent processes of one server (its database path). */
export function runningExecutionIds(databasePath: string): Set<string> {
  const ids = new Set<string>();
  for (const pid of pidsWithEnv('CLAUDEOPS_INSTANCE', databasePath)) {
    try {
      const match = /(?:^|\0)CLAUDEOPS_EXECUTION_ID=(\d+)\0/.exec(
        fs.readFileSync(`/proc/${pid}/environ`, 'latin1'),
      );
      if (match?.[1]) ids.add(match[1]);
    } catch {
      // exited meanwhile
    }
  }
  return ids;
}

/**
 * The live agent processes of one server (its database path), or of one of its runs: both markers,
 * since several servers on one machine number their runs from 1 alike.
 */
export function agentPids(databasePath: string, executionId?: number): number[] {
  const ofServer = pidsWithEnv('CLAUDEOPS_INSTANCE', databasePath);
  if (executionId === undefined) return ofServer;
  const ofRun = new Set(pidsWithEnv('CLAUDEOPS_EXECUTION_ID', String(executionId)));
  return ofServer.filter((pid) => ofRun.has(pid));
}
