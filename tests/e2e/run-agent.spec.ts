import '../helpers/testEnv';
import { expect, test } from '@playwright/test';
import { BEARER } from '../helpers/appServer';
import { gate } from '../helpers/scriptedModelServer';
import { setUpTestStack } from '../helpers/stack';
import { AgentFormPage } from './pages/AgentFormPage';
import { collectConsoleErrors } from './pages/consoleErrors';
import { DashboardPage } from './pages/DashboardPage';
import { ExecutionPage } from './pages/ExecutionPage';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

const SCRIPT_KEY = '[script:e2e-1]';
// printf's output differs from its command line, so the output lines can only come from the tool.
const COMMAND = "printf 'line-%s\\n' one two";
const USAGE = { input_tokens: 1200, output_tokens: 80 };

test('create an agent, run it, watch it live, and find the same run after a reload', async ({
  page,
  context,
  request,
}, testInfo) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  const agentName = `E2E agent ${Date.now()}`;
  const finalAnswer = gate();
  stack.model.script(SCRIPT_KEY, [
    {
      content: [
        { type: 'text', text: 'I will print two lines.' },
        { type: 'tool_use', name: 'Bash', input: { command: COMMAND, description: 'Print two lines' } },
      ],
      usage: USAGE,
    },
    // The final answer waits for the test: the run stays `running` while it looks at the tool's output.
    {
      content: [{ type: 'text', text: 'Printed line-one and line-two.' }],
      usage: USAGE,
      holdUntil: finalAnswer.opened,
    },
  ]);

  // Arrange: a second tab keeps the dashboard open, to see the run arrive there without a reload.
  const watcher = await context.newPage();
  const watcherErrors = collectConsoleErrors(watcher);
  const watcherDashboard = new DashboardPage(watcher, stack.app.url);
  await watcherDashboard.goto();
  await expect(watcherDashboard.connection).toHaveText('Live');

  // The dashboard → New agent.
  const dashboard = new DashboardPage(page, stack.app.url);
  await dashboard.goto();
  await expect(dashboard.connection).toHaveText('Live');
  await dashboard.newAgentLink.click();
  await expect(page).toHaveURL(/\/agents\/new$/);

  // A bad value first: the error shows beside its field and nothing is created.
  const form = new AgentFormPage(page);
  await form.fill({
    name: agentName,
    description: 'Prints two lines with Bash',
    model: 'claude-sonnet-4-5',
    defaultPrompt: `Print two lines with Bash. ${SCRIPT_KEY}`,
    allowedTools: 'Bash',
    maxTurns: '0',
  });
  await form.save.click();
  await expect(form.fieldError('maxTurns')).toHaveText('At least 1');
  await expect(form.field('maxTurns')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.field('maxTurns')).toBeFocused();
  await page.screenshot({ path: testInfo.outputPath('agent-form-error.png'), fullPage: true });
  await expect(page).toHaveURL(/\/agents\/new$/);
  const listed = (await (await request.get(`${stack.app.url}/api/agents`, { headers: BEARER })).json()) as {
    items: { name: string }[];
  };
  expect(listed.items.map((agent) => agent.name)).not.toContain(agentName);

  // Fixed and saved.
  await form.field('maxTurns').fill('5');
  await form.save.click();
  await expect(page).toHaveURL(/\/agents\/\d+/);
  await expect(page.getByTestId('agent-created')).toBeVisible();
  await expect(form.fieldError('maxTurns')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('agent-created.png'), fullPage: true });

  // Back to the dashboard and Run.
  await page.getByTestId('nav-dashboard').click();
  await expect(dashboard.agentRow(agentName)).toBeVisible();
  await dashboard.runButton(agentName).click();
  await expect(page).toHaveURL(/\/executions\/\d+$/);
  const execution = new ExecutionPage(page);
  const executionId = execution.id();

  // Live: the tool's output is on screen while the run is still going.
  await expect(execution.logLine('line-one')).toBeVisible();
  await expect(execution.logLine('line-two')).toBeVisible();
  await expect(execution.status).toHaveText('running');
  await expect(execution.connection).toHaveText('Live');
  await expect(execution.toolStep('Bash')).toHaveAttribute('data-state', 'ok');
  await page.screenshot({ path: testInfo.outputPath('execution-running.png'), fullPage: true });
  finalAnswer.open();

  // It ends completed, with the scripted tokens and a cost.
  await expect(execution.status).toHaveText('completed', { timeout: 60_000 });
  await expect(execution.inputTokens).toHaveText('2,400');
  await expect(execution.outputTokens).toHaveText('160');
  await expect(execution.cacheWriteTokens).toHaveText('0');
  await expect(execution.cacheReadTokens).toHaveText('0');
  await expect(execution.cost).toHaveText(/^\$\d+\.\d{4}$/);
  expect(Number((await execution.cost.textContent())?.slice(1))).toBeGreaterThan(0);
  await expect(execution.credential).toHaveText('ANTHROPIC_API_KEY');
  await expect(execution.result).toContainText('Printed line-one and line-two.');
  await expect(execution.error).toHaveCount(0);

  // The tool row opens to the command and the tool's output.
  const tool = execution.toolStep('Bash');
  await tool.getByTestId('step-toggle').click();
  await expect(tool.getByTestId('step-command')).toHaveText(`$ ${COMMAND}`);
  await expect(tool.getByTestId('step-output')).toHaveText('line-one\nline-two');
  await page.screenshot({ path: testInfo.outputPath('execution-completed.png'), fullPage: true });

  const steps = await execution.stepSummaries();
  const lines = await execution.logLines();
  const tokens = [await execution.inputTokens.textContent(), await execution.outputTokens.textContent()];
  const cost = await execution.cost.textContent();
  expect(steps.length).toBeGreaterThanOrEqual(5);
  expect(lines).toEqual(expect.arrayContaining(['line-one', 'line-two']));
  expect(lines.filter((line) => line === 'line-one')).toHaveLength(1);

  // A reload shows the same run from the database.
  await page.reload();
  await expect(execution.status).toHaveText('completed');
  await expect(execution.logLine('line-two')).toBeVisible();
  expect(await execution.stepSummaries()).toEqual(steps);
  expect(await execution.logLines()).toEqual(lines);
  expect([await execution.inputTokens.textContent(), await execution.outputTokens.textContent()]).toEqual(
    tokens,
  );
  await expect(execution.cost).toHaveText(cost ?? '');

  // The open dashboard got the run live, and its month-to-date spend followed.
  const row = watcherDashboard.executionRow(executionId);
  await expect(row).toHaveAttribute('data-status', 'completed');
  await expect(row.getByTestId('status-badge')).toHaveText('completed');
  await expect(watcherDashboard.monthSpend).not.toHaveText('$0');
  await watcher.screenshot({ path: testInfo.outputPath('dashboard.png'), fullPage: true });

  expect(errors).toEqual([]);
  expect(watcherErrors).toEqual([]);
});

test("the server's answer to a taken name shows beside the name field", async ({ page, request }) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  const taken = `Taken name ${Date.now()}`;
  const created = await request.post(`${stack.app.url}/api/agents`, {
    headers: BEARER,
    data: { name: taken, model: 'claude-sonnet-4-5', defaultPrompt: 'Say hi' },
  });
  expect(created.status()).toBe(201);

  await page.goto(new URL('/agents/new', stack.app.url).toString());
  const form = new AgentFormPage(page);
  await form.fill({ name: taken, model: 'claude-haiku-4-5', defaultPrompt: 'Say hello' });
  await form.save.click();

  await expect(form.fieldError('name')).toBeVisible();
  await expect(form.fieldError('name')).not.toBeEmpty();
  await expect(form.field('name')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.formError).toHaveCount(0);
  await expect(page).toHaveURL(/\/agents\/new$/);
  const listed = (await (await request.get(`${stack.app.url}/api/agents`, { headers: BEARER })).json()) as {
    items: { name: string }[];
  };
  expect(listed.items.filter((agent) => agent.name === taken)).toHaveLength(1);

  // Chromium logs every non-2xx fetch; the 409 is the point of this test.
  expect(errors.filter((message) => !message.includes('status of 409'))).toEqual([]);
});
