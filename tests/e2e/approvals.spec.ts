import '../helpers/testEnv';
import { expect, type Page, test } from '@playwright/test';
import { answer, approvalsApi, bashCall, toolResultsIn } from '../helpers/approvals';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { ExecutionPage } from './pages/ExecutionPage';
import { signIn } from './pages/signIn';

/**
 * The approvals UI with the real SDK and Claude Code against the scripted model server: the inbox
 * and its live count, the pending card on the run page (approve, deny with a message), continue and
 * re-run from a run's page.
 */
const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

/** Nothing wider than the window, once the layout has settled after a resize (one CI run read it mid-relayout). */
const expectNoHorizontalOverflow = (page: Page) =>
  expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth))
    .toBe(true);

test('an asked Bash call shows in the inbox and on its run, live; approved in the browser, the run completes with the command’s output', async ({
  page,
  context,
}, testInfo) => {
  // Two tabs and some forty steps: beside the other suites on 2 cores one CI run's clicks took 6–9 s each.
  test.setTimeout(240_000);
  const { api, model, app } = stack;
  const key = 'e2e-approve-card';
  const command = `touch card-${key} && echo ran-after-approval-${key}`;
  model.script(key, [bashCall(command), answer(`finished ${key}`)]);
  const agent = await approvalsApi(api, model).askingAgent(key);
  const errors = collectConsoleErrors(page);
  await signIn(page, app.url);

  // The inbox is open before the call is asked: its count and its list change live.
  const inbox = await context.newPage();
  const inboxErrors = collectConsoleErrors(inbox);
  await inbox.goto(`${app.url}/approvals`);
  await expect(inbox.getByTestId('connection-state')).toHaveText('Live');
  await expect(inbox.getByTestId('approvals-none')).toBeVisible();
  await expect(inbox.getByTestId('nav-approvals-count')).toHaveCount(0);

  const id = await api.startExecution(agent.id);
  const card = inbox.getByTestId('approvals-pending').getByTestId('approval-card');
  await expect(card).toHaveCount(1);
  await expect(inbox.getByTestId('nav-approvals-count')).toHaveText('1 waiting');
  await expect(card.getByTestId('approval-tool')).toHaveText('Bash');
  await expect(card.getByTestId('approval-input')).toContainText(command);
  await expect(card.getByTestId('approval-run')).toHaveText(`${agent.name} · run #${id}`);

  // Its run's page: awaiting approval, the same card with the answers.
  await card.getByTestId('approval-run').click();
  await expect(inbox).toHaveURL(`${app.url}/executions/${id}`);
  await page.goto(`${app.url}/executions/${id}`);
  const run = new ExecutionPage(page);
  await expect(run.status).toHaveText('awaiting approval');
  const pending = page.getByTestId('run-approvals').getByTestId('approval-card');
  await expect(pending.getByTestId('approval-input')).toContainText(command);
  await expect(pending.getByTestId('approval-approve')).toBeEnabled();
  await page.screenshot({ path: testInfo.outputPath('pending-card.png') });
  if (process.env.UPDATE_SCREENSHOTS === '1')
    await pending.screenshot({ path: 'docs/screenshots/approval-pending-desktop-light.png' });

  // Edit and approve refuses what is not an input, with the reason.
  await pending.getByTestId('approval-edit').click();
  await pending.getByTestId('approval-edit-input').fill('[1, 2]');
  await pending.getByTestId('approval-edit-confirm').click();
  await expect(pending.getByTestId('approval-edit-error')).toContainText('must be a JSON object');
  await pending.getByRole('button', { name: 'Back' }).click();

  await pending.getByTestId('approval-approve').click();
  await expect(pending.getByTestId('approval-status')).toHaveText('approved');
  await expect(pending.getByTestId('approval-approve')).toHaveCount(0);
  await expect(run.status).toHaveText('completed', { timeout: 60_000 });
  await expect(run.steps.filter({ hasText: `ran-after-approval-${key}` }).first()).toBeVisible();
  // The inbox page (now on the run) and the nav count follow without a reload.
  await expect(inbox.getByTestId('nav-approvals-count')).toHaveCount(0);
  await expect(page.getByTestId('execution-denials')).toHaveCount(0);

  // A second answer is refused, naming the first.
  const again = await approvalsApi(api, model).decide(
    (await approvalsApi(api, model).approvals(`executionId=${id}`)).items[0]?.id ?? 0,
    { decision: 'deny' },
  );
  expect(again.status).toBe(409);

  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoHorizontalOverflow(page);
  expect(errors).toEqual([]);
  expect(inboxErrors).toEqual([]);
});

test('a deny with a message from the card reaches the model, and the run shows the denied call', async ({
  page,
}) => {
  const { api, model, app } = stack;
  const key = 'e2e-deny-card';
  model.script(key, [bashCall(`touch nope-${key}`), answer(`went on without it ${key}`)]);
  const agent = await approvalsApi(api, model).askingAgent(key);
  const errors = collectConsoleErrors(page);
  await signIn(page, app.url);
  const id = await api.startExecution(agent.id);
  await approvalsApi(api, model).pendingOf(id);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${app.url}/executions/${id}`);
  const card = page.getByTestId('run-approvals').getByTestId('approval-card');
  await card.getByTestId('approval-deny').click();
  await card.getByTestId('approval-deny-message').fill('Not on this machine, please');
  await expectNoHorizontalOverflow(page);
  await card.getByTestId('approval-deny-confirm').click();
  await expect(card.getByTestId('approval-status')).toHaveText('denied');
  await expect(card.getByTestId('approval-decision')).toContainText('Not on this machine, please');

  const run = new ExecutionPage(page);
  await expect(run.status).toHaveText('completed', { timeout: 60_000 });
  await expect(page.getByTestId('execution-denied-summary')).toHaveText('1 tool call denied: Bash');
  await expect(page.getByTestId('execution-warning-all_tool_calls_denied')).toBeVisible();
  // The denied call's own step says so.
  await expect(run.steps.filter({ hasText: 'Denied Bash by a person' }).first()).toBeVisible();
  await page.getByText('Denied calls').click();
  await expect(page.getByTestId('execution-denial')).toHaveAttribute('data-reason', 'person');
  await expect(page.getByTestId('execution-denial-message')).toHaveText('Not on this machine, please');
  const told = approvalsApi(api, model).requestsFor(key).at(-1);
  expect(told && toolResultsIn(told).join('\n')).toContain('Not on this machine, please');
  await expectNoHorizontalOverflow(page);
  expect(errors).toEqual([]);
});

test('continue from the run page: the model gets the earlier turns, and the chain shows both runs and their cost', async ({
  page,
}) => {
  const { api, model, app } = stack;
  const key = 'e2e-continue';
  model.script(key, [answer(`first answer ${key}`), answer(`second answer ${key}`)]);
  const agent = await api.createAgent({ defaultPrompt: `Start ${key}` });
  const parent = await api.waitForEnd(await api.startExecution(agent.id));
  expect(parent.status).toBe('completed');
  const errors = collectConsoleErrors(page);
  await signIn(page, app.url);
  await page.goto(`${app.url}/executions/${parent.id}`);

  const box = page.getByTestId('continue-box');
  await expect(box.getByTestId('continue-preview')).toContainText('still warm');
  await box.getByTestId('continue-submit').click();
  await expect(box.getByTestId('continue-prompt-error')).toHaveText('Prompt must not be empty');
  await box.getByTestId('continue-prompt').fill(`And then? ${key}`);
  await box.getByTestId('continue-submit').click();
  await expect(page).not.toHaveURL(`${app.url}/executions/${parent.id}`);
  const child = new ExecutionPage(page);
  const childId = child.id();
  await expect(child.status).toHaveText('completed', { timeout: 60_000 });
  await expect(page.getByTestId('execution-trigger')).toContainText('continue');

  const sent = JSON.stringify(approvalsApi(api, model).requestsFor(key).at(-1)?.body);
  expect(sent).toContain(`first answer ${key}`);
  expect(sent).toContain(`And then? ${key}`);

  await page.reload();
  const links = page.getByTestId('execution-chain-link');
  await expect(links).toHaveCount(2);
  await expect(links.nth(0)).toContainText(`Run #${parent.id}`);
  await expect(links.nth(1)).toHaveAttribute('aria-current', 'page');
  const detail = await api.getExecution(childId);
  expect(detail.chain?.executions.map((link) => link.id)).toEqual([parent.id, childId]);
  await expect(page.getByTestId('execution-chain-total')).toBeVisible();
  expect(errors).toEqual([]);
});

test('Run again and Run with… start the same agent with the same or the edited prompt', async ({ page }) => {
  const { api, model, app } = stack;
  const key = 'e2e-rerun';
  model.script(key, [answer(`done ${key}`)], { repeatLast: true });
  const agent = await api.createAgent({ defaultPrompt: `Run ${key}` });
  const first = await api.waitForEnd(await api.startExecution(agent.id));
  const errors = collectConsoleErrors(page);
  await signIn(page, app.url);
  await page.goto(`${app.url}/executions/${first.id}`);

  await page.getByTestId('rerun').click();
  await expect(page).not.toHaveURL(`${app.url}/executions/${first.id}`);
  const again = new ExecutionPage(page);
  const againId = again.id();
  await expect(again.status).toHaveText('completed', { timeout: 60_000 });
  expect((await api.getExecution(againId)).prompt).toBe(`Run ${key}`);

  await page.getByTestId('rerun-with').click();
  const dialog = page.getByTestId('rerun-dialog');
  await expect(dialog.getByTestId('rerun-prompt')).toHaveValue(`Run ${key}`);
  await dialog.getByTestId('rerun-prompt').fill(`Run ${key} on staging`);
  await dialog.getByTestId('rerun-submit').click();
  await expect(page).not.toHaveURL(`${app.url}/executions/${againId}`);
  const edited = new ExecutionPage(page);
  await expect(edited.status).toHaveText('completed', { timeout: 60_000 });
  const detail = await api.getExecution(edited.id());
  expect(detail).toMatchObject({ agentId: agent.id, prompt: `Run ${key} on staging`, trigger: 'manual' });
  expect(errors).toEqual([]);
});

test('the agent page: an overview with a prompt box that runs it, and the policy fields in Settings, checked with the contract’s messages; remembered rules revoked', async ({
  page,
}) => {
  const { api, model, app } = stack;
  const key = 'e2e-agent-page';
  model.script(key, [answer(`ran ${key}`)], { repeatLast: true });
  const agent = await api.createAgent({
    defaultPrompt: `Default ${key}`,
    allowedTools: ['Read'],
    rememberedTools: ['Bash(touch:*)'],
  });
  const errors = collectConsoleErrors(page);
  await signIn(page, app.url);
  await page.goto(`${app.url}/agents/${agent.id}`);
  await expect(page.getByTestId('agent-tab-overview')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('agent-success-rate')).toContainText('—');
  await expect(page.getByTestId('agent-next-run')).toContainText('none');

  await page.getByTestId('agent-tab-settings').click();
  await page.getByTestId('agent-field-deniedTools').fill('bash');
  await page.getByTestId('agent-save').click();
  await expect(page.getByTestId('field-error-deniedTools')).toHaveText(
    'bash: Tool names start with a capital letter: Bash',
  );
  await page.getByTestId('agent-field-deniedTools').fill('Read');
  await page.getByTestId('agent-save').click();
  await expect(page.getByTestId('field-error-allowedTools')).toHaveText(
    'Read: Read is also in deniedTools, and a deny always wins',
  );
  await page.getByTestId('agent-field-deniedTools').fill('Bash(rm:*)');
  await page.getByTestId('agent-field-unlistedTools').selectOption('ask');
  await page.getByTestId('agent-field-approvalTimeoutMinutes').fill('15');
  await page.getByTestId('agent-field-onApprovalTimeout').selectOption('fail');
  await page.getByTestId('agent-save').click();
  await expect(page.getByTestId('agent-saved')).toBeVisible();
  const { body } = await api.call('GET', `/api/agents/${agent.id}`);
  expect((body as { agent: Record<string, unknown> }).agent).toMatchObject({
    deniedTools: ['Bash(rm:*)'],
    unlistedTools: 'ask',
    approvalTimeoutMinutes: 15,
    onApprovalTimeout: 'fail',
    rememberedTools: ['Bash(touch:*)'],
  });

  await expect(page.getByTestId('remembered-rule')).toHaveText(/Bash\(touch:\*\)/);
  await page.getByRole('button', { name: 'Revoke Bash(touch:*)' }).click();
  await expect(page.getByTestId('remembered-rule')).toHaveCount(0);
  const revoked = await api.call('GET', `/api/agents/${agent.id}`);
  expect((revoked.body as { agent: { rememberedTools: string[] } }).agent.rememberedTools).toEqual([]);

  await page.getByTestId('agent-tab-overview').click();
  await page.getByTestId('agent-prompt').fill(`From the agent page ${key}`);
  await page.getByTestId('agent-prompt-submit').click();
  const run = new ExecutionPage(page);
  await expect(run.status).toHaveText('completed', { timeout: 60_000 });
  expect((await api.getExecution(run.id())).prompt).toBe(`From the agent page ${key}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${app.url}/agents/${agent.id}`);
  await expect(page.getByTestId('agent-success-rate')).toHaveText(/100%/);
  await expectNoHorizontalOverflow(page);
  expect(errors).toEqual([]);
});
