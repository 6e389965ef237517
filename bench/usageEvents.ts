import fs from 'node:fs';
import path from 'node:path';
import { like, sql } from 'drizzle-orm';
import { startCheckpointer } from '../src/lib/db/checkpointer';
import { onSqlite, rowsOf, runOnSqlite } from '../src/lib/db/plan';
import { createAgent, requireAgent } from '../src/lib/db/queries/agents';
import { insertQueuedExecution } from '../src/lib/db/queries/executions';
import { getAppSettings, updateAppSettings } from '../src/lib/db/queries/settings';
import { appSettings } from '../src/lib/db/schema';
import { sqliteStore } from '../src/lib/db/store';
import { SpendGuard } from '../src/lib/engine/spendGuard';
import { monthlyBudgetEvents } from '../src/lib/notifications/producers';
import { ledgerOn } from '../tests/helpers/ledger';
import { createTestDb } from '../tests/helpers/testDb';
import { type BenchResult, timeIt, timeItAsync } from './measure';
import { sized } from './smoke';

const EVENTS = sized(2_000, 20);
const SETTINGS_READS = 100;
const SAMPLES = sized(200, 3);

/**
 * What the server does for each usage event of a running run (a response's start and its final
 * figures: two per model turn): the spend guard writes the run's spend and checks every budget,
 * and the budget notifications look at the month's budgets. An agent and the whole server under a
 * monthly budget, so every check reads.
 */
export async function benchUsageEvents(): Promise<BenchResult[]> {
  const handle = createTestDb();
  // As the server runs: WAL checkpoints in a worker thread, not inside a usage event's commit.
  const checkpointer = startCheckpointer(handle);
  try {
    const { db } = handle;
    const { id } = runOnSqlite(
      createAgent(sqliteStore(db), {
        name: 'bench',
        model: 'claude-sonnet-4-5',
        defaultPrompt: 'p',
        monthlyBudgetUsd: 1_000,
      }),
    );
    runOnSqlite(updateAppSettings(sqliteStore(db), { monthlyBudgetUsd: 5_000 }));
    const agent = runOnSqlite(requireAgent(sqliteStore(db), id));
    const createdAt = Date.now();
    const executionId = onSqlite(db, (store) =>
      insertQueuedExecution(store, {
        agentId: id,
        prompt: 'p',
        model: agent.model,
        trigger: 'manual',
        createdAt,
      }),
    );
    const guard = new SpendGuard(ledgerOn(handle), {
      executionId,
      agent,
      createdAt,
      workflowCapMicros: null,
    });
    let outputTokens = 0;
    const usage = () => ({
      model: agent.model,
      inputTokens: 1_200,
      outputTokens: ++outputTokens,
      cacheCreation5mTokens: 0,
      cacheCreation1hTokens: 0,
      cacheReadTokens: 30_000,
    });
    // The settings are read on every admission pump and usage event: prepared once per connection.
    // The baseline composes the same select on each read, as a builder (what Postgres is given).
    const store = sqliteStore(db);
    const composed = timeIt(`${SETTINGS_READS} settings reads, drizzle composing each`, SAMPLES, () => {
      for (let i = 0; i < SETTINGS_READS; i++)
        runOnSqlite(
          rowsOf(
            db
              .select({ key: appSettings.key, text: sql<string>`cast(${appSettings.value} as text)` })
              .from(appSettings)
              .where(like(appSettings.key, 'app.%')),
          ),
        );
    });
    return [
      composed,
      {
        ...timeIt(`${SETTINGS_READS} settings reads (getAppSettings, prepared)`, SAMPLES, () => {
          for (let i = 0; i < SETTINGS_READS; i++) runOnSqlite(getAppSettings(store));
        }),
        baseline: composed,
      },
      await timeItAsync(`usage event: spend written, budgets checked (${EVENTS})`, EVENTS, async () => {
        if (await guard.observe('msg_bench', usage(), Date.now())) throw new Error('a budget was reached');
      }),
      await timeItAsync(`usage event: the month's budget notifications (${EVENTS})`, EVENTS, () =>
        monthlyBudgetEvents(sqliteStore(db), Date.now()),
      ),
    ];
  } finally {
    await checkpointer.stop();
    handle.sqlite.close();
    fs.rmSync(path.dirname(handle.path), { recursive: true, force: true });
  }
}
