import { isDomainError } from '../core/errors';
import type { Db } from '../db';
import { runOnSqlite } from '../db/plan';
import { requireAgent } from '../db/queries/agents';
import type { AgentConfiguration } from '../db/schema';
import { sqliteStore } from '../db/store';
import { assertBudgetLeft } from '../engine/budgets';
import type { RunEngine } from '../engine/engine';
import { budgetStopSchema } from '../engine/events';
import type { StepLauncher, StepRefusal } from './launcher';

/** The workflow runner's port, backed by the run engine: each step is an ordinary queued run. */
export function engineStepLauncher(db: Db, engine: RunEngine): StepLauncher {
  const agentOf = (agentId: number) => runOnSqlite(requireAgent(sqliteStore(db), agentId));
  return {
    // Only a spent budget refuses a step; an open breaker just delays it (it waits queued).
    refusal: (agentId, now) => budgetRefusal(db, agentOf(agentId), now),
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
          approvalTimeoutMinutes: request.approvalTimeoutMinutes,
        },
        now,
      );
    },
    admit: (executionId) => engine.admit(executionId),
    discard: (executionId) => engine.discard(executionId),
    stop: (executionId, reason, message) => {
      engine.stop(executionId, reason, message);
    },
  };
}

/**
 * The budget the check names when it refuses, with its figures. (The engine's own `refusal()`
 * keeps only the message; a workflow run's 409 names the budget as `POST /api/executions` does.)
 */
function budgetRefusal(db: Db, agent: AgentConfiguration, now: number): StepRefusal | null {
  try {
    assertBudgetLeft(db, agent, now);
    return null;
  } catch (error) {
    if (!isDomainError(error)) throw error;
    const budget = budgetStopSchema.safeParse(error.details);
    if (!budget.success) throw error;
    return { message: error.message, ...budget.data };
  }
}
