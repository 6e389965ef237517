import { type AnyColumn, sql } from 'drizzle-orm';
import type { ModelCostRecord } from '../../src/lib/contracts/costs';
import type { ExecutionStatus } from '../../src/lib/contracts/executions';
import type { DbConnection } from '../../src/lib/db';
import { dayKey, monthKey, recordExecutionCosts } from '../../src/lib/db/queries/costs';
import { insertedRow } from '../../src/lib/db/returning';
import { executions } from '../../src/lib/db/schema';
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

/** Each spend as the tracker records it: zeros, a computed cost and one response where not given. */
function costRecords(spends: Spend[]): ModelCostRecord[] {
  return spends.map((spend) => ({
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
}

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
  const rows = costRecords(spends);
  recordExecutionCosts(db, { id, agentId, createdAt }, rows);
  return id;
}

/**
 * `recordRun` on a Store, for the dialect tests: the tracker's write path is SQLite's, so the rows
 * it writes are written here directly, the same on both dialects: the execution with its total,
 * one cost row per model, and the monthly and daily summaries moved by them (by the run's UTC month
 * and day of creation).
 */
export async function insertCostedRun(
  { db, t }: Store,
  run: { agentId: number; createdAt: number; status?: ExecutionStatus },
  spends: Spend[],
): Promise<number> {
  const { agentId, createdAt, status = 'completed' } = run;
  const rows = costRecords(spends);
  const total = (pick: (row: ModelCostRecord) => number) => rows.reduce((sum, row) => sum + pick(row), 0);
  const [execution] = await db
    .insert(t.executions)
    .values({
      agentId,
      trigger: 'manual',
      status,
      prompt: 'p',
      model: 'claude-sonnet-4-5',
      createdAt,
      costMicros: total((row) => row.costMicros),
      reportedCostMicros: total((row) => row.reportedCostMicros),
    })
    .returning({ id: t.executions.id });
  if (!execution) throw new Error('no run inserted');
  const { monthlyCostSummaries: m, dailyCostSummaries: d } = t;
  // The summary's own column by its table's name: a bare name is ambiguous beside `excluded` on Postgres.
  const add = (column: AnyColumn) => sql`${column} + excluded.${sql.identifier(column.name)}`;
  for (const row of rows) {
    await db
      .insert(t.costTracking)
      .values({ ...row, executionId: execution.id, agentId, createdAt, updatedAt: createdAt });
    await db
      .insert(m)
      .values({
        month: monthKey(createdAt),
        agentId,
        model: row.model,
        executionCount: 1,
        inputTokens: row.inputTokens,
        outputTokens: row.outputTokens,
        cacheCreationTokens: row.cacheCreation5mTokens + row.cacheCreation1hTokens,
        cacheReadTokens: row.cacheReadTokens,
        costMicros: row.costMicros,
        updatedAt: createdAt,
      })
      .onConflictDoUpdate({
        target: [m.month, m.agentId, m.model],
        set: Object.fromEntries(
          (
            [
              'executionCount',
              'inputTokens',
              'outputTokens',
              'cacheCreationTokens',
              'cacheReadTokens',
              'costMicros',
            ] as const
          ).map((field) => [field, add(m[field])]),
        ),
      });
    await db
      .insert(d)
      .values({
        day: dayKey(createdAt),
        agentId,
        model: row.model,
        executionCount: 1,
        costMicros: row.costMicros,
        updatedAt: createdAt,
      })
      .onConflictDoUpdate({
        target: [d.day, d.agentId, d.model],
        set: {
          executionCount: add(d.executionCount),
          costMicros: add(d.costMicros),
        },
      });
  }
  return execution.id;
}
