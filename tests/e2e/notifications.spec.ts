import '../helpers/testEnv';
import os from 'node:os';
import { expect, test } from '@playwright/test';
import { hostDiskKey } from '../../src/lib/notifications/conditions';
import { verifiedWebhook } from '../helpers/notificationServer';
import { type HttpReceiver, startHttpReceiver } from '../helpers/receivers';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { NotificationsPage } from './pages/NotificationsPage';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

let receiver: HttpReceiver;
test.beforeAll(async () => {
  receiver = await startHttpReceiver();
});
test.afterAll(async () => {
  await receiver?.close();
});

test('a webhook channel made in the form gets a signed test message, and the delivery log shows it', async ({
  page,
  context,
}, testInfo) => {
  const errors = collectConsoleErrors(page);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.app.url });
  await signIn(page, stack.app.url);

  await page.getByTestId('nav-notifications').click();
  const notifications = new NotificationsPage(page);
  await expect(page.getByTestId('channels-empty')).toBeVisible();
  await notifications.newChannel.click();

  // A bad URL is refused beside its field, before anything is sent.
  await notifications.field('name').fill('Ops hook');
  await notifications.field('url').fill('ops.example.com/hook');
  await notifications.save.click();
  await expect(notifications.fieldError('url')).toHaveText('Must be an http:// or https:// URL');
  await page.screenshot({ path: testInfo.outputPath('channel-form.png'), fullPage: true });
  await notifications.field('url').fill(`${receiver.url}/e2e`);
  await notifications.event('schedule.missed').check();
  await notifications.save.click();

  // The signing secret, this once, and the copy button puts exactly it on the clipboard.
  await expect(notifications.secret).toHaveValue(/^whsec_[A-Za-z0-9+/]{43}=$/);
  const secret = await notifications.secret.inputValue();
  await notifications.copySecret.click();
  await expect(notifications.copyState).toHaveText('Copied.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await page.screenshot({ path: testInfo.outputPath('secret-once.png'), fullPage: true });
  await notifications.done.click();

  // Send a test from the list: the outcome beside the button, the attempt in the log.
  const row = notifications.channelRow('Ops hook');
  await expect(row).toContainText(`${receiver.url}/e2e`);
  await expect(row).toContainText('10 events');
  await notifications.sendTest(row).click();
  await expect(notifications.testResult(row)).toHaveAttribute('data-status', 'delivered');
  await expect(notifications.testResult(row)).toContainText('Delivered (200)');
  await expect(notifications.deliveries).toHaveCount(1);
  const logged = notifications.deliveries.first();
  await expect(logged).toHaveAttribute('data-event-type', 'notification.test');
  await expect(logged.getByTestId('delivery-status')).toHaveText('delivered');
  await expect(logged.getByTestId('delivery-code')).toHaveText('200');
  await expect(logged.getByTestId('delivery-attempt')).toHaveText('1');
  await page.screenshot({ path: testInfo.outputPath('notifications.png'), fullPage: true });

  // The receiver got one message, signed with the secret the page showed, linking back here.
  expect(receiver.requests).toHaveLength(1);
  const [request] = receiver.requests;
  if (!request) throw new Error('the receiver lost the request');
  expect(verifiedWebhook(request, secret)).toMatchObject({
    type: 'notification.test',
    url: `${stack.app.url}/notifications`,
    data: { channelName: 'Ops hook' },
  });

  // The log filters by status and channel through the URL.
  await notifications.filterLog({ status: 'gave_up' });
  await expect(page).toHaveURL(/status=gave_up/);
  await expect(notifications.noDeliveries).toHaveText('No attempts match this filter.');
  await notifications.filterLog({ channel: 'Ops hook', status: 'delivered' });
  await expect(notifications.deliveries).toHaveCount(1);

  // Edit it: the form shows its settings, the secret only masked; disabling it shows in the list.
  await page.goto(`${stack.app.url}/notifications`);
  await notifications.channelRow('Ops hook').getByTestId('channel-name').click();
  await expect(page.getByTestId('channel-title')).toHaveText('Ops hook');
  await expect(notifications.field('url')).toHaveValue(`${receiver.url}/e2e`);
  await expect(page.getByText(`••••${secret.slice(-4)}`)).toBeVisible();
  await notifications.field('name').fill('Ops hook (paused)');
  await page.getByTestId('channel-field-enabled').uncheck();
  await notifications.save.click();
  await expect(page.getByTestId('channel-saved')).toBeVisible();
  await page.getByTestId('nav-notifications').click();
  await expect(notifications.channelRow('Ops hook (paused)')).toHaveAttribute('data-enabled', 'false');

  expect(errors).toEqual([]);
});

test('the Conditions panel says why a firing disk condition was not sent, on a phone in dark mode', async ({
  browser,
}, testInfo) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  const page = await context.newPage();
  const errors = collectConsoleErrors(page);
  const api = stack.api;
  // No channel at all (the previous test's goes), then every real mount is over a 1% threshold.
  const { body } = await api.call('GET', '/api/notification-channels');
  for (const channel of (body as { channels: { id: number }[] }).channels)
    expect((await api.call('DELETE', `/api/notification-channels/${channel.id}`)).status).toBe(204);
  const settings = await api.call('PATCH', '/api/settings', {
    metricsIntervalSeconds: 1,
    hostDiskUsedPercent: 1,
  });
  expect(settings.status).toBe(200);

  await signIn(page, stack.app.url);
  const notifications = new NotificationsPage(page);
  const host = os.hostname();
  const disk = notifications.conditionRow(hostDiskKey(host, '/'));
  await expect(async () => {
    await page.goto(`${stack.app.url}/notifications`);
    await expect(disk).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(disk).toContainText(`Disk / full on ${host}`);
  await expect(disk).toContainText(/active since/);
  await expect(disk.getByTestId('condition-reason')).toHaveText(
    'Not sent: no channel subscribes to host.disk',
  );
  await expect(notifications.conditionRow('circuit').getByTestId('condition-reason')).toHaveText('Clear');

  // A channel made now hears nothing of it until the quiet period has passed: the reason says so.
  const created = await api.call('POST', '/api/notification-channels', {
    type: 'webhook',
    name: 'Disk watch',
    url: `${receiver.url}/disk`,
    events: ['host.disk'],
  });
  expect(created.status).toBe(201);
  await page.reload();
  await expect(disk.getByTestId('condition-reason')).toHaveText(
    /^Not sent: it was marked notified at .+, before the first channel subscribing to it \(Disk watch\) was created at .+; next possible at .+, or when it clears$/,
  );
  // Its times are the format module's, the full date on hover.
  await expect(disk.getByTestId('condition-reason').locator('time').first()).toHaveAttribute(
    'title',
    /\d{4}, \d{2}:\d{2}:\d{2} UTC/,
  );

  // A card list that fits the phone, drawn in the dark theme.
  const fit = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(fit.scrollWidth).toBeLessThanOrEqual(fit.innerWidth);
  const background = await page
    .getByTestId('conditions')
    .evaluate((table) => getComputedStyle(table.closest('section') ?? table).backgroundColor);
  const [red = 255, green = 255, blue = 255] = (background.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  expect((red + green + blue) / 3).toBeLessThan(100);
  await page.screenshot({ path: testInfo.outputPath('conditions-phone-dark.png'), fullPage: true });
  expect(errors).toEqual([]);
  await context.close();
});
