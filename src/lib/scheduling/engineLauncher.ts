import { requireAgent } from '../db/queries/agents';
import type { Refusal, RunEngine } from '../engine/engine';
import type { WorkflowRunner } from '../workflows/runner';
import type { RunLauncher, RunRefusal } from './launcher';

const REFUSAL_OUTCOMES: Record<Refusal['kind'], RunRefusal['outcome']> = {
  budget: 'refused_budget',
  breaker: 'refused_breaker',
  storage: 'skipped_storage',
};

/**
 * The scheduler's port, backed by the run engine and the workflow runner: a scheduled run is an
 * ordinary queued run, a scheduled workflow an ordinary workflow run (trigger 'schedule').
 */
export function engineRunLauncher(engine: RunEngine, workflows: WorkflowRunner): RunLauncher {
  return {
    *refusal(tx, target, now) {
      const storage = engine.storageRefusal();
      if (storage) return { outcome: 'skipped_storage', reason: `Skipped: ${storage.message}` };
      if (target.kind === 'workflow') {
        // An open breaker only delays a workflow's steps (they wait queued); a spent budget refuses the run.
        const refusal = yield* workflows.refusal(tx, target.workflowId, now);
        return refusal && { outcome: 'refused_budget', reason: refusal.message };
      }
      const refusal = yield* engine.refusal(tx, yield* requireAgent(tx, target.agentId), now);
      if (!refusal) return null;
      return {
        outcome: REFUSAL_OUTCOMES[refusal.kind],
        reason: refusal.message,
      };
    },
    *createRun(tx, scheduleId, target, now) {
      if (target.kind === 'workflow') {
        const request = { input: target.input, trigger: 'schedule' as const, scheduleId };
        return {
          kind: 'workflow',
          workflowRunId: yield* workflows.createRun(tx, target.workflowId, request, now),
        };
      }
      const request = {
        agent: yield* requireAgent(tx, target.agentId),
        prompt: target.prompt,
        trigger: 'schedule' as const,
        approvalTimeoutMinutes: target.approvalTimeoutMinutes,
      };
      return { kind: 'agent', executionId: yield* engine.queueRun(tx, { ...request, scheduleId }, now) };
    },
    admit(run) {
      if (run.kind === 'workflow') workflows.admitRun(run.workflowRunId);
      else engine.admit(run.executionId);
    },
    discard(run) {
      if (run.kind === 'workflow') workflows.discardRun(run.workflowRunId);
      else engine.discard(run.executionId);
    },
  };
}
