import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { mergeCostRecords, reconcileCostRecords } from '../claude/costTracker';
import { addUsage, type ModelTokenUsage, ZERO_USAGE } from '../claude/usage';
import type { ModelCostRecord } from '../contracts/costs';
import type { TokenUsage } from '../contracts/executions';
import type { ExecutionProgress, TokenTotals } from '../db/queries/executions';

/**
 * A run's figures summed over its responses and attempts: tokens by kind as the executions table
 * keeps them, the progress written while it runs, and the reconciled totals it ends with.
 */

/** The table's four token columns: cache writes of both lifetimes in one. */
export function tokenTotals(usage: TokenUsage): TokenTotals {
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheCreationTokens: usage.cacheCreation5mTokens + usage.cacheCreation1hTokens,
    cacheReadTokens: usage.cacheReadTokens,
  };
}

export function sumUsage(rows: readonly TokenUsage[]): TokenUsage {
  return rows.reduce<TokenUsage>(addUsage, ZERO_USAGE);
}

/** The figures a running run's row is kept at: tokens priced so far, responses, API retries. */
export function progressOf(
  rows: readonly ModelCostRecord[],
  responseCount: number,
  apiRetryCount: number,
): ExecutionProgress {
  return { ...tokenTotals(sumUsage(rows)), numTurns: responseCount, apiRetryCount };
}

export interface FinalFigures {
  /** Per model, the stream's figures reconciled with the result messages'. */
  models: ModelCostRecord[];
  totals: TokenTotals;
  costMicros: number;
  numTurns: number;
  lastResult: SDKResultMessage | undefined;
}

/**
 * The figures a run ends with (or parks with), over every attempt's responses and results, added
 * to what its earlier processes stored (a parked run woken again).
 */
export function finalFigures(
  responses: readonly ModelTokenUsage[],
  results: readonly SDKResultMessage[],
  createdAt: number,
  earlier: { costs: readonly ModelCostRecord[]; numTurns: number } = { costs: [], numTurns: 0 },
): FinalFigures {
  const models = mergeCostRecords(earlier.costs, reconcileCostRecords(responses, results, createdAt));
  return {
    models,
    totals: tokenTotals(sumUsage(models)),
    costMicros: models.reduce((sum, row) => sum + row.costMicros, 0),
    numTurns: earlier.numTurns + (results.reduce((sum, r) => sum + r.num_turns, 0) || responses.length),
    lastResult: results.at(-1),
  };
}
