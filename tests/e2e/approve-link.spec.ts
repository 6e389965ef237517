import '../helpers/testEnv';
import { expect, test } from '@playwright/test';
import { answer, approvalsApi, bashCall, eventually } from '../helpers/approvals';
import { type HttpReceiver, startHttpReceiver } from '../helpers/receivers';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

let receiver: HttpReceiver;
test.beforeAll(async () => {
  receiver = await startHttpReceiver();
});
test.afterAll(async () => {
  await receiver?.close();
});

test('a notification’s approve link opens on a phone without signing in, shows the call, and approves it once', async ({
  page,
}, testInfo) => {
  const { api, model, app } = stack;
  const key = 'e2e-approve-link';
  const command = `touch phone-${key} && echo approved-from-the-phone`;
  model.script(key, [bashCall(command), answer('done')]);
  const agent = await api.createAgent({ defaultPrompt: `Work ${key}`, unlistedTools: 'ask' });
  const channel = await api.call('POST', '/api/notification-channels', {
    type: 'webhook',
    name: 'phone',
    url: `${receiver.url}/phone`,
    events: ['approval.requested'],
  });
  expect(channel.status).toBe(201);
  const id = await api.startExecution(agent.id);
  await approvalsApi(api, model).pendingOf(id);
  const sent = await eventually('the approval.requested message', async () =>
    receiver.requests.find((request) => request.path === '/phone'),
  );
  const approve = (JSON.parse(sent.body) as { actions: { label: string; url: string }[] }).actions.find(
    (action) => action.label === 'Approve',
  );
  expect(approve?.url.startsWith(`${app.url}/approve/`)).toBe(true);

  // A phone: 390 px wide, no session cookie.
  await page.setViewportSize({ width: 390, height: 844 });
  const errors = collectConsoleErrors(page);
  await page.goto(approve?.url ?? '');
  await expect(page.getByRole('heading', { name: 'Approve this tool call?' })).toBeVisible();
  await expect(page.getByTestId('approval-link-tool')).toHaveText('Bash');
  await expect(page.getByTestId('approval-link-input')).toContainText(command);
  // Nothing is decided by opening the page.
  expect((await api.getExecution(id)).status).toBe('awaiting_approval');
  // It fits the phone: nothing wider than the screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: testInfo.outputPath('approve-link-390.png'), fullPage: true });

  await page.getByTestId('approval-link-confirm').click();
  await expect(page.getByTestId('approval-link-done')).toHaveText(
    'Approved. The run goes on with this call.',
  );
  const run = await api.waitForEnd(id);
  expect(run.status).toBe('completed');

  // Used once: opening it again says so, and offers no button.
  await page.reload();
  await expect(page.getByTestId('approval-link-problem')).toContainText('it was allowed (link, webhook #');
  await expect(page.getByTestId('approval-link-confirm')).toHaveCount(0);
  expect(errors).toEqual([]);
});
