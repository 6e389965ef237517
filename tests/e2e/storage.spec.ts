import '../helpers/testEnv';
import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

const FLOOR_EVERYTHING = { diskFloorMb: 1_073_741_824, diskFloorPercent: 100 };
const NO_FLOOR = { diskFloorMb: 0, diskFloorPercent: 0 };

async function settings(patch: Record<string, unknown>): Promise<void> {
  const { status, body } = await stack.api.call('PATCH', '/api/settings', patch);
  if (status !== 200) throw new Error(`settings: ${status} ${JSON.stringify(body)}`);
}

test('low disk space: a live banner on every page, the figures on the system page, gone once space is back', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  const banner = page.getByTestId('storage-banner');
  await expect(page.getByTestId('nav-system')).toBeVisible();
  await expect(banner).toHaveCount(0);

  await settings(FLOOR_EVERYTHING);
  // Live, over the WebSocket: no reload.
  await expect(banner).toHaveAttribute('data-state', 'low');
  await expect(banner).toContainText('Disk space is low');
  await expect(banner).toContainText(/free on the file system of .*: new runs are refused/);

  await page.goto(`${stack.app.url}/system`);
  await expect(banner).toBeVisible();
  await expect(page.getByTestId('storage-state')).toHaveText('low: new runs refused');
  await expect(page.getByTestId('storage-free')).toContainText(
    /[\d.]+ \w?i?B free of [\d.]+ \w?i?B, \d+% used \(floor /,
  );
  await expect(page.getByTestId('database-file')).toHaveText(/^[\d.]+ (KiB|MiB)$/);
  await expect(page.getByTestId('database-retention')).toContainText('30 days');

  // At 390 px the banner wraps within the screen instead of running off it.
  await page.setViewportSize({ width: 390, height: 800 });
  await expect(banner).toBeVisible();
  expect(await banner.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
  expect((await banner.locator('span').last().boundingBox())?.width ?? 0).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1360, height: 900 });

  await settings(NO_FLOOR);
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId('storage-state')).toHaveText('ok');
  expect(errors).toEqual([]);
});

test('a setting stored out of range shows under its field, with what is used instead', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  const db = new Database(stack.app.databasePath);
  db.prepare(
    "insert into app_settings (key, value, updated_at) values ('app.maxConcurrentRuns', '500', 0) on conflict (key) do update set value = excluded.value",
  ).run();
  db.close();

  await page.goto(`${stack.app.url}/settings`);
  const note = page.getByTestId('settings-fallback-maxConcurrentRuns');
  await expect(note).toContainText(
    'Stored as 500, which cannot be used (At most 50): the default, 2, is used',
  );
  await expect(page.getByTestId('settings-field-maxConcurrentRuns')).toHaveValue('2');

  await page.getByTestId('settings-field-maxConcurrentRuns').fill('3');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await expect(note).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a log cut at its cap shows where, and how much was left out', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  await settings({ runLogCapMb: 1 });
  stack.model.script('[script:e2e-log-cap]', [
    { content: [{ type: 'text', text: `${'y'.repeat(99)}\n`.repeat(20_000) }], textDeltaChars: 64 * 1024 },
  ]);
  const agent = await stack.api.createAgent({ defaultPrompt: 'Talk a lot [script:e2e-log-cap]' });
  const id = await stack.api.startExecution(agent.id);
  expect((await stack.api.waitForEnd(id)).status).toBe('completed');
  await settings({ runLogCapMb: 50 });

  await page.goto(`${stack.app.url}/executions/${id}`);
  // The viewer opens at the bottom: the closing marker is the last line.
  await expect(page.getByTestId('log-truncated').last()).toHaveText(
    /^\[truncated\] [\d,]+ more lines \(.+\) were not stored$/,
  );
  expect(errors).toEqual([]);
});
