import fs from 'node:fs';
import '../helpers/testEnv';
import { expect, test } from '@playwright/test';
import { BEARER } from '../helpers/appServer';
import { cpuBurnTurns } from '../helpers/cpuBurn';
import { recordHostSamples } from '../helpers/hostSamplesSeed';
import { setUpTestStack } from '../helpers/stack';
import { ensureVirtualInterface } from '../helpers/virtualNic';
import { collectConsoleErrors } from './pages/consoleErrors';
import { ExecutionPage } from './pages/ExecutionPage';
import { SystemPage } from './pages/SystemPage';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

/** A sample every 3 s keeps the 1-hour range on raw samples (1,200 points) and the test short. */
const INTERVAL_SECONDS = 3;

let removeVirtualInterface = () => {};
test.beforeAll(async ({ request }) => {
  removeVirtualInterface = ensureVirtualInterface();
  const response = await request.patch(`${stack.app.url}/api/settings`, {
    headers: BEARER,
    data: { metricsIntervalSeconds: INTERVAL_SECONDS },
  });
  expect(response.status()).toBe(200);
});
test.afterAll(() => removeVirtualInterface());

test('a run’s page shows what its processes used, lined up with its steps', async ({ page }, testInfo) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  const key = '[script:e2e-resources]';
  // A slow final answer: the run is still going when the tool's result arrives.
  stack.model.script(key, cpuBurnTurns({ children: 1, seconds: 4, answerDelayMs: 3_000 }));
  const agent = await stack.api.createAgent({ defaultPrompt: `Burn CPU ${key}`, allowedTools: ['Bash'] });
  const id = await stack.api.startExecution(agent.id);

  const apiReads: string[] = [];
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    // The continue box's preview, read once the run has ended, is not the run's figures.
    if (pathname.startsWith('/api/') && !pathname.endsWith('/continue')) apiReads.push(request.url());
  });
  await page.goto(new URL(`/executions/${id}`, stack.app.url).toString());
  const execution = new ExecutionPage(page);
  // While it runs, the chart fills in from the run's live frames.
  await expect(execution.resourceChart).toBeVisible({ timeout: 60_000 });
  await expect(execution.resourceChart.locator('canvas')).toHaveCount(1);
  await expect(execution.status).toHaveText('completed', { timeout: 60_000 });
  // Every sample stored is on the chart, and none came from the API.
  const stored = (await stack.api.getExecution(id)).resources?.samples.length ?? 0;
  expect(stored).toBeGreaterThanOrEqual(2);
  await expect
    .poll(async () => Number(await execution.resourceChart.getAttribute('data-points')))
    .toBe(stored);
  expect(apiReads).toEqual([]);
  await expect(execution.resourcePeakProcesses).toHaveText(/^\d+$/);
  expect(Number(await execution.resourcePeakProcesses.textContent())).toBeGreaterThanOrEqual(2);
  await expect(execution.resourceCpuSeconds).toHaveText(/^\d+\.\d s$/);
  // The legend names both lines; the samples are there as text too.
  await expect(page.getByTestId('run-resources').locator('.u-legend')).toContainText('CPU');
  await expect(page.getByTestId('run-resources').locator('.u-legend')).toContainText('Memory (RSS)');
  await page
    .getByTestId('run-resources')
    .getByText(/^Samples \(\d+\)$/)
    .click();
  await expect(page.getByTestId('run-resource-table').locator('tbody tr')).not.toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('execution-resources.png'), fullPage: true });

  // The same run, as a band on the system page's hour.
  await page.getByTestId('nav-system').click();
  await expect(page).toHaveURL(/\/system$/);
  const system = new SystemPage(page);
  await expect(system.runBand(id)).toBeVisible();
  // Drawn as a band on the charts: hovering it names the run, a click opens it.
  const run = await stack.api.getExecution(id);
  const middle = ((run.startedAt ?? 0) + (run.finishedAt ?? 0)) / 2;
  const tooltip = await system.hoverAt('cpu', middle);
  await expect(tooltip).toHaveText(new RegExp(`^Run #${id} · ${agent.name} · completed`));
  await page.mouse.down();
  await page.mouse.up();
  await expect(page).toHaveURL(new RegExp(`/executions/${id}$`));
  // And listed under the charts.
  await page.goBack();
  await system.runBand(id).getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/executions/${id}$`));
  expect(errors).toEqual([]);
});

test('the system page charts the last minutes and draws each new sample as it arrives', async ({
  page,
}, testInfo) => {
  const errors = collectConsoleErrors(page);
  await signIn(page, stack.app.url);
  // The dashboard's summary: current figures with their sparklines.
  await expect(page.getByTestId('host-cpu').getByTestId('host-stat-value')).toHaveText(/^\d+(\.\d)?%$/);
  await expect(page.getByTestId('host-memory').getByTestId('host-stat-value')).toHaveText(/^\d+(\.\d)?%$/);
  await expect(page.getByTestId('host-disk').getByTestId('host-stat-value')).toHaveText(/^\d+(\.\d)?%$/);

  await page.goto(new URL('/system', stack.app.url).toString());
  const system = new SystemPage(page);
  await expect(page.getByTestId('connection-state')).toHaveText('Live');
  await expect(system.tier).toHaveAttribute('data-tier', 'raw');
  await expect(system.tier).toHaveAttribute('data-step-ms', String(INTERVAL_SECONDS * 1000));
  for (const id of ['cpu', 'cores', 'memory', 'load', 'disk-space', 'network']) {
    await expect(system.chart(id).locator('canvas')).toHaveCount(1);
  }
  // Points for the last minutes, the newest recent.
  await expect.poll(async () => (await system.points('cpu')).count).toBeGreaterThanOrEqual(3);
  const before = await system.points('cpu');
  expect(before.last).toBeGreaterThan(Date.now() - 60_000);
  const shownAt = Number(await system.currentValues.getAttribute('data-t'));

  // A new sample arrives over the socket: a new point, and the current values follow.
  await expect
    .poll(async () => (await system.points('cpu')).last, { timeout: 30_000 })
    .toBeGreaterThan(before.last);
  const after = await system.points('cpu');
  expect(after.last - before.last).toBeGreaterThanOrEqual(INTERVAL_SECONDS * 1000);
  expect(after.count).toBeGreaterThan(before.count);
  await expect
    .poll(async () => Number(await system.currentValues.getAttribute('data-t')))
    .toBeGreaterThan(shownAt);
  await expect(system.currentValues).toContainText('CPU busy');
  await page.screenshot({ path: testInfo.outputPath('system-1h.png'), fullPage: true });

  // Virtual interfaces (no /sys/class/net/<if>/device) are off the network chart and the "Now"
  // table until asked for (ifb0 and ifb1 here, a bridge the test adds elsewhere; `lo` is never collected).
  const nics = await page.evaluate(async () => {
    const answer = await fetch('/api/metrics?range=1h').then((r) => r.json());
    return [
      ...new Set(
        (answer.series as { metric: string; entity: string }[])
          .filter((series) => series.metric === 'net.rx')
          .map((series) => series.entity),
      ),
    ];
  });
  // The product's own rule, read from this machine's /sys (the server runs here too).
  const virtualNics = nics.filter((nic) => !fs.existsSync(`/sys/class/net/${nic}/device`));
  expect(virtualNics.length, 'virtual interfaces on this machine').toBeGreaterThan(0);
  const network = system.chart('network');
  const virtualToggle = page.getByTestId('show-virtual-interfaces');
  await expect(virtualToggle.locator('xpath=..')).toHaveText(`Virtual interfaces (${virtualNics.length})`);
  for (const nic of virtualNics) {
    await expect(network).not.toHaveAttribute('aria-label', new RegExp(`\\b${nic} in`));
    await expect(system.currentValues).not.toContainText(`Network ${nic}`);
  }
  await virtualToggle.check();
  for (const nic of virtualNics) {
    await expect(network).toHaveAttribute('aria-label', new RegExp(`\\b${nic} in`));
    await expect(system.currentValues).toContainText(`Network ${nic}`);
  }
  // It stays ticked while new samples arrive and the chart is redrawn.
  const drawnAt = (await system.points('network')).last;
  await expect
    .poll(async () => (await system.points('network')).last, { timeout: 30_000 })
    .toBeGreaterThan(drawnAt);
  await expect(virtualToggle).toBeChecked();
  await virtualToggle.uncheck();
  await expect(network).not.toHaveAttribute('aria-label', new RegExp(`\\b${virtualNics[0]} in`));

  // A longer range takes its span from the data: a server up for minutes shows those minutes, in
  // raw points, not one rollup at the right edge of a year.
  await system.rangeButton('1y').click();
  await expect(system.rangeButton('1y')).toHaveAttribute('aria-pressed', 'true');
  await expect(system.tier).toHaveAttribute('data-tier', 'raw');
  expect(Number(await system.tier.getAttribute('data-from'))).toBeGreaterThan(Date.now() - 3_600_000);
  // A custom range in the past with no samples keeps the window asked for, at the tier of its span.
  await system.rangeButton('custom').click();
  await page.getByTestId('custom-range-from').fill('2026-01-01T00:00');
  await page.getByTestId('custom-range-to').fill('2026-01-08T00:00');
  await page.getByTestId('custom-range-apply').click();
  await expect(system.tier).toHaveAttribute('data-tier', '10m');
  expect(Number(await system.tier.getAttribute('data-from'))).toBe(new Date('2026-01-01T00:00').getTime());
  await expect(system.rangeButton('custom')).toHaveAttribute('aria-pressed', 'true');
  await expect(system.error).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("the system page charts another host by name, read again as its samples come, and this server's live again", async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  const other = 'build-2.example';
  const now = Date.now();
  // Five minutes of a worker host's samples, every 5 s.
  const times = Array.from({ length: 60 }, (_, i) => now - 300_000 + i * 5_000);
  await recordHostSamples(stack.app.databasePath, other, times, 0.25);
  await signIn(page, stack.app.url);
  await page.goto(new URL('/system', stack.app.url).toString());
  const system = new SystemPage(page);
  const here = await system.tier.getAttribute('data-host');
  expect(here).toBeTruthy();
  await expect(system.hostPicker.locator('option')).toHaveText([`${here} (this server)`, other]);

  await system.hostPicker.selectOption(other);
  await expect(system.tier).toHaveAttribute('data-host', other);
  await expect.poll(async () => (await system.points('cpu')).last).toBe(times.at(-1));
  await expect(page.getByTestId('now-other-host')).toContainText(other);
  // The address names it (a host notification links there): a reload opens it again.
  await expect(page).toHaveURL(/\/system\?host=build-2\.example$/);
  await page.reload();
  await expect(system.tier).toHaveAttribute('data-host', other);
  await expect(system.hostPicker).toHaveValue(other);
  await expect.poll(async () => (await system.points('cpu')).last).toBe(times.at(-1));
  // Its runs alone: none ran there.
  await expect(system.runBands).toHaveCount(0);
  // A new sample of that host reaches the chart without a reload (read again every 10 s).
  const next = Date.now();
  await recordHostSamples(stack.app.databasePath, other, [next], 0.5);
  await expect.poll(async () => (await system.points('cpu')).last, { timeout: 30_000 }).toBe(next);

  // Back on this server: its live samples again.
  await system.hostPicker.selectOption(here ?? '');
  await expect(system.tier).toHaveAttribute('data-host', here ?? '');
  await expect(page).toHaveURL(/\/system$/);

  // A host at its first sample, before any rollup, is listed, and a link to it (a notification's)
  // opens it; a host nothing is known of opens this server's charts.
  const fresh = 'new-build-3.example';
  await recordHostSamples(stack.app.databasePath, fresh, [Date.now()], 0.75);
  await page.goto(new URL(`/system?host=${fresh}`, stack.app.url).toString());
  await expect(system.tier).toHaveAttribute('data-host', fresh);
  await expect(system.hostPicker).toHaveValue(fresh);
  await expect(system.hostPicker.locator('option')).toContainText([here ?? '', other, fresh]);
  await page.goto(new URL('/system?host=nowhere.example', stack.app.url).toString());
  await expect(system.tier).toHaveAttribute('data-host', here ?? '');
  await expect(system.currentValues).toContainText('CPU busy');
  const drawn = (await system.points('cpu')).last;
  await expect
    .poll(async () => (await system.points('cpu')).last, { timeout: 30_000 })
    .toBeGreaterThan(drawn);
  await expect(system.error).toHaveCount(0);
  expect(errors).toEqual([]);
});
