import '../helpers/testEnv';
import os from 'node:os';
import { expect, test } from '@playwright/test';
import { formatBytes } from '../../src/lib/presentation/format';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { ExecutionPage } from './pages/ExecutionPage';
import { signIn } from './pages/signIn';

const stack = setUpTestStack(
  { beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) },
  { WORKER_LABELS: 'repo-a' },
);

const SCRIPT_KEY = '[script:e2e-workers]';

test('a run waits for a label this server lacks, saying so, and starts once the agent form drops it', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  stack.model.script(SCRIPT_KEY, [{ content: [{ type: 'text', text: 'labelled' }] }], { repeatLast: true });
  const agent = await stack.api.createAgent({ defaultPrompt: `Work ${SCRIPT_KEY}`, requiredLabels: ['gpu'] });
  const runId = await stack.api.startExecution(agent.id);
  await signIn(page, stack.app.url);

  // The Workers page: this server's worker, alive, with its label.
  await page.goto(`${stack.app.url}/workers`);
  const row = page.getByTestId('worker-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-alive', 'true');
  await expect(row.getByTestId('worker-labels')).toHaveText('repo-a');
  await expect(row).toContainText('this server');
  // Its host's figures, as this machine's kernel has them.
  await expect(row.getByTestId('worker-memory')).toContainText(`of ${formatBytes(os.totalmem())}`);
  await expect(row.getByTestId('worker-cpu')).toContainText(`of ${os.cpus().length} cores`);
  await expect(row.getByTestId('worker-disk')).toContainText(/^Disk .+ free of .+$/);
  const workerId = (await row.getAttribute('data-worker-id')) ?? '';

  const run = new ExecutionPage(page);
  await page.goto(`${stack.app.url}/executions/${runId}`);
  await expect(run.status).toHaveText('queued');
  await expect(page.getByTestId('execution-wait-reason')).toHaveText(
    'Queued (#1): waiting for a worker with labels gpu',
  );
  await expect(page.getByTestId('execution-worker')).toContainText('—');

  await page.goto(`${stack.app.url}/agents/${agent.id}`);
  await page.getByTestId('agent-tab-settings').click();
  const labels = page.getByTestId('agent-field-requiredLabels');
  await expect(labels).toHaveValue('gpu');
  await labels.fill('gpu, repo a');
  await page.getByTestId('agent-save').click();
  await expect(page.getByTestId('field-error-requiredLabels')).toHaveText(
    'repo a: No spaces or commas in a label',
  );
  await labels.fill('repo-a');
  await page.getByTestId('agent-save').click();
  await expect(page.getByTestId('agent-saved')).toBeVisible();

  await page.goto(`${stack.app.url}/executions/${runId}`);
  await expect(run.status).toHaveText('completed', { timeout: 30_000 });
  await expect(page.getByTestId('execution-wait-reason')).toHaveCount(0);
  await expect(page.getByTestId('execution-worker')).toContainText(workerId);
  expect(errors).toEqual([]);
});

test('the Workers page follows its worker without a reload: a run that starts counts, and stops counting once cancelled', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  const key = '[script:e2e-workers-live]';
  stack.model.script(key, [{ kind: 'hang' }]);
  const agent = await stack.api.createAgent({ defaultPrompt: `Hang ${key}` });
  await signIn(page, stack.app.url);
  await page.goto(`${stack.app.url}/workers`);
  const running = page.getByTestId('worker-row').getByTestId('worker-running');
  await expect(running).toHaveText('0');

  const runId = await stack.api.startExecution(agent.id);
  await expect(running).toHaveText('1');
  expect((await stack.api.call('POST', `/api/executions/${runId}/cancel`)).status).toBe(202);
  await expect(running).toHaveText('0');
  expect(errors).toEqual([]);
});

test("the Workers page charts this host's load from its worker's beats, drawing each new one, over the hour or the day", async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  await page.goto(`${stack.app.url}/workers`);
  const panel = page.getByTestId('host-load');
  await expect(panel).toHaveAttribute('data-host', os.hostname());
  await expect(page.getByTestId('host-load-host')).toHaveValue(os.hostname());
  await expect(page.getByTestId('host-load-chart').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('host-load-caption')).toContainText('a point every 5.0 s');
  // Its worker beats every 5 s, and the chart reads again every 10 s: a new point comes without a reload.
  const shown = Number(await panel.getAttribute('data-points'));
  expect(shown).toBeGreaterThan(0);
  await expect
    .poll(async () => Number(await panel.getAttribute('data-points')), { timeout: 30_000 })
    .toBeGreaterThan(shown);

  await page.getByTestId('host-load-range-24h').click();
  await expect(panel).toHaveAttribute('data-range', '24h');
  await expect(page.getByTestId('host-load-caption')).toContainText('Last 24 hours');
  await expect(page.getByTestId('host-load-caption')).toContainText('a point every 2 m 00 s');
  expect(errors).toEqual([]);
});
