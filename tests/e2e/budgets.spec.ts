import '../helpers/testEnv';
import { expect, test } from '@playwright/test';
import { setUpTestStack } from '../helpers/stack';
import { AgentFormPage } from './pages/AgentFormPage';
import { CostsPage } from './pages/CostsPage';
import { collectConsoleErrors } from './pages/consoleErrors';
import { DashboardPage } from './pages/DashboardPage';
import { ExecutionPage } from './pages/ExecutionPage';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

const SCRIPT_KEY = '[script:e2e-budget]';

test('a per-run cap set in the form stops a run; the costs page, the dashboard and a global budget follow', async ({
  page,
}, testInfo) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  // A model that keeps calling a tool: each response is 5,000 × $3 + 500 × $15 per MTok = $0.0225.
  stack.model.script(
    SCRIPT_KEY,
    [
      {
        content: [{ type: 'tool_use', name: 'Bash', input: { command: 'echo tick' } }],
        usage: { input_tokens: 5_000, output_tokens: 500 },
        chunkDelayMs: 150,
      },
    ],
    { repeatLast: true },
  );

  // The agent, with its cap, through the form.
  await page.goto(`${stack.app.url}/agents/new`);
  const agentName = `Capped ${Date.now()}`;
  const form = new AgentFormPage(page);
  await form.fill({
    name: agentName,
    model: 'claude-sonnet-4-5',
    defaultPrompt: `Keep going. ${SCRIPT_KEY}`,
    allowedTools: 'Bash',
    maxTurns: '50',
    maxCostPerRunUsd: '-1',
  });
  await form.save.click();
  await expect(form.fieldError('maxCostPerRunUsd')).toHaveText('Must be more than 0, or null for no limit');
  await form.field('maxCostPerRunUsd').fill('0.05');
  await form.save.click();
  await expect(page).toHaveURL(/\/agents\/\d+/);

  // Run it: it is stopped on the cap, with the spend shown to the micro-dollar.
  const dashboard = new DashboardPage(page, stack.app.url);
  await dashboard.goto();
  await dashboard.runButton(agentName).click();
  await expect(page).toHaveURL(/\/executions\/\d+$/);
  const execution = new ExecutionPage(page);
  const executionId = execution.id();
  await expect(execution.status).toHaveText('over budget', { timeout: 60_000 });
  await expect(execution.error).toContainText('per-run cap of $0.05');
  const row = execution.costRow('claude-sonnet-4-5');
  await expect(row.getByTestId('cost-inputTokens')).toHaveText('15,000');
  // Two full responses and the third one's input, stopped as it started: 2 × 22,500 + 15,000 + 15 µ$:
  // cents on the page, the micro-dollar figure on hover.
  await expect(row.getByTestId('cost-usd')).toHaveText('$0.06');
  await expect(row.getByTestId('cost-usd').locator('[title]')).toHaveAttribute('title', '$0.060015');
  await page.screenshot({ path: testInfo.outputPath('budget-exceeded.png'), fullPage: true });

  // A global budget of $0.07: the spend is past 80%, and the dashboard says so.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-field-monthlyBudgetUsd').fill('0.07');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await dashboard.goto();
  await expect(page.getByTestId('budget-warning')).toHaveAttribute('data-level', 'warning');

  // The costs page reads the same spend.
  const costs = new CostsPage(page, stack.app.url);
  await costs.goto();
  await expect(costs.monthToDate).toHaveText('$0.06');
  await expect(costs.topExecution(executionId)).toBeVisible();
  await expect(costs.budget('All agents')).toHaveAttribute('data-level', 'warning');
  await page.screenshot({ path: testInfo.outputPath('costs.png'), fullPage: true });

  // Lowered below the spend, the budget refuses the next run, and the page says which budget.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-field-monthlyBudgetUsd').fill('0.05');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await dashboard.goto();
  await dashboard.runButton(agentName).click();
  await expect(page.getByTestId('run-error')).toContainText('The global monthly budget ($0.05) is exhausted');
  await expect(page).toHaveURL(`${stack.app.url}/`);
  // The browser logs the refused request itself; nothing else went wrong.
  expect(errors.filter((error) => !error.includes('409'))).toEqual([]);
});
