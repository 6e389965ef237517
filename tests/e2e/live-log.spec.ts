import '../helpers/testEnv';
import { type APIRequestContext, expect, test } from '@playwright/test';
import { BEARER } from '../helpers/appServer';
import { gate, type ScriptedBlock } from '../helpers/scriptedModelServer';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { ExecutionPage } from './pages/ExecutionPage';
import { signIn } from './pages/signIn';
import { dropSocket, installSocketControl, isBlockedSocketError, restoreSocket } from './pages/socketControl';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

const USAGE = { input_tokens: 300, output_tokens: 20 };

/** An assistant text block that the log shows as `count` lines: `prefix-1` … `prefix-count`. */
function numberedLines(prefix: string, count: number): ScriptedBlock {
  return { type: 'text', text: Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`).join('\n') };
}

/** Creates an agent (through the API: these tests are about the execution page) and starts a run. */
async function startRun(request: APIRequestContext, key: string): Promise<number> {
  const created = await request.post(`${stack.app.url}/api/agents`, {
    headers: BEARER,
    data: {
      name: `Log agent ${key} ${Date.now()}`,
      model: 'claude-sonnet-4-5',
      defaultPrompt: `Write many lines. ${key}`,
      allowedTools: ['Bash'],
    },
  });
  expect(created.status()).toBe(201);
  const { agent } = (await created.json()) as { agent: { id: number } };
  const started = await request.post(`${stack.app.url}/api/executions`, {
    headers: BEARER,
    data: { agentId: agent.id },
  });
  expect(started.status()).toBe(201);
  const { execution } = (await started.json()) as { execution: { id: number } };
  return execution.id;
}

test('the log follows the tail, holds still when scrolled up, counts new lines and jumps back', async ({
  page,
  request,
}) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  const key = '[script:e2e-log]';
  // The second answer waits until the reader has scrolled up, however slow the machine.
  const scrolledUp = gate();
  stack.model.script(key, [
    {
      content: [
        numberedLines('first', 3_000),
        { type: 'tool_use', name: 'Bash', input: { command: 'echo half-way' } },
      ],
      usage: USAGE,
    },
    { content: [numberedLines('second', 3_000)], usage: USAGE, holdUntil: scrolledUp.opened },
  ]);
  const id = await startRun(request, key);
  await page.goto(`${stack.app.url}/executions/${id}`);
  const execution = new ExecutionPage(page);
  const jump = page.getByTestId('log-jump-latest');

  // Following: the newest line is on screen, and only a window of rows is in the DOM.
  await expect(execution.logLine('half-way')).toBeVisible();
  await expect(execution.logViewer).toHaveAttribute('data-following', 'true');
  expect(await execution.logViewer.getByTestId('log-line').count()).toBeLessThan(150);

  // The reader scrolls up: the view holds still and counts what arrives.
  await execution.logViewer.hover();
  await page.mouse.wheel(0, -1_000_000);
  await expect(execution.logViewer).toHaveAttribute('data-following', 'false');
  await expect(jump).toBeVisible();
  scrolledUp.open();
  await expect(execution.status).toHaveText('completed', { timeout: 60_000 });
  await expect(jump).toHaveText(/^Jump to latest \(\d+ new\)$/);
  const unseen = Number(/\((\d+) new\)/.exec((await jump.textContent()) ?? '')?.[1]);
  expect(unseen).toBeGreaterThanOrEqual(3_000);
  await expect(execution.logLine('second-3000')).toHaveCount(0);
  await expect(execution.logLine('first-1')).toBeVisible();

  // Jump to latest: back at the bottom, following again.
  await jump.click();
  await expect(execution.logLine('second-3000')).toBeVisible();
  await expect(jump).toHaveCount(0);
  await expect(execution.logViewer).toHaveAttribute('data-following', 'true');
  const liveCount = Number(await execution.logViewer.getAttribute('data-line-count'));
  expect(liveCount).toBeGreaterThan(6_000);

  // After a reload the page holds the newest 5,000 lines; the rest load on demand.
  await page.reload();
  await expect(execution.logViewer).toHaveAttribute('data-line-count', '5000');
  await expect(execution.logLine('second-3000')).toBeVisible();
  await page.getByTestId('log-load-earlier').click();
  await expect(execution.logViewer).toHaveAttribute('data-line-count', String(liveCount));
  await expect(page.getByTestId('log-load-earlier')).toHaveCount(0);
  await expect(execution.logLine('second-3000')).toBeVisible();

  expect(errors).toEqual([]);
});

test('a dropped socket reconnects and replays what it missed, with no gap and no duplicate', async ({
  page,
  request,
}) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  await installSocketControl(page);
  const key = '[script:e2e-reconnect]';
  // The run's end waits until the page's socket is down, however slow the machine.
  const socketDown = gate();
  stack.model.script(key, [
    {
      content: [
        numberedLines('before', 50),
        { type: 'tool_use', name: 'Bash', input: { command: 'echo checkpoint' } },
      ],
      usage: USAGE,
    },
    { content: [numberedLines('after', 50)], usage: USAGE, holdUntil: socketDown.opened },
  ]);
  const id = await startRun(request, key);
  await page.goto(`${stack.app.url}/executions/${id}`);
  const execution = new ExecutionPage(page);
  await expect(execution.connection).toHaveText('Live');
  await expect(execution.logLine('checkpoint')).toBeVisible();

  // The socket drops and stays down while the run finishes on the server.
  await dropSocket(page);
  await expect(execution.connection).toHaveText('Reconnecting…');
  socketDown.open();
  await expect
    .poll(
      async () => {
        const response = await request.get(`${stack.app.url}/api/executions/${id}`, { headers: BEARER });
        return ((await response.json()) as { execution: { status: string } }).execution.status;
      },
      { timeout: 60_000 },
    )
    .toBe('completed');
  // "Finished" only when the server says so: the page has not heard yet.
  await expect(execution.status).toHaveText('running');

  // Back: it resubscribes from the last seq it had and gets exactly the missing part.
  await restoreSocket(page);
  await expect(execution.connection).toHaveText('Live');
  await expect(execution.status).toHaveText('completed');
  await expect(execution.logLine('after-50')).toBeVisible();
  await expect(execution.result).toContainText('after-50');
  const liveCount = await execution.logViewer.getAttribute('data-line-count');
  const liveSteps = await execution.stepSummaries();

  await page.reload();
  await expect(execution.status).toHaveText('completed');
  await expect(execution.logViewer).toHaveAttribute('data-line-count', liveCount ?? '');
  expect(await execution.stepSummaries()).toEqual(liveSteps);

  expect(errors.filter((message) => !isBlockedSocketError(message))).toEqual([]);
});
