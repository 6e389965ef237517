import { DomainError } from '../core/errors';
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

/** Why a workflow's slot is refused on Postgres: its runner writes through SQLite alone so far (issue 24). */
export const WORKFLOWS_ON_POSTGRES = 'scheduled workflows are not supported on Postgres yet';

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
    *createRun(tx, scheduleId, target, now) {
      if (target.kind === 'workflow') {
        // The runner writes through SQLite's connection, so its rows join the scheduler's transaction.
        if (tx.dialect === 'postgres') throw new DomainError('invalid_input', WORKFLOWS_ON_POSTGRES);
        const request = { input: target.input, trigger: 'schedule' as const, scheduleId };
        return { kind: 'workflow', workflowRunId: workflows.createRun(db, target.workflowId, request, now) };
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
