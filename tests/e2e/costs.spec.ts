import '../helpers/testEnv';
import { spawnSync } from 'node:child_process';
import { expect, type Page, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { formatUsd } from '../../src/lib/presentation/format';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

const DAY_MS = 86_400_000;

/** Moves a finished run (and so its spend, which belongs to its creation day) `days` back. */
function backdate(databasePath: string, executionId: number, days: number): void {
  const db = new Database(databasePath);
  try {
    db.pragma('busy_timeout = 10000');
    db.prepare(
      `update executions set created_at = created_at - @shift, started_at = started_at - @shift,
         finished_at = finished_at - @shift where id = @id`,
    ).run({ id: executionId, shift: days * DAY_MS });
  } finally {
    db.close();
  }
}

/** The operator's `npm run costs:rebuild`: the daily and monthly summaries follow the moved runs. */
function rebuildCostSummaries(databasePath: string): void {
  const result = spawnSync('npx', ['tsx', 'scripts/rebuild-cost-summaries.ts'], {
    env: { ...process.env, DATABASE_PATH: databasePath },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`costs:rebuild failed: ${result.stderr}`);
}

const micros = (usd: number) => Math.round(usd * 1_000_000);
const usdOf = (...costs: number[]) => costs.reduce((sum, cost) => sum + micros(cost), 0) / 1_000_000;

test('switching the cost range changes the total and the spend by agent as a reader sees them', async ({
  page,
}, testInfo) => {
  const errors = collectConsoleErrors(page);
  const { api, model, app } = stack;
  model.script(
    '[script:spend-a]',
    [{ content: [{ type: 'text', text: 'done' }], usage: { input_tokens: 100_000, output_tokens: 2_000 } }],
    { repeatLast: true },
  );
  model.script('[script:spend-b]', [
    { content: [{ type: 'text', text: 'done' }], usage: { input_tokens: 200_000, output_tokens: 1_000 } },
  ]);
  const a = await api.createAgent({ name: 'Spender A', defaultPrompt: 'Spend [script:spend-a]' });
  const b = await api.createAgent({ name: 'Spender B', defaultPrompt: 'Spend [script:spend-b]' });
  // Three real runs against the scripted model: one stays today, one moves 20 days back, one 60.
  const today = await api.waitForEnd(await api.startExecution(a.id));
  const older = await api.waitForEnd(await api.startExecution(a.id));
  const oldest = await api.waitForEnd(await api.startExecution(b.id));
  for (const run of [today, older, oldest]) {
    expect(run.status).toBe('completed');
    expect(run.costUsd).toBeGreaterThan(0);
  }
  backdate(app.databasePath, older.id, 20);
  backdate(app.databasePath, oldest.id, 60);
  rebuildCostSummaries(app.databasePath);

  await signIn(page, app.url);
  await page.goto(`${app.url}/costs`);
  const total = page.getByTestId('cost-range-total');
  const agentCost = (agentId: number) =>
    page.locator(`[data-testid="agent-spend-row"][data-id="${agentId}"]`).getByTestId('target-spend-cost');
  const pick = async (range: string) => {
    await page.getByTestId(`cost-range-${range}`).click();
    await expect(page).toHaveURL(new RegExp(`range=${range}$`));
  };
  const shows = async (
    page: Page,
    expected: { total: number; days: number; a: number | null; b: number | null },
  ) => {
    await expect(total).toHaveText(`${formatUsd(expected.total)} in ${expected.days} days (UTC)`);
    for (const [agentId, cost] of [
      [a.id, expected.a],
      [b.id, expected.b],
    ] as const) {
      if (cost === null) await expect(agentCost(agentId)).toHaveCount(0);
      else await expect(agentCost(agentId)).toHaveText(formatUsd(cost));
    }
    await expect(page.getByTestId('cost-range-issue')).toHaveCount(0);
  };

  // The default range is 30 days: today's run and the one 20 days back.
  await shows(page, {
    total: usdOf(today.costUsd, older.costUsd),
    days: 30,
    a: usdOf(today.costUsd, older.costUsd),
    b: null,
  });
  await pick('7d');
  await shows(page, { total: usdOf(today.costUsd), days: 7, a: usdOf(today.costUsd), b: null });
  await pick('90d');
  await shows(page, {
    total: usdOf(today.costUsd, older.costUsd, oldest.costUsd),
    days: 90,
    a: usdOf(today.costUsd, older.costUsd),
    b: usdOf(oldest.costUsd),
  });
  await page.screenshot({ path: testInfo.outputPath('costs-90d.png'), fullPage: true });

  // A custom range of the one day 60 days back holds only agent B's run.
  const day = new Date(oldest.createdAt - 60 * DAY_MS).toISOString().slice(0, 10);
  await page.getByTestId('cost-range-from').fill(day);
  await page.getByTestId('cost-range-to').fill(day);
  await page.getByTestId('cost-range-apply').click();
  await expect(page).toHaveURL(new RegExp(`from=${day}&to=${day}`));
  await expect(total).toHaveText(`${formatUsd(usdOf(oldest.costUsd))} in 1 day (UTC)`);
  await expect(agentCost(b.id)).toHaveText(formatUsd(usdOf(oldest.costUsd)));
  await expect(agentCost(a.id)).toHaveCount(0);
  expect(errors).toEqual([]);
});
