import type { Db } from '../db';
import { requireAgent } from '../db/queries/agents';
import type { RunEngine } from '../engine/engine';
import type { StepLauncher } from './launcher';

/** The workflow runner's port, backed by the run engine: each step is an ordinary queued run. */
export function engineStepLauncher(db: Db, engine: RunEngine): StepLauncher {
  const agentOf = (agentId: number) => requireAgent(db, agentId);
  return {
    refusal(agentId, now) {
      const refusal = engine.refusal(agentOf(agentId), now);
      // An open breaker only delays a step (it waits queued); a spent budget refuses it.
      return refusal?.kind === 'budget' ? refusal.message : null;
    },
    createRun(_tx, request, now) {
      // The engine writes through the same connection, so the row joins the runner's transaction.
      return engine.createRun(
        {
          agent: agentOf(request.agentId),
          prompt: request.prompt,
          trigger: 'workflow',
          workflowRunId: request.workflowRunId,
          workflowStepKey: request.stepKey,
          workflowCapMicros: request.maxCostMicros,
          ...(request.timeoutSeconds === undefined ? {} : { timeoutSeconds: request.timeoutSeconds }),
          ...(request.runRetries === undefined ? {} : { runRetries: request.runRetries }),
        },
        now,
      );
    },
    admit: (executionId) => engine.admit(executionId),
    stop: (executionId, reason, message) => {
      engine.stop(executionId, reason, message);
    },
  };
}
