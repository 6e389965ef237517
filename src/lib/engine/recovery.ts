import { killOrphanAgents } from '../claude/agentProcesses';
import type { ExecutionLive } from '../contracts/executions';
import type { Logger } from '../core/logger';
import { type Plan, transaction } from '../db/plan';
import { getExecutionLive, interruptUnfinishedExecutions } from '../db/queries/executions';
import type { Store } from '../db/store';

/**
 * Runs at start, before anything listens: a previous server that was killed (SIGKILL, OOM,
 * power) left runs marked running and agent processes nobody reads. Nothing stays "running"
 * forever, and no orphan keeps spending. `onInterrupted` is a plan in the transaction that ends
 * each run (to announce it, atomically).
 */
export async function recoverFromUnexpectedStop(
  store: Store,
  instance: string,
  logger: Logger,
  onInterrupted?: (tx: Store, execution: ExecutionLive) => Plan<unknown>,
): Promise<void> {
  const startedAt = Date.now();
  const killed = killOrphanAgents(instance);
  const interrupted = await transaction(store, function* (tx) {
    const ids = yield* interruptUnfinishedExecutions(tx);
    for (const id of ids) {
      const execution = yield* getExecutionLive(tx, id);
      if (execution && onInterrupted) yield* onInterrupted(tx, execution);
    }
    return ids;
  });
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
