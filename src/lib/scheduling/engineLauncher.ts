import type { Db } from '../db';
import { runOnSqlite } from '../db/plan';
import { requireAgent } from '../db/queries/agents';
import { sqliteStore } from '../db/store';
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
export function engineRunLauncher(db: Db, engine: RunEngine, workflows: WorkflowRunner): RunLauncher {
  const agentOf = (agentId: number) => runOnSqlite(requireAgent(sqliteStore(db), agentId));
  return {
    refusal(target, now) {
      const storage = engine.storageRefusal();
      if (storage) return { outcome: 'skipped_storage', reason: `Skipped: ${storage.message}` };
      if (target.kind === 'workflow') {
        // An open breaker only delays a workflow's steps (they wait queued); a spent budget refuses the run.
        const refusal = workflows.refusal(target.workflowId, now);
        return refusal && { outcome: 'refused_budget', reason: refusal.message };
      }
      const refusal = engine.refusal(agentOf(target.agentId), now);
      if (!refusal) return null;
      return {
        outcome: REFUSAL_OUTCOMES[refusal.kind],
        reason: refusal.message,
      };
    },
    createRun(tx, scheduleId, target, now) {
      if (target.kind === 'workflow') {
        const request = { input: target.input, trigger: 'schedule' as const, scheduleId };
        return { kind: 'workflow', workflowRunId: workflows.createRun(tx, target.workflowId, request, now) };
      }
      // The engine writes through the same connection, so the row joins the scheduler's transaction.
      const request = {
        agent: agentOf(target.agentId),
        prompt: target.prompt,
        trigger: 'schedule' as const,
        approvalTimeoutMinutes: target.approvalTimeoutMinutes,
      };
      return { kind: 'agent', executionId: engine.createRun({ ...request, scheduleId }, now) };
    },
    admit(run) {
      if (run.kind === 'workflow') workflows.admitRun(run.workflowRunId);
      else engine.admit(run.executionId);
    },
  };
}
