import { getAgentById, requireAgent } from '../db/queries/agents';
import { breachFigures, monthlyBreachOf } from '../engine/budgets';
import type { RunEngine } from '../engine/engine';
import type { StepLauncher } from './launcher';

/**
 * The workflow runner's port, backed by the run engine: each step is an ordinary queued run.
 * `stopRun` stops a step wherever it runs (on Postgres, maybe on another worker host).
 */
export function engineStepLauncher(
  engine: RunEngine,
  stopRun: (
    executionId: number,
    reason: Parameters<StepLauncher['stop']>[1],
    message: string,
  ) => Promise<boolean>,
): StepLauncher {
  return {
    // Only a spent budget refuses a step; an open breaker just delays it (it waits queued).
    *refusal(store, agentId, now) {
      const agent = yield* getAgentById(store, agentId);
      // A deleted agent is no budget's to refuse: its step fails when it is launched (createRun).
      if (!agent) return null;
      const breach = yield* monthlyBreachOf(store, agent, now);
      return breach && { message: breach.message, ...breachFigures(breach) };
    },
    *createRun(tx, request, now) {
      return yield* engine.queueRun(
        tx,
        {
          agent: yield* requireAgent(tx, request.agentId),
          prompt: request.prompt,
          trigger: 'workflow',
          workflowRunId: request.workflowRunId,
          workflowStepKey: request.stepKey,
          workflowCapMicros: request.maxCostMicros,
          ...(request.timeoutSeconds === undefined ? {} : { timeoutSeconds: request.timeoutSeconds }),
          ...(request.runRetries === undefined ? {} : { runRetries: request.runRetries }),
          approvalTimeoutMinutes: request.approvalTimeoutMinutes,
        },
        now,
      );
    },
    admit: (executionId) => engine.admit(executionId),
    discard: (executionId) => engine.discard(executionId),
    stop: (executionId, reason, message) => {
      void stopRun(executionId, reason, message);
    },
  };
}
