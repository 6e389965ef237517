import '../helpers/testEnv';
import { expect, test } from '@playwright/test';
import { gate } from '../helpers/scriptedModelServer';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { ExecutionPage } from './pages/ExecutionPage';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

test('a rate-limited API call shows live why and when Claude Code retries, then the run goes on', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  const key = '[script:e2e-api-retry]';
  // The answer after the retry waits until the page has shown the retry, however slow the machine.
  const retrySeen = gate();
  stack.model.script(key, [
    {
      kind: 'http_error',
      status: 429,
      errorType: 'rate_limit_error',
      message: 'slow down',
      headers: { 'retry-after': '4' },
    },
    { content: [{ type: 'text', text: 'made it after the wait' }], holdUntil: retrySeen.opened },
  ]);
  const agent = await stack.api.createAgent({ defaultPrompt: `Be patient ${key}` });
  const id = await stack.api.startExecution(agent.id);
  await page.goto(`${stack.app.url}/executions/${id}`);
  const execution = new ExecutionPage(page);

  // "retrying now" once the wait is over (the answer after it is held until the page has seen it).
  const retryText =
    /^Rate limited \(429\): retry 1\/10 in (\d+(?:\.\d)?) s · (?:retrying in \d+ s|retrying now)$/;
  await expect(execution.apiRetry).toHaveText(retryText);
  // Claude Code waits at least what retry-after asks (4 s); on a loaded machine it has said 5.
  const announced = Number(retryText.exec((await execution.apiRetry.textContent()) ?? '')?.[1]);
  expect(announced).toBeGreaterThanOrEqual(4);
  expect(announced).toBeLessThanOrEqual(6);
  await expect(execution.apiRetries).toHaveText('1');
  await expect(execution.status).toHaveText('running');
  await expect(
    execution.page.getByTestId('step-summary').filter({ hasText: 'Rate limited (429)' }),
  ).toBeVisible();
  retrySeen.open();

  await expect(execution.status).toHaveText('completed', { timeout: 15_000 });
  await expect(execution.apiRetry).toHaveCount(0);
  await expect(execution.result).toContainText('made it after the wait');
  await expect(execution.apiRetries).toHaveText('1');
  expect(errors).toEqual([]);
});
