import '../helpers/testEnv';
import { expect, test } from '@playwright/test';
import { BEARER } from '../helpers/appServer';
import { structuredOutputTurn } from '../helpers/scriptedModelServer';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { HealthCard } from './pages/HealthCard';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

test('the dashboard shows the latest health report live, and never calls a run without a valid report ok', async ({
  page,
  request,
}) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  const card = new HealthCard(page);
  await expect(card.card.getByTestId('health-empty')).toBeVisible();
  // Paused on a fresh install: a run costs money.
  await expect(card.scheduleSwitch).toHaveAttribute('data-enabled', 'false');

  const health = await stack.api.healthReporter();
  const warningKey = '[script:e2e-health-warning]';
  stack.model.script(warningKey, [
    { content: [{ type: 'tool_use', name: 'mcp__claudeops__current_metrics', input: {} }] },
    structuredOutputTurn({
      status: 'warning',
      summary: 'The root disk fills within ten days.',
      findings: [
        { area: 'disk /', severity: 'warning', message: '80% full, growing 2 GiB a day' },
        { area: 'memory', severity: 'info', message: '25% available' },
      ],
      recommendations: ['Clear old logs under /var/log'],
    }),
  ]);
  const warningRun = await stack.api.startExecution(health.id, `Check the machine ${warningKey}`);
  // The card follows the run live: no reload.
  await expect(card.status).toHaveAttribute('data-status', 'warning', { timeout: 30_000 });
  await expect(card.summary).toHaveText('The root disk fills within ten days.');
  await expect(card.findings).toHaveText([
    /disk \/\s*80% full, growing 2 GiB a day/,
    /memory\s*25% available/,
  ]);
  await expect(card.ticks).toHaveCount(1);
  await expect(card.ticks.first()).toHaveAttribute('href', `/executions/${warningRun}`);

  const invalidKey = '[script:e2e-health-invalid]';
  stack.model.script(invalidKey, [structuredOutputTurn({ status: 'fine' })], { repeatLast: true });
  await stack.api.startExecution(health.id, `Check the machine ${invalidKey}`);
  await expect(card.status).toHaveAttribute('data-status', 'invalid', { timeout: 30_000 });
  await expect(card.status).toHaveText('no valid report');
  await expect(card.invalid).toBeVisible();
  await expect(card.findings).toHaveCount(0);

  // The same after a reload, read from what was stored; the strip says what its colours are.
  await page.reload();
  await expect(card.status).toHaveAttribute('data-status', 'invalid');
  await expect(card.ticks).toHaveCount(2);
  await expect(card.ticks.nth(0)).toHaveAttribute('data-status', 'warning');
  await expect(card.card.getByTestId('health-legend')).toHaveText(/warning: 1.*no valid report: 1/);

  // The health page: Run now starts the reporter there; its report tops the page when it ends.
  const okKey = '[script:e2e-health-ok]';
  stack.model.script(okKey, [
    structuredOutputTurn({
      status: 'critical',
      summary: 'Swap is full.',
      findings: [{ area: 'memory', severity: 'critical', message: 'swap 100% used' }],
      recommendations: ['Add memory'],
    }),
  ]);
  await page.getByTestId('nav-health').click();
  await expect(page).toHaveURL(/\/health$/);
  const history = page.getByTestId('health-list-item');
  await expect(history).toHaveCount(2);
  // The default prompt carries no script key: this run is scripted through its agent's prompt.
  const patched = await request.patch(`${stack.app.url}/api/agents/${health.id}`, {
    headers: BEARER,
    data: { defaultPrompt: `Check the machine ${okKey}` },
  });
  expect(patched.status()).toBe(200);
  await page.getByTestId('health-run-now').click();
  await expect(page.getByTestId('health-run-started')).toHaveText(/^Run #\d+ started$/);
  const latest = page.getByTestId('health-latest');
  await expect(latest.getByTestId('health-status')).toHaveAttribute('data-status', 'critical', {
    timeout: 30_000,
  });
  await expect(latest.getByTestId('health-summary')).toHaveText('Swap is full.');
  await expect(latest.getByTestId('health-finding')).toHaveAttribute('data-severity', 'critical');
  await expect(history).toHaveCount(3);
  await expect(history.first()).toHaveAttribute('data-status', 'critical');
  // The raw answer is behind a toggle.
  await expect(latest.getByTestId('health-raw-json')).toBeHidden();
  await latest.getByTestId('health-raw-toggle').click();
  await expect(latest.getByTestId('health-raw-json')).toContainText('"summary": "Swap is full."');
  await page.getByTestId('nav-dashboard').click();

  // The switch turns the hourly schedule on: the schedules API agrees, and so does a reload.
  const builtInSchedule = async () => {
    const listed = await request.get(`${stack.app.url}/api/schedules`, { headers: BEARER });
    const { items } = (await listed.json()) as {
      items: { name: string; enabled: boolean; nextRuns: string[] }[];
    };
    return items.find((item) => item.name === 'System health, hourly');
  };
  await card.scheduleSwitch.getByRole('checkbox').check();
  await expect(card.scheduleSwitch).toHaveAttribute('data-enabled', 'true');
  await expect(card.scheduleSwitch).toHaveText('Report every hour');
  await expect(card.scheduleSwitch.getByRole('checkbox')).toBeChecked();
  // The switch moves at once and is disabled until the server answers: read the API once it has.
  await expect(card.scheduleSwitch.getByRole('checkbox')).toBeEnabled();
  const enabled = await builtInSchedule();
  expect(enabled?.enabled).toBe(true);
  expect(enabled?.nextRuns.map((at) => new Date(at).getUTCMinutes())).toEqual([0, 0, 0, 0, 0]);
  await page.reload();
  await expect(card.scheduleSwitch).toHaveAttribute('data-enabled', 'true');
  // And off again, before the top of the hour could start a run nobody scripted.
  await card.scheduleSwitch.getByRole('checkbox').uncheck();
  await expect(card.scheduleSwitch).toHaveAttribute('data-enabled', 'false');
  await expect(card.scheduleSwitch.getByRole('checkbox')).not.toBeChecked();
  await expect(card.scheduleSwitch.getByRole('checkbox')).toBeEnabled();
  expect((await builtInSchedule())?.enabled).toBe(false);
  expect(errors).toEqual([]);
});
