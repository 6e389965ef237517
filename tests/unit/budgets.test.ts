import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/lib/db';
import { runOnSqlite, transactionOnSqlite } from '../../src/lib/db/plan';
import { createAgent, getAgentById } from '../../src/lib/db/queries/agents';
import { recordExecutionCosts } from '../../src/lib/db/queries/costs';
import { updateAppSettings } from '../../src/lib/db/queries/settings';
import { insertedRow } from '../../src/lib/db/returning';
import { executions } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { assertBudgetLeft, runBudgetBreach, sdkBudgetUsd } from '../../src/lib/engine/budgets';
import { toApiError } from '../../src/lib/http/errors';
import { createTestDb } from '../helpers/testDb';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');

let handle: DbHandle;
beforeEach(() => {
  handle = createTestDb();
});
afterEach(() => handle.sqlite.close());

function agentWith(budgets: { maxCostPerRunUsd?: number | null; monthlyBudgetUsd?: number | null }) {
  const { id } = runOnSqlite(
    createAgent(sqliteStore(handle.db), {
      name: `a${Math.random()}`,
      model: 'claude-sonnet-4-5',
      defaultPrompt: 'p',
      ...budgets,
    }),
  );
  const agent = runOnSqlite(getAgentById(sqliteStore(handle.db), id));
  if (!agent) throw new Error('agent vanished');
  return agent;
}

/** Spend recorded through the real write path, so the monthly summary holds it. */
function spend(agentId: number, costMicros: number, createdAt = NOW) {
  const { id } = insertedRow(
    handle.db
      .insert(executions)
      .values({ agentId, trigger: 'manual', status: 'completed', prompt: 'p', model: 'm', createdAt })
      .returning({ id: executions.id })
      .all(),
  );
  const rows = [
    {
      model: 'claude-sonnet-4-5',
      inputTokens: 0,
      outputTokens: 0,
      cacheCreation5mTokens: 0,
      cacheCreation1hTokens: 0,
      cacheReadTokens: 0,
      costMicros,
      reportedCostMicros: costMicros,
      costSource: 'computed',
      usageSource: 'stream',
      unpriced: false,
      costMismatch: false,
      responseCount: 1,
    },
  ] as const;
  transactionOnSqlite(handle.db, (tx) => recordExecutionCosts(tx, { id, agentId, createdAt }, rows));
}

describe('budgets', () => {
  it('reaching the per-run cap is a breach; just below it is not', () => {
    const agent = agentWith({ maxCostPerRunUsd: 0.05 });
    expect(runOnSqlite(runBudgetBreach(sqliteStore(handle.db), agent, 49_999, NOW))).toBeNull();
    expect(runOnSqlite(runBudgetBreach(sqliteStore(handle.db), agent, 50_000, NOW))).toMatchObject({
      budget: 'per_run',
      limitMicros: 50_000,
      spentMicros: 50_000,
      message: 'Reached the per-run cap of $0.05: $0.05 spent',
    });
  });

  it('counts only this UTC month toward a monthly budget', () => {
    const agent = agentWith({ monthlyBudgetUsd: 1 });
    spend(agent.id, 900_000, Date.parse('2026-10-31T23:59:59.999Z'));
    spend(agent.id, 999_999);
    expect(() => runOnSqlite(assertBudgetLeft(sqliteStore(handle.db), agent, NOW))).not.toThrow();
    spend(agent.id, 1);
    expect(() => runOnSqlite(assertBudgetLeft(sqliteStore(handle.db), agent, NOW))).toThrow(
      `The monthly budget of agent "${agent.name}" ($1.00) is exhausted: $1.00 spent in 2026-11`,
    );
  });

  it('the global budget counts every agent, and its refusal is a 409 naming it', () => {
    const quiet = agentWith({});
    spend(agentWith({}).id, 2_000_000);
    runOnSqlite(updateAppSettings(sqliteStore(handle.db), { monthlyBudgetUsd: 2 }));
    try {
      runOnSqlite(assertBudgetLeft(sqliteStore(handle.db), quiet, NOW));
      expect.unreachable('should have refused');
    } catch (error) {
      // Thrown as a domain error; the route wrapper's mapping makes it the 409.
      expect(toApiError(error)).toMatchObject({
        status: 409,
        code: 'budget_exhausted',
        details: { budget: 'global_monthly', limitUsd: 2, spentUsd: 2 },
      });
    }
  });

  it('gives the SDK the smallest of the cap and what is left of each monthly budget', () => {
    const agent = agentWith({ maxCostPerRunUsd: 0.5, monthlyBudgetUsd: 1 });
    expect(runOnSqlite(sdkBudgetUsd(sqliteStore(handle.db), agentWith({}), NOW))).toBeUndefined();
    expect(runOnSqlite(sdkBudgetUsd(sqliteStore(handle.db), agent, NOW))).toBe(0.5);
    spend(agent.id, 700_000);
    expect(runOnSqlite(sdkBudgetUsd(sqliteStore(handle.db), agent, NOW))).toBe(0.3);
    runOnSqlite(updateAppSettings(sqliteStore(handle.db), { monthlyBudgetUsd: 0.8 }));
    expect(runOnSqlite(sdkBudgetUsd(sqliteStore(handle.db), agent, NOW))).toBe(0.1);
    spend(agent.id, 200_000);
    expect(runOnSqlite(sdkBudgetUsd(sqliteStore(handle.db), agent, NOW))).toBe(0);
  });
});
