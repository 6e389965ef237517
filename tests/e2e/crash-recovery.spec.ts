import '../helpers/testEnv';
import { expect, test } from '@playwright/test';
import { apiClient } from '../helpers/api';
import { type AppServer, startAppServer } from '../helpers/appServer';
import { pidsWithEnv } from '../helpers/processes';
import { type ScriptedModelServer, startScriptedModelServer } from '../helpers/scriptedModelServer';
import { collectConsoleErrors } from './pages/consoleErrors';
import { ExecutionPage } from './pages/ExecutionPage';
import { signIn } from './pages/signIn';

let model: ScriptedModelServer;
const servers: AppServer[] = [];

test.beforeAll(async () => {
  model = await startScriptedModelServer();
});
test.afterAll(async () => {
  for (const server of servers) await server.stop('SIGKILL');
  await model?.close();
});

/**
 * While the server is down, Chromium reports each failed request as a console error: the socket's
 * refused reconnects, and Next's link prefetches cut off or refused (it keeps those as plain
 * navigations for a later click). Nothing else may be logged then, and nothing at all before or after.
 */
const isRequestFailure = (message: string) =>
  /WebSocket connection to 'ws:\/\/[^']+\/ws' failed|Failed to load resource: net::ERR_|Failed to fetch RSC payload/.test(
    message,
  );

test('kill -9 mid-run: every line the page showed is stored, and after a restart the page shows the run interrupted', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  const victim = await startAppServer({ modelServerUrl: model.url });
  servers.push(victim);
  await signIn(page, victim.url);
  const key = '[script:e2e-sigkill]';
  model.script(key, [
    { content: [{ type: 'tool_use', name: 'Bash', input: { command: 'seq 1 300' } }] },
    { kind: 'hang' },
  ]);
  const api = apiClient(victim.url);
  const agent = await api.createAgent({ defaultPrompt: `Count ${key}`, allowedTools: ['Bash'] });
  const id = await api.startExecution(agent.id);
  await page.goto(`${victim.url}/executions/${id}`);
  const execution = new ExecutionPage(page);
  await expect(execution.logLine('300')).toBeVisible();
  await expect(execution.status).toHaveText('running');
  expect(pidsWithEnv('CLAUDEOPS_INSTANCE', victim.databasePath).length).toBeGreaterThan(0);
  expect(errors).toEqual([]);

  await victim.stop('SIGKILL');
  await expect(execution.connection).not.toHaveText('Live');
  const shown = await execution.allLogLines();
  expect(shown.size).toBeGreaterThan(300);

  // Same data dir and port: the tab reconnects to the restarted server on its own.
  const again = await startAppServer({
    modelServerUrl: model.url,
    dataDir: victim.dataDir,
    env: { PORT: String(victim.port) },
  });
  servers.push(again);
  await expect(execution.connection).toHaveText('Live', { timeout: 20_000 });
  const whileDown = errors.splice(0);
  expect(whileDown.filter((message) => !isRequestFailure(message))).toEqual([]);
  await expect(execution.status).toHaveText('interrupted');
  expect(pidsWithEnv('CLAUDEOPS_INSTANCE', victim.databasePath)).toEqual([]);

  const stored = (await apiClient(again.url).call('GET', `/api/executions/${id}/logs?limit=10000`)).body as {
    items: { seq: number; text: string }[];
  };
  const storedBySeq = new Map(stored.items.map((line) => [line.seq, line.text]));
  const missing = [...shown].filter(([seq, text]) => storedBySeq.get(seq) !== text);
  expect(missing).toEqual([]);
  expect(errors).toEqual([]);
});
