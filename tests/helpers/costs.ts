import type { ModelCostRecord } from '../../src/lib/contracts/costs';
import type { ExecutionStatus } from '../../src/lib/contracts/executions';
import type { DbConnection } from '../../src/lib/db';
import { type Plan, rowsOf, transaction, transactionOnSqlite } from '../../src/lib/db/plan';
import { recordExecutionCosts } from '../../src/lib/db/queries/costs';
import type { Store } from '../../src/lib/db/store';

export type Spend = Partial<ModelCostRecord> & { model: string; costMicros: number };

/**
 * The cost report tests' November (unit and dialect tests): two agents' runs around the month's
 * edges, each with its agent, creation time and spends.
 */
export const NOVEMBER_RUNS = {
  october: {
    agent: 'writer',
    createdAt: Date.parse('2026-10-31T23:59:59.999Z'),
    spends: [{ model: 'claude-sonnet-4-5', costMicros: 1_000_000 }],
  },
  first: {
    agent: 'writer',
    createdAt: Date.parse('2026-11-01T00:00:00.000Z'),
    spends: [{ model: 'claude-sonnet-4-5', costMicros: 2_000_000, inputTokens: 1000, outputTokens: 100 }],
  },
  twoModels: {
    agent: 'writer',
    createdAt: Date.parse('2026-11-15T08:00:00.000Z'),
    spends: [
      { model: 'claude-sonnet-4-5', costMicros: 500_000, inputTokens: 300, cacheCreation5mTokens: 10 },
      {
        model: 'claude-haiku-4-5',
        costMicros: 250_000,
        cacheCreation1hTokens: 20,
        cacheReadTokens: 40,
        unpriced: true,
      },
    ],
  },
  lastOfWindow: {
    agent: 'helper',
    createdAt: Date.parse('2026-11-19T23:59:59.999Z'),
    spends: [{ model: 'claude-haiku-4-5', costMicros: 100_000 }],
  },
} satisfies Record<string, { agent: 'writer' | 'helper'; createdAt: number; spends: Spend[] }>;

/** A spend as the tracker records it: zeros, a computed cost and one response where not given. */
export function costRecord(spend: Spend): ModelCostRecord {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreation5mTokens: 0,
    cacheCreation1hTokens: 0,
    cacheReadTokens: 0,
    reportedCostMicros: spend.costMicros,
    costSource: 'computed',
    usageSource: 'result',
    unpriced: false,
    costMismatch: false,
    responseCount: 1,
    ...spend,
  };
}

/** An execution created at `createdAt` and its costs through the real write path (summaries included): its id. */
function* costedRun(
  store: Store,
  run: { agentId: number; createdAt: number; status?: ExecutionStatus },
  spends: Spend[],
): Plan<number> {
  const { db, t } = store;
  const { agentId, createdAt, status = 'completed' } = run;
  const [execution] = yield* rowsOf(
    db
      .insert(t.executions)
      .values({ agentId, trigger: 'manual', status, prompt: 'p', model: 'claude-sonnet-4-5', createdAt })
      .returning({ id: t.executions.id }),
  );
  if (!execution) throw new Error('no run inserted');
  yield* recordExecutionCosts(store, { id: execution.id, agentId, createdAt }, spends.map(costRecord));
  return execution.id;
}

/** `costedRun` on a SQLite connection, synchronously (the unit tests). */
export function recordRun(
  db: DbConnection,
  run: { agentId: number; createdAt: number; status?: ExecutionStatus },
  spends: Spend[],
): number {
  return transactionOnSqlite(db, (tx) => costedRun(tx, run, spends));
}

/** `costedRun` on a Store, for the dialect tests. */
export function insertCostedRun(
  store: Store,
  run: { agentId: number; createdAt: number; status?: ExecutionStatus },
  spends: Spend[],
): Promise<number> {
  return transaction(store, (tx) => costedRun(tx, run, spends));
}
