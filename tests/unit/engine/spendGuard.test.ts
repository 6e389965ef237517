import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/lib/db';
import { onSqlite, runOnSqlite } from '../../../src/lib/db/plan';
import { createAgent, getAgentById } from '../../../src/lib/db/queries/agents';
import { monthKey, monthSpendMicrosOf } from '../../../src/lib/db/queries/costs';
import { insertQueuedExecution } from '../../../src/lib/db/queries/executions';
import { costTracking } from '../../../src/lib/db/schema';
import { sqliteStore } from '../../../src/lib/db/store';
import { SpendGuard } from '../../../src/lib/engine/spendGuard';
import { ledgerOn } from '../../helpers/ledger';
import { createTestDb } from '../../helpers/testDb';

// Sonnet 4.5 on its base tier: $3 input, $15 output per million tokens.
const SONNET = 'claude-sonnet-4-5';
const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const usage = (inputTokens: number, outputTokens: number) => ({
  model: SONNET,
  inputTokens,
  outputTokens,
  cacheCreation5mTokens: 0,
  cacheCreation1hTokens: 0,
  cacheReadTokens: 0,
});

let handle: DbHandle;
beforeEach(() => {
  handle = createTestDb();
});
afterEach(() => handle.sqlite.close());

function guardFor(maxCostPerRunUsd: number | null, workflowCapMicros: number | null = null) {
  const created = runOnSqlite(
    createAgent(sqliteStore(handle.db), { name: 'a', model: SONNET, defaultPrompt: 'p', maxCostPerRunUsd }),
  );
  const agent = runOnSqlite(getAgentById(sqliteStore(handle.db), created.id));
  if (!agent) throw new Error('agent vanished');
  const executionId = onSqlite(handle.db, (store) =>
    insertQueuedExecution(store, {
      agentId: agent.id,
      prompt: 'p',
      model: SONNET,
      trigger: 'manual',
      createdAt: NOW,
    }),
  );
  return {
    agent,
    executionId,
    guard: new SpendGuard(ledgerOn(handle), { executionId, agent, createdAt: NOW, workflowCapMicros }),
  };
}

describe('SpendGuard', () => {
  it('reprices a response whose figures grow instead of counting it twice, and moves the month by the difference', async () => {
    const { agent, executionId, guard } = guardFor(null);
    await guard.observe('msg_1', usage(1_000, 1), NOW); // message_start: input known, output 1
    await guard.observe('msg_1', usage(1_000, 500), NOW); // message_delta: the final output count
    await guard.observe('msg_2', usage(2_000, 100), NOW);
    // 3,000 input × $3 + 600 output × $15 per million = 9,000 + 9,000 µ$
    expect(guard.cost.totalMicros).toBe(18_000);
    const [row] = handle.db.select().from(costTracking).all();
    expect(row).toMatchObject({
      executionId,
      model: SONNET,
      inputTokens: 3_000,
      outputTokens: 600,
      costMicros: 18_000,
      responseCount: 2,
    });
    expect(onSqlite(handle.db, (store) => monthSpendMicrosOf(store, monthKey(NOW), agent.id))).toBe(18_000);
  });

  it('says the per-run cap is reached the moment spend meets it', async () => {
    const { guard } = guardFor(0.01);
    expect(await guard.observe('msg_1', usage(1_000, 100), NOW)).toBeNull(); // 4,500 µ$
    expect(await guard.observe('msg_2', usage(1_000, 100), NOW)).toBeNull(); // 9,000 µ$
    expect(await guard.observe('msg_3', usage(1_000, 100), NOW)).toMatchObject({
      budget: 'per_run',
      limitMicros: 10_000,
      spentMicros: 13_500,
    });
  });

  it('holds a workflow step to what is left of its workflow’s budget', async () => {
    const { guard } = guardFor(null, 5_000);
    expect(await guard.observe('msg_1', usage(1_000, 100), NOW)).toBeNull();
    const breach = await guard.observe('msg_2', usage(200, 20), NOW); // 4,500 + 900 µ$ ≥ 5,000
    expect(breach).toMatchObject({ budget: 'workflow', limitMicros: 5_000 });
    expect(breach?.message).toContain("workflow's budget");
  });
});
