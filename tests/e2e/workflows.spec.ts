import '../helpers/testEnv';
import { expect, test } from '@playwright/test';
import { BEARER } from '../helpers/appServer';
import type { ScriptedTurn } from '../helpers/scriptedModelServer';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { DashboardPage } from './pages/DashboardPage';
import { ExecutionPage } from './pages/ExecutionPage';
import { signIn } from './pages/signIn';
import { WorkflowEditorPage } from './pages/WorkflowEditorPage';
import { recordNodeStatuses, WorkflowRunPage } from './pages/WorkflowRunPage';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

/** A slow final answer: the step stays `running` long enough to be seen. */
const slowAnswer = (text: string, delayMs: number): ScriptedTurn => ({
  content: [{ type: 'text', text }],
  usage: { input_tokens: 900, output_tokens: 40 },
  delayMs,
});

test('build a three-step workflow in the editor, run it, and watch its graph turn queued, running, completed live', async ({
  page,
}, testInfo) => {
  const errors = collectConsoleErrors(page);
  const keys = {
    busy: '[script:e2e-wf-busy]',
    scan: '[script:e2e-wf-scan]',
    disks: '[script:e2e-wf-disks]',
    memory: '[script:e2e-wf-memory]',
  };
  stack.model.script(keys.busy, [slowAnswer('Busy elsewhere.', 6_000)]);
  stack.model.script(keys.scan, [slowAnswer('Services: nginx, postgres.', 3_000)]);
  stack.model.script(keys.disks, [slowAnswer('Disks are fine.', 3_000)]);
  stack.model.script(keys.memory, [slowAnswer('Memory is fine.', 3_000)]);
  // One run of this agent at a time: each step waits its turn, queued, where the page can see it.
  const agentName = `Checker ${Date.now()}`;
  const agent = await stack.api.createAgent({
    name: agentName,
    defaultPrompt: `Be busy ${keys.busy}`,
    maxConcurrentRuns: 1,
  });
  await signIn(page, stack.app.url);

  // The nav → Workflows → New workflow.
  const dashboard = new DashboardPage(page, stack.app.url);
  await page.getByTestId('nav-workflows').click();
  await page.getByTestId('new-workflow-link').click();
  await expect(page).toHaveURL(/\/workflows\/new$/);
  const editor = new WorkflowEditorPage(page);
  await editor.field('name').fill('Host check');
  await editor.addInput.click();
  await editor.inputField(0, 'name').fill('host');
  await editor.inputField(0, 'label').fill('Host');
  await editor.inputField(0, 'required').check();
  await editor.fillStep(0, { key: 'scan', agent: agentName, prompt: `Scan {{input.host}} ${keys.scan}` });
  await editor.addStep.click();
  await editor.fillStep(1, {
    key: 'disks',
    agent: agentName,
    prompt: `Disks ${keys.disks}\n{{steps.scan.result}}`,
    dependsOn: ['scan'],
  });
  await editor.addStep.click();
  // A mistake first: "memory" reads the disks' result without waiting for it.
  await editor.fillStep(2, {
    key: 'memory',
    agent: agentName,
    prompt: `Memory ${keys.memory}\n{{steps.disks.result}}`,
    dependsOn: ['scan'],
  });
  await expect(editor.graphNodes).toHaveCount(3);
  await expect(editor.graphEdges).toHaveCount(2);
  await editor.save.click();

  // The browser's own check, beside the step's prompt; nothing is sent.
  await expect(editor.fieldError('steps.2.prompt')).toContainText(
    'step "disks" does not run before this one',
  );
  await expect(editor.stepField(2, 'prompt')).toHaveAttribute('aria-invalid', 'true');
  await expect(editor.stepField(2, 'prompt')).toBeFocused();
  await expect(page).toHaveURL(/\/workflows\/new$/);
  await page.screenshot({ path: testInfo.outputPath('workflow-editor-error.png'), fullPage: true });

  await editor.stepField(2, 'prompt').fill(`Memory ${keys.memory}\n{{steps.scan.result}}`);
  await editor.save.click();
  await expect(page).toHaveURL(/\/workflows\/\d+\?created=1$/);
  await expect(page.getByTestId('workflow-title')).toContainText('Host check');
  await expect(page.getByTestId('graph-node')).toHaveCount(3);
  await page.screenshot({ path: testInfo.outputPath('workflow-page.png'), fullPage: true });

  // The agent is busy with another run, so the first step will wait queued.
  const busyRun = await stack.api.startExecution(agent.id);
  await recordNodeStatuses(page);
  await page.getByTestId('run-workflow').click();
  await expect(page.getByTestId('field-error-input.host')).toHaveText('Host is required');
  await page.getByTestId('run-input-host').fill('web1');
  await page.getByTestId('run-workflow').click();
  await expect(page).toHaveURL(/\/workflow-runs\/\d+$/);
  const run = new WorkflowRunPage(page);
  await expect(page.getByTestId('connection-state')).toHaveText('Live');

  await expect(run.node('scan')).toHaveAttribute('data-status', 'queued');
  await expect(run.node('disks')).toHaveAttribute('data-status', 'pending');
  await expect(run.status).toHaveText('queued');
  await page.screenshot({ path: testInfo.outputPath('workflow-run-queued.png'), fullPage: true });
  await expect(run.node('scan')).toHaveAttribute('data-status', 'running', { timeout: 30_000 });
  await expect(run.status).toHaveText('running');
  await expect(run.node('scan')).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  // Both fan out at once; the agent runs one at a time, so "memory" waits queued behind "disks".
  await expect(run.node('memory')).toHaveAttribute('data-status', 'queued');
  await expect(run.node('disks')).toHaveAttribute('data-status', 'running');
  await page.screenshot({ path: testInfo.outputPath('workflow-run-running.png'), fullPage: true });
  await expect(run.node('disks')).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(run.node('memory')).toHaveAttribute('data-status', 'running', { timeout: 30_000 });
  await expect(run.node('memory')).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(run.status).toHaveText('completed');
  await expect(run.stepRow('memory').getByTestId('workflow-step-status')).toHaveText('completed');
  await expect(run.spend).not.toHaveText('$0');
  await page.screenshot({ path: testInfo.outputPath('workflow-run-completed.png'), fullPage: true });

  // Seen live on one page load, in order.
  const history = await run.statusHistory();
  expect(history.scan).toEqual(['queued', 'running', 'completed']);
  expect(history.memory).toEqual(['pending', 'queued', 'running', 'completed']);
  expect(history.disks?.[0]).toBe('pending');
  expect(history.disks?.slice(-2)).toEqual(['running', 'completed']);
  expect((await stack.api.getExecution(busyRun)).status).toBe('completed');

  // Each node leads to its step's execution.
  const runId = run.id();
  await run.node('disks').getByTestId('graph-node-link').click();
  await expect(page).toHaveURL(/\/executions\/\d+$/);
  const execution = new ExecutionPage(page);
  await expect(execution.status).toHaveText('completed');
  await expect(page.getByTestId('execution-trigger')).toHaveText(`workflow run #${runId} · disks`);
  await expect(execution.result).toContainText('Disks are fine.');

  // The dashboard lists the workflow run.
  await dashboard.goto();
  const row = page.locator(`[data-testid="workflow-run-row"][data-run-id="${runId}"]`);
  await expect(row).toHaveAttribute('data-status', 'completed');
  await expect(row).toContainText('Host check');

  expect(errors).toEqual([]);
});

test("the server's answer to a taken name shows beside the name field", async ({ page, request }) => {
  const errors = collectConsoleErrors(page);
  const agent = await stack.api.createAgent({ defaultPrompt: 'unused' });
  const taken = `Taken workflow ${Date.now()}`;
  const created = await request.post(`${stack.app.url}/api/workflows`, {
    headers: BEARER,
    data: { name: taken, steps: [{ key: 'only', agentId: agent.id, prompt: 'Hello' }] },
  });
  expect(created.status()).toBe(201);
  await signIn(page, stack.app.url);

  await page.goto(new URL('/workflows/new', stack.app.url).toString());
  const editor = new WorkflowEditorPage(page);
  await editor.field('name').fill(taken);
  await editor.fillStep(0, { key: 'only', agent: agent.name, prompt: 'Hello again' });
  await editor.save.click();

  await expect(editor.fieldError('name')).toHaveText(`A workflow named "${taken}" already exists`);
  await expect(editor.field('name')).toHaveAttribute('aria-invalid', 'true');
  await expect(editor.formError).toHaveCount(0);
  await expect(page).toHaveURL(/\/workflows\/new$/);
  // Chromium logs every non-2xx fetch; the 409 is the point of this test.
  expect(errors.filter((message) => !message.includes('status of 409'))).toEqual([]);
});
