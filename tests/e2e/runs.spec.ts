import '../helpers/testEnv';
import { expect, type Page, test } from '@playwright/test';
import { seedRuns } from '../helpers/runsSeed';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });
const HOUR = 3_600_000;
const RUNS = 120;
let sweeper: number;
let ids: number[];

test.beforeAll(async () => {
  sweeper = (await stack.api.createAgent({ name: 'Sweeper', defaultPrompt: 'p' })).id;
  const backup = (await stack.api.createAgent({ name: 'Backup', defaultPrompt: 'p' })).id;
  const now = Date.now();
  // One run an hour for five days: every fourth failed, odd ones the backup agent's, run 77 about nginx.
  ids = seedRuns(
    stack.app.databasePath,
    Array.from({ length: RUNS }, (_, i) => ({
      agentId: i % 2 === 0 ? sweeper : backup,
      prompt: i === 77 ? 'Rotate the nginx logs on web-1' : `Sweep the disks, pass ${i}`,
      resultText: i === 90 ? 'Freed 3 GiB of journal files' : 'Nothing to clean up',
      status: i % 4 === 0 ? 'failed' : 'completed',
      createdAt: now - (RUNS - i) * HOUR,
      costMicros: i * 1_000,
      durationMs: (i % 7) * 1_000,
    })),
  );
});

const rowIds = async (page: Page) =>
  (
    await page
      .getByTestId('execution-row')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-execution-id')))
  ).map(Number);

test('the Runs page pages, filters, searches and sorts, and its URL brings the same view back', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  await page.goto(`${stack.app.url}/runs`);
  const newestFirst = [...ids].reverse();

  // Three pages of 50, newest first, each run once.
  await expect(page.getByTestId('execution-row')).toHaveCount(50);
  expect(await rowIds(page)).toEqual(newestFirst.slice(0, 50));
  await page.getByTestId('runs-next').click();
  await expect(page).toHaveURL(/cursor=created%3A\d+%3A\d+|cursor=created:\d+:\d+/);
  await expect.poll(() => rowIds(page)).toEqual(newestFirst.slice(50, 100));
  await page.getByTestId('runs-next').click();
  await expect.poll(() => rowIds(page)).toEqual(newestFirst.slice(100));
  await expect(page.getByTestId('runs-next')).toHaveCount(0);
  await page.getByTestId('runs-first').click();
  await expect.poll(() => rowIds(page)).toEqual(newestFirst.slice(0, 50));

  // Filters: failed runs of the sweeper, in the URL.
  await page.getByTestId('runs-filter-status').selectOption('failed');
  await expect(page).toHaveURL(/status=failed/);
  await page.getByTestId('runs-filter-agent').selectOption(String(sweeper));
  await expect(page).toHaveURL(new RegExp(`agentId=${sweeper}`));
  const failedOfSweeper = newestFirst.filter((id) => (id - (ids[0] ?? 0)) % 4 === 0);
  await expect.poll(() => rowIds(page)).toEqual(failedOfSweeper);
  for (const status of await page
    .getByTestId('execution-row')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')))) {
    expect(status).toBe('failed');
  }

  // A shared link opens on the same view.
  const shared = page.url();
  await page.goto('about:blank');
  await page.goto(shared);
  await expect(page.getByTestId('runs-filter-status')).toHaveValue('failed');
  await expect(page.getByTestId('runs-filter-agent')).toHaveValue(String(sweeper));
  await expect.poll(() => rowIds(page)).toEqual(failedOfSweeper);

  // Search: words of a prompt, then of a result.
  await page.getByTestId('runs-clear').click();
  await expect(page).toHaveURL(/\/runs$/);
  await page.getByTestId('runs-search').fill('nginx');
  await page.getByTestId('runs-search').press('Enter');
  await expect(page).toHaveURL(/q=nginx/);
  await expect.poll(() => rowIds(page)).toEqual([ids[77]]);
  await page.getByTestId('runs-search').fill('journal freed');
  await page.getByTestId('runs-search').press('Enter');
  await expect.poll(() => rowIds(page)).toEqual([ids[90]]);
  await page.reload();
  await expect(page.getByTestId('runs-search')).toHaveValue('journal freed');

  // Sorted by cost, dearest first, then cheapest first.
  await page.getByTestId('runs-clear').click();
  // The cleared view first: a sort clicked before it lands would keep the search.
  await expect(page).toHaveURL(/\/runs$/);
  await expect(page.getByTestId('runs-search')).toHaveValue('');
  await page.getByTestId('sort-cost').click();
  await expect(page).toHaveURL(/sort=cost/);
  await expect.poll(async () => (await rowIds(page))[0]).toBe(ids[RUNS - 1]);
  await page.getByTestId('sort-cost').click();
  await expect(page).toHaveURL(/order=asc/);
  await expect.poll(async () => (await rowIds(page))[0]).toBe(ids[0]);
  await page.getByTestId('runs-next').click();
  await expect.poll(async () => (await rowIds(page))[0]).toBe(ids[50]);

  // A bad link says what is wrong instead of failing.
  await page.goto(`${stack.app.url}/runs?status=done`);
  await expect(page.getByTestId('runs-bad-filter')).toContainText('status');
  expect(errors).toEqual([]);
});

test('a run started while the Runs page is open joins it live', async ({ page }) => {
  stack.model.script('[runs:live]', [{ content: [{ type: 'text', text: 'Done.' }] }]);
  await signIn(page, stack.app.url);
  await page.goto(`${stack.app.url}/runs?agentId=${sweeper}`);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open');
  const id = await stack.api.startExecution(sweeper, 'Say done [runs:live]');
  const row = page.locator(`[data-testid="execution-row"][data-execution-id="${id}"]`);
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await expect.poll(async () => (await rowIds(page))[0]).toBe(id);
});
