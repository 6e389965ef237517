import type { Db } from '../db';
import { requireAgent } from '../db/queries/agents';
import type { RunEngine } from '../engine/engine';
import type { RunLauncher } from './launcher';

/** The scheduler's port, backed by the run engine: a scheduled run is an ordinary queued run. */
export function engineRunLauncher(db: Db, engine: RunEngine): RunLauncher {
  const agentOf = (agentId: number) => requireAgent(db, agentId);
  return {
    refusal(agentId, now) {
      const refusal = engine.refusal(agentOf(agentId), now);
      if (!refusal) return null;
      return {
        outcome: refusal.kind === 'budget' ? 'refused_budget' : 'refused_breaker',
        reason: refusal.message,
      };
    },
    createRun(_tx, { scheduleId, agentId, prompt }, now) {
      // The engine writes through the same connection, so the row joins the scheduler's transaction.
      return engine.createRun({ agent: agentOf(agentId), prompt, trigger: 'schedule', scheduleId }, now);
    },
    admit: (executionId) => engine.admit(executionId),
  };
}
