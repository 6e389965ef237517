import '../helpers/testEnv';
import { expect, test } from '@playwright/test';
import { BEARER } from '../helpers/appServer';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { DashboardPage } from './pages/DashboardPage';
import { ScheduleFormPage, SchedulePage } from './pages/SchedulePages';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

const SCRIPT_KEY = '[script:e2e-schedule]';

test('create a schedule in the form, see its next runs, watch its first run arrive live', async ({
  page,
  context,
  request,
}, testInfo) => {
  const errors = collectConsoleErrors(page);
  stack.model.script(SCRIPT_KEY, [{ content: [{ type: 'text', text: 'Scheduled report done.' }] }], {
    repeatLast: true,
  });
  const agent = await stack.api.createAgent({
    name: `Scheduled ${Date.now()}`,
    defaultPrompt: `Report ${SCRIPT_KEY}`,
  });
  await signIn(page, stack.app.url);

  // Arrange: a second tab keeps the dashboard open, to see the run arrive there without a reload.
  const watcher = await context.newPage();
  const watcherErrors = collectConsoleErrors(watcher);
  const dashboard = new DashboardPage(watcher, stack.app.url);
  await dashboard.goto();
  await expect(dashboard.connection).toHaveText('Live');

  // The schedules page, from the nav.
  await page.getByTestId('nav-schedules').click();
  await expect(page).toHaveURL(/\/schedules$/);
  // A fresh install has one schedule: the built-in health report, hourly, paused until switched on.
  const builtIn = page.getByTestId('schedule-row');
  await expect(builtIn).toHaveCount(1);
  await expect(builtIn.getByTestId('schedule-link')).toHaveText('System health, hourly');
  await expect(builtIn).toHaveAttribute('data-enabled', 'false');
  const form = new ScheduleFormPage(page);
  await form.chooseAgent(agent.name);
  await form.field('name').fill('Every ten seconds');

  // A new schedule starts on a preset; each preset fills the expression and says it in words.
  await expect(form.field('preset')).toHaveValue('daily');
  await expect(form.field('cronExpression')).toHaveValue('0 9 * * *');
  await form.field('preset').selectOption({ label: 'Every 5 minutes' });
  await expect(form.field('cronExpression')).toHaveValue('*/5 * * * *');
  await expect(form.words).toHaveText('Every 5 minutes');
  await form.field('preset').selectOption({ label: 'Every week' });
  await form.field('presetDay').selectOption({ label: 'Friday' });
  await form.field('presetTime').fill('18:30');
  await expect(form.field('cronExpression')).toHaveValue('30 18 * * 5');
  await expect(form.words).toHaveText('At 18:30, only on Friday');
  // The next five times in the zone picked from the searchable list: Fridays at 18:30 in Tokyo.
  await form.pickTimeZone('tokyo', 'Asia/Tokyo');
  await expect(form.field('timezone')).toHaveAttribute('data-value', 'Asia/Tokyo');
  await expect(form.form.getByRole('columnheader', { name: 'In Asia/Tokyo' })).toBeVisible();
  await expect(form.previewRuns).toHaveCount(5);
  for (const text of await form.previewRuns.getByTestId('next-run-zoned').allTextContents())
    expect(text).toMatch(/18:30:00$/);
  const tokyo = new Intl.DateTimeFormat('en-US', {
    timeZone: 'Asia/Tokyo',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const instants = await form.previewRuns.evaluateAll((rows) => rows.map((row) => Number(row.dataset.at)));
  expect(instants.map((at) => tokyo.format(at))).toEqual(new Array(5).fill('Fri 18:30'));
  // Typing an expression by hand: the picker says it is custom.
  await form.field('cronExpression').fill('0 9 * * 1-5');
  await expect(form.field('preset')).toHaveValue('custom');

  // A bad expression first: the error shows beside its field, and nothing is created.
  await form.field('cronExpression').fill('*/10 * * *');
  await form.save.click();
  await expect(form.fieldError('cronExpression')).toHaveText(
    'Expected 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first; got 4',
  );
  await expect(form.field('cronExpression')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.field('cronExpression')).toBeFocused();
  await page.screenshot({ path: testInfo.outputPath('schedule-form-error.png'), fullPage: true });
  const listed = await request.get(`${stack.app.url}/api/schedules`, { headers: BEARER });
  const names = ((await listed.json()) as { items: { name: string }[] }).items.map((item) => item.name);
  expect(names).toEqual(['System health, hourly']);

  // Fixed: every ten seconds, in UTC, said in words, its next five runs in both zones.
  await form.field('cronExpression').fill('*/10 * * * * *');
  await form.pickTimeZone('utc', 'UTC');
  await expect(form.words).toHaveText('Every 10 seconds');
  await expect(form.previewRuns).toHaveCount(5);
  await expect(form.form.getByTestId('next-run-local').first()).not.toHaveText('…');
  await form.save.click();

  // The schedule's page: created, with its next five runs.
  await expect(page).toHaveURL(/\/schedules\/\d+\?created=1$/);
  const schedulePage = new SchedulePage(page);
  const scheduleId = schedulePage.id();
  await expect(page.getByTestId('schedule-created')).toBeVisible();
  await expect(schedulePage.title).toHaveText('Every ten seconds');
  await expect(page.getByTestId('schedule-description')).toHaveText('Every 10 seconds (UTC)');
  await expect(schedulePage.nextRuns).toHaveCount(5);
  const zoned = await schedulePage.nextRuns.getByTestId('next-run-zoned').allTextContents();
  expect(zoned.map((text) => Number(text.slice(-2)) % 10)).toEqual([0, 0, 0, 0, 0]);
  await expect(form.fieldError('cronExpression')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('schedule-page.png'), fullPage: true });

  // Live, without a reload: the first firing and its run on the schedule's page...
  // Newest first: the oldest row that started a run is the first run.
  const firstFiring = page.locator('[data-testid="firing-row"][data-outcome="started"]').last();
  await expect(firstFiring).toBeVisible({ timeout: 30_000 });
  const executionId = Number(await firstFiring.getAttribute('data-execution-id'));
  expect(executionId).toBeGreaterThan(0);
  await expect(firstFiring.getByTestId('firing-reason')).toHaveText(`Started run #${executionId}`);
  await expect(firstFiring.getByTestId('firing-run-status')).toHaveText('completed', { timeout: 60_000 });

  // ...and on the dashboard that was open all along.
  const row = dashboard.executionRow(executionId);
  await expect(row).toBeVisible();
  await expect(row.getByTestId('execution-trigger')).toHaveText('Every ten seconds');
  await expect(row).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  const overview = watcher.locator(`[data-testid="overview-schedule"][data-schedule-id="${scheduleId}"]`);
  await expect(overview.getByTestId('firing-outcome')).toHaveText('started');
  await watcher.screenshot({ path: testInfo.outputPath('dashboard.png'), fullPage: true });

  // Pause: no next runs, and the list says so.
  await schedulePage.toggle.click();
  await expect(schedulePage.paused).toBeVisible();
  await expect(page.getByTestId('next-runs-empty')).toBeVisible();
  await page.getByTestId('nav-schedules').click();
  const listRow = page.locator(`[data-testid="schedule-row"][data-schedule-id="${scheduleId}"]`);
  await expect(listRow).toHaveAttribute('data-enabled', 'false');
  await expect(listRow.getByTestId('schedule-last-firing')).toBeVisible();

  expect(errors).toEqual([]);
  expect(watcherErrors).toEqual([]);
});
