import '../helpers/testEnv';
import { expect, type Page, test } from '@playwright/test';
import { apiClient } from '../helpers/api';
import { answer, approvalsApi, bashCall, eventually } from '../helpers/approvals';
import { type AppServer, startAppServer } from '../helpers/appServer';
import { agentPids } from '../helpers/processes';
import { type ScriptedModelServer, startScriptedModelServer } from '../helpers/scriptedModelServer';
import { collectConsoleErrors } from './pages/consoleErrors';
import { ExecutionPage } from './pages/ExecutionPage';
import { signIn } from './pages/signIn';

/**
 * Approvals answered from the browser after minutes: past the hold (the run parks without a
 * process) and past a kill -9 of the server. Each test waits 3 minutes doing nothing, so this file
 * is a project of its own (`long` in playwright.config.ts) whose tests run in parallel, beside the
 * rest of the suite rather than after it.
 */
test.describe.configure({ mode: 'parallel', timeout: 8 * 60_000 });

const MINUTE = 60_000;
const WAIT_PAST_WATCHDOG_MS = 3 * MINUTE;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let model: ScriptedModelServer;
const servers: AppServer[] = [];
test.beforeAll(async () => {
  model = await startScriptedModelServer();
});
test.afterAll(async () => {
  for (const server of servers) await server.stop();
  await model?.close();
});

async function server(dataDir?: string): Promise<AppServer> {
  const started = await startAppServer({ modelServerUrl: model.url, ...(dataDir && { dataDir }) });
  servers.push(started);
  return started;
}

/** Opens the run's page and approves its waiting call from the card. */
async function approveInBrowser(page: Page, app: AppServer, id: number) {
  await signIn(page, app.url);
  await page.goto(`${app.url}/executions/${id}`);
  const run = new ExecutionPage(page);
  await expect(run.status).toHaveText('awaiting approval');
  const card = page.getByTestId('run-approvals').getByTestId('approval-card');
  await expect(card.getByTestId('approval-status')).toHaveText('waiting');
  await card.getByTestId('approval-approve').click();
  await expect(card.getByTestId('approval-status')).toHaveText('approved');
  await expect(run.status).toHaveText('completed', { timeout: MINUTE });
  return run;
}

test('a call approved from the run page after 3 minutes (past the hold, without a process) completes with the command’s output', async ({
  page,
}) => {
  const app = await server();
  const api = apiClient(app.url);
  const key = 'e2e-long-approve';
  const command = `touch long-${key} && echo long-ran-${key}`;
  model.script(key, [bashCall(command), bashCall(command), answer('done after three minutes')]);
  const agent = await approvalsApi(api, model).askingAgent(key);
  const id = await api.startExecution(agent.id);
  await approvalsApi(api, model).waitForStatus(id, 'awaiting_approval');
  const askedAt = Date.now();
  const errors = collectConsoleErrors(page);

  await eventually(
    'the run to let its process go',
    async () => agentPids(app.databasePath, id).length === 0,
    2 * MINUTE,
  );
  await sleep(Math.max(0, askedAt + WAIT_PAST_WATCHDOG_MS - Date.now()));
  const run = await approveInBrowser(page, app, id);
  await expect(run.steps.filter({ hasText: `long-ran-${key}` }).first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('a call waiting when the server is killed (-9) is still there after the restart; approved from the browser 3 minutes on, the run completes', async ({
  page,
}) => {
  const key = 'e2e-long-kill';
  const command = `touch kill-${key} && echo kill-ran-${key}`;
  // The killed server's Claude Code process outlives it until the restart kills it and may ask the
  // model again meanwhile: the resumed session (told the answer) has a script of its own, found first.
  model.script(`with this input: {"command":"touch kill-${key}`, [
    bashCall(command),
    answer('done after the restart'),
  ]);
  model.script(key, [bashCall(command), answer('the orphan gave up')], { repeatLast: true });
  const first = await server();
  const api = apiClient(first.url);
  const agent = await approvalsApi(api, model).askingAgent(key);
  const id = await api.startExecution(agent.id);
  const pending = await approvalsApi(api, model).pendingOf(id);
  const askedAt = Date.now();
  expect(agentPids(first.databasePath, id).length).toBeGreaterThan(0);
  expect(await first.stop('SIGKILL')).toBeNull();

  const second = await server(first.dataDir);
  const after = apiClient(second.url);
  expect((await approvalsApi(after, model).pendingOf(id)).id).toBe(pending.id);
  const errors = collectConsoleErrors(page);
  await sleep(Math.max(0, askedAt + WAIT_PAST_WATCHDOG_MS - Date.now()));
  const run = await approveInBrowser(page, second, id);
  await expect(run.steps.filter({ hasText: `kill-ran-${key}` }).first()).toBeVisible();
  expect(errors).toEqual([]);
});
