import type { ModelCostRecord } from '../../src/lib/contracts/costs';
import type { ExecutionStatus } from '../../src/lib/contracts/executions';
import type { DbConnection } from '../../src/lib/db';
import { recordExecutionCosts } from '../../src/lib/db/queries/costs';
import { insertedRow } from '../../src/lib/db/returning';
import { executions } from '../../src/lib/db/schema';

export type Spend = Partial<ModelCostRecord> & { model: string; costMicros: number };

/** An execution created at `createdAt` whose costs go through the real write path (summaries included). */
export function recordRun(
  db: DbConnection,
  run: { agentId: number; createdAt: number; status?: ExecutionStatus },
  spends: Spend[],
): number {
  const { agentId, createdAt, status = 'completed' } = run;
  const { id } = insertedRow(
    db
      .insert(executions)
      .values({ agentId, trigger: 'manual', status, prompt: 'p', model: 'claude-sonnet-4-5', createdAt })
      .returning({ id: executions.id })
      .all(),
  );
  const rows = spends.map((spend) => ({
    inputTokens: 0,
    outputTokens: 0,
    cacheCreation5mTokens: 0,
    cacheCreation1hTokens: 0,
    cacheReadTokens: 0,
    reportedCostMicros: spend.costMicros,
    costSource: 'computed' as const,
    usageSource: 'result' as const,
    unpriced: false,
    costMismatch: false,
    responseCount: 1,
    ...spend,
  }));
  recordExecutionCosts(db, { id, agentId, createdAt }, rows);
  return id;
}
