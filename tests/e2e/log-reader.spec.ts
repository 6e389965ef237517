import '../helpers/testEnv';
import fs from 'node:fs';
import { expect, type Locator, test } from '@playwright/test';
import { seedLongLogRun } from '../helpers/runsSeed';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });
const LINES = 50_000;
/** The one error line, far above the 5,000 lines the page loads first. */
const ERROR_LINE = 12_345;
let runId: number;

test.beforeAll(async () => {
  const agent = await stack.api.createAgent({ name: 'Chatty', defaultPrompt: 'p' });
  runId = seedLongLogRun(
    stack.app.databasePath,
    { agentId: agent.id, prompt: 'Scan everything', createdAt: Date.now() - 60_000 },
    LINES,
    (n) => (n === ERROR_LINE ? 'error' : 'info'),
  );
});

/** Whether a row sits within the log's scrolled view (not merely in the DOM's overscan). */
async function insideViewer(row: Locator): Promise<boolean> {
  const box = await row.boundingBox();
  const view = await row.page().getByTestId('log-viewer').boundingBox();
  return box !== null && view !== null && box.y >= view.y && box.y + box.height <= view.y + view.height;
}

test('a 50,000-line log: numbered lines, search with count and next, wrap, first error, download', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  await page.goto(`${stack.app.url}/executions/${runId}`);
  const viewer = page.getByTestId('log-viewer');

  // The tail, numbered as lines (not by seq), only the rows in view in the DOM.
  await expect(viewer.locator('[data-line="50000"]')).toBeVisible();
  await expect(viewer.locator('[data-line="49999"]')).toBeVisible();
  expect(await viewer.getByTestId('log-line').count()).toBeLessThan(200);

  // Search reads the whole log: a checkpoint every 1,000 lines.
  await page.getByTestId('log-search').fill('checkpoint');
  const count = page.getByTestId('log-match-count');
  await expect(count).toHaveText('1 of 50', { timeout: 60_000 });
  await expect(viewer).toHaveAttribute('data-line-count', String(LINES));
  const current = viewer.locator('[data-current="true"]');
  await expect(current).toHaveAttribute('data-line', '1000');
  await expect(current.locator('mark')).toHaveText('checkpoint');
  await page.getByTestId('log-match-next').click();
  await expect(count).toHaveText('2 of 50');
  await expect(current).toHaveAttribute('data-line', '2000');
  await page.getByTestId('log-search').press('Shift+Enter');
  await page.getByTestId('log-search').press('Shift+Enter');
  await expect(count).toHaveText('50 of 50');
  await expect(current).toHaveAttribute('data-line', '50000');

  // Wrap: a long line (every 97th carries 240 characters) takes more than one row, and nothing scrolls sideways.
  const long = viewer.locator('[data-line="49955"]');
  await page.getByTestId('log-search').fill('line 49955 ');
  await expect(count).toHaveText('1 of 1');
  const unwrapped = await long.boundingBox();
  await page.getByTestId('log-wrap').click();
  await expect(viewer).toHaveAttribute('data-wrap', 'true');
  await expect
    .poll(async () => (await long.boundingBox())?.height ?? 0)
    .toBeGreaterThan((unwrapped?.height ?? 20) * 1.5);
  expect(await viewer.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  await page.getByTestId('log-wrap').click();
  expect(await viewer.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);

  // The first error, wherever it is.
  await page.getByTestId('log-jump-error').click();
  const errorLine = viewer.locator(`[data-line="${ERROR_LINE}"]`);
  await expect(errorLine).toHaveCount(1);
  await expect.poll(() => insideViewer(errorLine)).toBe(true);

  // Copy a range: click a line number, shift-click another.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await viewer.locator(`[data-line="${ERROR_LINE}"]`).getByTestId('log-line-number').click();
  await viewer
    .locator(`[data-line="${ERROR_LINE + 2}"]`)
    .getByTestId('log-line-number')
    .click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('log-copy')).toHaveText(`Copy lines ${ERROR_LINE}–${ERROR_LINE + 2}`);
  await page.getByTestId('log-copy').click();
  await expect(page.getByTestId('log-copy')).toHaveText('Copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.split('\n').map((text) => text.split(' ')[1])).toEqual(
    [ERROR_LINE, ERROR_LINE + 1, ERROR_LINE + 2].map(String),
  );

  // Times since the start, or on the clock.
  const time = viewer.locator(`[data-line="${ERROR_LINE}"]`).getByTestId('log-time');
  await expect(time).toHaveText(/^\+/);
  await page.getByTestId('log-time-mode').click();
  await expect(time).toHaveText(/^\d\d:\d\d:\d\d$/);

  // The whole log as a file.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('log-download').click(),
  ]);
  expect(download.suggestedFilename()).toBe(`claudeops-run-${runId}.log`);
  const text = fs.readFileSync((await download.path()) ?? '', 'utf8');
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines).toHaveLength(LINES);
  expect(lines[ERROR_LINE - 1]).toMatch(new RegExp(`^line ${ERROR_LINE} `));
  expect(errors).toEqual([]);
});

test('wrapped lines of CJK text and emoji take the rows they need: no line overlaps the next', async ({
  page,
}) => {
  const agent = await stack.api.createAgent({ name: 'Polyglot', defaultPrompt: 'p' });
  const wide = (n: number) => (n === 3 ? `ログ ${'日本語の出力 😀 한국어 '.repeat(24)}` : `line ${n} ok`);
  const id = seedLongLogRun(
    stack.app.databasePath,
    { agentId: agent.id, prompt: 'Speak', createdAt: Date.now() - 60_000 },
    6,
    () => 'info',
    wide,
  );
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  await page.goto(`${stack.app.url}/executions/${id}`);
  const viewer = page.getByTestId('log-viewer');
  await expect(viewer.locator('[data-line="6"]')).toBeVisible();
  await page.getByTestId('log-wrap').click();
  await expect(viewer).toHaveAttribute('data-wrap', 'true');
  const text = viewer.locator('[data-line="3"]').getByTestId('log-text');
  const next = viewer.locator('[data-line="4"]');
  // The wide line's text, as the browser wrapped it, ends above the next line's row.
  await expect
    .poll(async () => {
      const [textBox, nextBox] = [await text.boundingBox(), await next.boundingBox()];
      return textBox && nextBox ? nextBox.y - (textBox.y + textBox.height) : -1;
    })
    .toBeGreaterThanOrEqual(0);
  expect(await viewer.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  expect(errors).toEqual([]);
});
