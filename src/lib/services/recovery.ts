import { killOrphanAgents } from '../claude/agentProcesses';
import type { Db } from '../db';
import { interruptUnfinishedExecutions } from '../db/queries/executions';
import type { Logger } from '../logger';

/**
 * Runs at start, before anything listens: a previous server that was killed (SIGKILL, OOM,
 * power) left runs marked running and agent processes nobody reads. Nothing stays "running"
 * forever, and no orphan keeps spending.
 */
export function recoverFromUnexpectedStop(db: Db, instance: string, logger: Logger): void {
  const startedAt = Date.now();
  const killed = killOrphanAgents(instance);
  const interrupted = interruptUnfinishedExecutions(db);
  if (killed.length > 0 || interrupted.length > 0) {
    logger.warn(
      {
        interruptedExecutions: interrupted,
        orphanProcessesKilled: killed.length,
        tookMs: Date.now() - startedAt,
      },
      'recovered from an unexpected stop',
    );
  }
}
