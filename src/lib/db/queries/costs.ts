import { eq, sql } from 'drizzle-orm';
import type { ExecutionStatus, TokenUsage } from '../../contracts/executions';
import type { Db } from '../index';
import { costTracking, executions, monthlyCostSummaries } from '../schema';
import type { TokenTotals } from './executions';

/** UTC calendar month, the unit budgets and summaries use: '2026-11'. */
export function monthKey(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 7);
}

export interface ModelUsageRecord extends TokenUsage {
  model: string;
  costMicros: number;
  reportedCostMicros: number;
}

export interface ExecutionOutcome {
  status: ExecutionStatus;
  finishedAt: number;
  /** Null for a run that never started. */
  durationMs: number | null;
  numTurns: number;
  totals: TokenTotals;
  costMicros: number;
  reportedCostMicros: number;
  resultText: string | null;
  apiRetryCount: number;
  errorCode: string | null;
  errorMessage: string | null;
}

/**
 * Ends an execution: its final row, one cost row per model and the monthly summaries move
 * together in one transaction, so the dashboard's figures never disagree with the raw rows.
 */
export function recordExecutionOutcome(
  db: Db,
  executionId: number,
  agentId: number,
  outcome: ExecutionOutcome,
  models: ModelUsageRecord[],
): void {
  const month = monthKey(outcome.finishedAt);
  db.transaction((tx) => {
    const { totals, ...rest } = outcome;
    tx.update(executions)
      .set({ ...rest, ...totals })
      .where(eq(executions.id, executionId))
      .run();
    models.forEach((usage, index) => {
      tx.insert(costTracking)
        .values({ executionId, agentId, ...usage, createdAt: outcome.finishedAt })
        .run();
      const cacheCreationTokens = usage.cacheCreation5mTokens + usage.cacheCreation1hTokens;
      // An execution counts once per month, on its first model row.
      const counted = index === 0 ? 1 : 0;
      tx.insert(monthlyCostSummaries)
        .values({
          month,
          agentId,
          model: usage.model,
          executionCount: counted,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          cacheCreationTokens,
          cacheReadTokens: usage.cacheReadTokens,
          costMicros: usage.costMicros,
          updatedAt: outcome.finishedAt,
        })
        .onConflictDoUpdate({
          target: [monthlyCostSummaries.month, monthlyCostSummaries.agentId, monthlyCostSummaries.model],
          set: {
            executionCount: sql`${monthlyCostSummaries.executionCount} + ${counted}`,
            inputTokens: sql`${monthlyCostSummaries.inputTokens} + ${usage.inputTokens}`,
            outputTokens: sql`${monthlyCostSummaries.outputTokens} + ${usage.outputTokens}`,
            cacheCreationTokens: sql`${monthlyCostSummaries.cacheCreationTokens} + ${cacheCreationTokens}`,
            cacheReadTokens: sql`${monthlyCostSummaries.cacheReadTokens} + ${usage.cacheReadTokens}`,
            costMicros: sql`${monthlyCostSummaries.costMicros} + ${usage.costMicros}`,
            updatedAt: outcome.finishedAt,
          },
        })
        .run();
    });
  });
}

/** Month-to-date spend in micro-dollars, read from the summaries rather than raw rows. */
export function getMonthSpendMicros(db: Db, month: string): number {
  const row = db
    .select({ total: sql<number>`coalesce(sum(${monthlyCostSummaries.costMicros}), 0)` })
    .from(monthlyCostSummaries)
    .where(eq(monthlyCostSummaries.month, month))
    .get();
  return row?.total ?? 0;
}
