import '../helpers/testEnv';
import { expect, test } from '@playwright/test';
import { agentPids } from '../helpers/processes';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { ExecutionPage } from './pages/ExecutionPage';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

test('cancel from the page while the model is holding a turn', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  const key = '[script:e2e-cancel]';
  stack.model.script(key, [
    {
      content: [{ type: 'tool_use', name: 'Bash', input: { command: 'echo working-on-it' } }],
      usage: { input_tokens: 500, output_tokens: 20 },
    },
    { kind: 'hang' },
  ]);
  const agent = await stack.api.createAgent({ defaultPrompt: `Work slowly ${key}`, allowedTools: ['Bash'] });
  const id = await stack.api.startExecution(agent.id);
  await page.goto(`${stack.app.url}/executions/${id}`);
  const execution = new ExecutionPage(page);
  await expect(execution.logLine('working-on-it')).toBeVisible();
  await expect(execution.status).toHaveText('running');
  expect(agentPids(stack.app.databasePath, id).length).toBeGreaterThan(0);

  // Record every text the status badge shows: the stop is fast enough to blink past a poll.
  await page.evaluate(() => {
    const badge = () => document.querySelector('[data-testid="execution-status"]')?.textContent ?? '';
    const shown = [badge()];
    (window as { __statusTexts?: string[] }).__statusTexts = shown;
    new MutationObserver(() => {
      if (shown.at(-1) !== badge()) shown.push(badge());
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await execution.cancelButton.click();
  // The server's word: cancelled within 3 s, with what was done so far kept.
  await expect(execution.status).toHaveText('cancelled', { timeout: 3_000 });
  // And before it, at once, the page said what was happening.
  const shown = await page.evaluate(() => (window as { __statusTexts?: string[] }).__statusTexts ?? []);
  expect(shown).toEqual(['running', 'cancelling…', 'cancelled']);
  await expect(execution.logLine('working-on-it')).toBeVisible();
  await expect(execution.inputTokens).toHaveText('500');
  await expect(execution.cancelButton).toHaveCount(0);
  expect(agentPids(stack.app.databasePath, id)).toEqual([]);
  expect(errors).toEqual([]);
});
