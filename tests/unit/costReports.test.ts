import { Placeholder } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/lib/db';
import { runOnSqlite } from '../../src/lib/db/plan';
import { createAgent, softDeleteAgent } from '../../src/lib/db/queries/agents';
import { topExecutionsQuery } from '../../src/lib/db/queries/costReports';
import { costTracking, dailyCostSummaries, executions, monthlyCostSummaries } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { insertCostedRun, NOVEMBER_RUNS, recordRun, type Spend } from '../helpers/costs';
import { createTestDb } from '../helpers/testDb';

const at = (iso: string) => Date.parse(iso);

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

describe("the dialect tests' seeding (tests/dialects/costReports.test.ts)", () => {
  /** What a run leaves in the tables the reports read, without ids and write times. */
  function written(db: DbHandle['db']) {
    const strip = (rows: object[], ...writeTimes: string[]) =>
      rows.map((row) =>
        JSON.stringify(
          Object.fromEntries(
            Object.entries(row).filter(
              ([key]) => !['id', 'executionId', 'updatedAt', ...writeTimes].includes(key),
            ),
          ),
        ),
      );
    return {
      executions: strip(db.select().from(executions).all()),
      // A cost row's created_at is when the tracker first wrote it.
      costs: strip(db.select().from(costTracking).all(), 'createdAt').sort(),
      monthly: strip(db.select().from(monthlyCostSummaries).all()).sort(),
      daily: strip(db.select().from(dailyCostSummaries).all()).sort(),
    };
  }

  it('writes the very rows the cost tracker writes, summaries included', async () => {
    const spends: Spend[][] = [
      [{ model: 'claude-sonnet-4-5', costMicros: 2_000_000, inputTokens: 1000, outputTokens: 100 }],
      [
        { model: 'claude-sonnet-4-5', costMicros: 500_000, inputTokens: 300, cacheCreation5mTokens: 10 },
        {
          model: 'claude-haiku-4-5',
          costMicros: 1,
          cacheCreation1hTokens: 20,
          cacheReadTokens: 40,
          unpriced: true,
        },
      ],
      [],
    ];
    const times = ['2026-10-31T23:59:59.999Z', '2026-11-01T00:00:00.000Z', '2026-11-01T08:00:00.000Z'].map(
      at,
    );
    const other = createTestDb();
    try {
      const tracked = agent('writer');
      const inserted = runOnSqlite(
        createAgent(sqliteStore(other.db), {
          name: 'writer',
          model: 'claude-sonnet-4-5',
          defaultPrompt: 'p',
        }),
      ).id;
      for (const [i, createdAt] of times.entries()) {
        recordRun(handle.db, { agentId: tracked, createdAt }, spends[i] ?? []);
        await insertCostedRun(sqliteStore(other.db), { agentId: inserted, createdAt }, spends[i] ?? []);
      }
      expect(written(other.db)).toEqual(written(handle.db));
    } finally {
      other.sqlite.close();
    }
  });
});
