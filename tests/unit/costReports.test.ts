import { Placeholder } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/lib/db';
import { runOnSqlite } from '../../src/lib/db/plan';
import { createAgent, softDeleteAgent } from '../../src/lib/db/queries/agents';
import { topExecutionsQuery } from '../../src/lib/db/queries/costReports';
import { sqliteStore } from '../../src/lib/db/store';
import { NOVEMBER_RUNS, recordRun, type Spend } from '../helpers/costs';
import { createTestDb } from '../helpers/testDb';

let handle: DbHandle;

beforeEach(() => {
  handle = createTestDb();
});
afterEach(() => handle.sqlite.close());

function agent(name: string, monthlyBudgetUsd: number | null = null): number {
  return runOnSqlite(
    createAgent(sqliteStore(handle.db), {
      name,
      model: 'claude-sonnet-4-5',
      defaultPrompt: 'p',
      monthlyBudgetUsd,
    }),
  ).id;
}

/** An execution created at `createdAt` whose costs go through the real write path (summaries included). */
function run(
  agentId: number,
  createdAt: number,
  spends: Spend[],
  status: 'completed' | 'failed' = 'completed',
) {
  return recordRun(handle.db, { agentId, createdAt, status }, spends);
}

/** Two agents' November around the month's edges; `helper` is deleted afterwards. */
function seedNovember() {
  const writer = agent('writer', 2.75);
  const helper = agent('helper', 5);
  const agents = { writer, helper };
  const runs = {} as Record<keyof typeof NOVEMBER_RUNS, number>;
  for (const [name, seed] of Object.entries(NOVEMBER_RUNS))
    runs[name as keyof typeof NOVEMBER_RUNS] = run(agents[seed.agent], seed.createdAt, seed.spends);
  runOnSqlite(softDeleteAgent(sqliteStore(handle.db), helper));
  return { writer, helper, ...runs };
}

describe('top executions (SQLite; Postgres in tests/dialects/costReports.test.ts)', () => {
  it("reads only the month's end of the month-and-cost index: no scan or sort of the month's runs", () => {
    seedNovember();
    const query = topExecutionsQuery(sqliteStore(handle.db)).toSQL();
    const values: Record<string, unknown> = { month: '2026-11', limit: 10 };
    const plan = handle.sqlite
      .prepare(`explain query plan ${query.sql}`)
      .all(...query.params.map((param) => (param instanceof Placeholder ? values[param.name] : param)))
      .map((step) => (step as { detail: string }).detail)
      .join('\n');
    expect(plan).toContain(
      'SEARCH executions USING INDEX executions_by_month_cost (<expr>=? AND cost_micros>?)',
    );
    // Nothing is sorted: the runs come in index order, each run's models in cost_tracking's.
    expect(plan).not.toContain('TEMP B-TREE');
  });
});
