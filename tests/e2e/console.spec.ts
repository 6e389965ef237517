import '../helpers/testEnv';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { type ConsoleSeed, seedConsole } from '../helpers/consoleSeed';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });
let seed: ConsoleSeed;
test.beforeAll(async () => {
  seed = await seedConsole(stack);
});

/**
 * `UPDATE_SCREENSHOTS=1` writes the main pages' pictures to docs/screenshots (committed); every
 * other picture, and all of them otherwise, go to the test's output.
 */
const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? path.resolve('docs/screenshots') : null;
const KEPT_SCREENSHOTS = new Set(['runs', 'run', 'dashboard', 'agent']);

interface ConsolePage {
  /** The file name of its screenshot. */
  name: string;
  path: string;
  /** The nav entry that must be marked current; null for the 404. */
  nav: string | null;
  /** A tab to open once the page is there (its test id). */
  tab?: string;
}

function consolePages(s: ConsoleSeed): ConsolePage[] {
  return [
    { name: 'dashboard', path: '/', nav: 'nav-dashboard' },
    { name: 'runs', path: '/runs', nav: 'nav-runs' },
    { name: 'run', path: `/executions/${s.toolRunId}`, nav: 'nav-runs' },
    { name: 'run-failed', path: `/executions/${s.failedRunId}`, nav: 'nav-runs' },
    { name: 'run-waiting', path: `/executions/${s.waitingRunId}`, nav: 'nav-runs' },
    { name: 'approvals', path: '/approvals', nav: 'nav-approvals' },
    { name: 'approvals-answered', path: '/approvals', nav: 'nav-approvals', tab: 'approvals-tab-answered' },
    { name: 'run-health', path: `/executions/${s.healthRunId}`, nav: 'nav-runs' },
    { name: 'agents', path: '/agents', nav: 'nav-agents' },
    { name: 'agent', path: `/agents/${s.agent.id}`, nav: 'nav-agents' },
    { name: 'agent-settings', path: `/agents/${s.agent.id}`, nav: 'nav-agents', tab: 'agent-tab-settings' },
    { name: 'agent-schedules', path: `/agents/${s.agent.id}`, nav: 'nav-agents', tab: 'agent-tab-schedules' },
    { name: 'agent-new', path: '/agents/new', nav: 'nav-agents' },
    { name: 'workflows', path: '/workflows', nav: 'nav-workflows' },
    { name: 'workflow', path: `/workflows/${s.workflowId}`, nav: 'nav-workflows' },
    { name: 'workflow-edit', path: `/workflows/${s.workflowId}/edit`, nav: 'nav-workflows' },
    { name: 'workflow-run', path: `/workflow-runs/${s.workflowRunId}`, nav: 'nav-workflows' },
    { name: 'schedules', path: '/schedules', nav: 'nav-schedules' },
    { name: 'schedule', path: `/schedules/${s.scheduleId}`, nav: 'nav-schedules' },
    { name: 'health', path: '/health', nav: 'nav-health' },
    { name: 'costs', path: '/costs', nav: 'nav-costs' },
    { name: 'system', path: '/system', nav: 'nav-system' },
    { name: 'workers', path: '/workers', nav: 'nav-workers' },
    { name: 'notifications', path: '/notifications', nav: 'nav-notifications' },
    { name: 'channel', path: `/notifications/${s.channelId}`, nav: 'nav-notifications' },
    { name: 'settings', path: '/settings', nav: 'nav-settings' },
    { name: 'not-found', path: '/no/such/page', nav: null },
  ];
}

const VIEWPORTS = [
  { label: 'desktop', width: 1440, height: 900 },
  { label: 'phone', width: 390, height: 844 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

/** What a page breaks that a reader would see: it scrolls sideways, or axe finds serious faults. */
async function problemsOf(page: Page): Promise<string[]> {
  const problems: string[] = [];
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  if (scrollWidth > innerWidth) problems.push(`${scrollWidth} px wide in a ${innerWidth} px window`);
  // Violations only, run in the page (no iframes here): a third of the full run's time.
  const axe = await new AxeBuilder({ page })
    .options({ resultTypes: ['violations'] })
    .setLegacyMode(true)
    .analyze();
  for (const violation of axe.violations) {
    if (violation.impact !== 'serious' && violation.impact !== 'critical') continue;
    const where = violation.nodes
      .slice(0, 3)
      .map((node) => node.target.join(' '))
      .join(' | ');
    problems.push(`axe ${violation.impact} ${violation.id}: ${violation.help} (${where})`);
  }
  return problems;
}

async function newConsoleTab(
  browser: Browser,
  viewport: (typeof VIEWPORTS)[number],
  scheme: 'light' | 'dark',
) {
  const context = await browser.newContext({ viewport, colorScheme: scheme });
  const page = await context.newPage();
  await signIn(page, stack.app.url);
  return { context, page };
}

for (const viewport of VIEWPORTS) {
  for (const scheme of SCHEMES) {
    test(`every page at ${viewport.width} px in ${scheme}: fits, marks its nav entry, no console error, no serious axe fault`, async ({
      browser,
    }, testInfo) => {
      test.setTimeout(300_000);
      const { context, page } = await newConsoleTab(browser, viewport, scheme);
      const errors = collectConsoleErrors(page);
      const problems: string[] = [];
      for (const entry of consolePages(seed)) {
        const response = await page.goto(new URL(entry.path, stack.app.url).toString());
        await page.waitForLoadState('networkidle');
        expect(response?.status(), entry.path).toBe(entry.nav === null ? 404 : 200);
        await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open');
        if (entry.tab) {
          await page.getByTestId(entry.tab).click();
          await expect(page.getByTestId(entry.tab)).toHaveAttribute('aria-selected', 'true');
        }
        if (entry.nav !== null) {
          // On a phone the nav sits behind the menu button; the current page is marked there.
          if (viewport.width < 768) await page.getByTestId('menu-button').click();
          const nav =
            viewport.width < 768
              ? page.getByTestId('mobile-menu')
              : page.getByRole('navigation', { name: 'Main' });
          await expect(nav.locator('[aria-current="page"]'), entry.path).toHaveAttribute(
            'data-testid',
            entry.nav,
          );
          if (viewport.width < 768) {
            await page.keyboard.press('Escape');
            await expect(page.getByTestId('mobile-menu')).toHaveCount(0);
          }
        } else {
          await expect(page.getByTestId('not-found')).toBeVisible();
          await expect(
            viewport.width < 768
              ? page.getByTestId('menu-button')
              : page.getByRole('navigation', { name: 'Main' }),
          ).toBeVisible();
        }
        problems.push(...(await problemsOf(page)).map((problem) => `${entry.path}: ${problem}`));
        const file = `${entry.name}-${viewport.label}-${scheme}.png`;
        await page.screenshot({
          path:
            SCREENSHOT_DIR && KEPT_SCREENSHOTS.has(entry.name)
              ? path.join(SCREENSHOT_DIR, file)
              : testInfo.outputPath(file),
        });
      }
      expect(problems).toEqual([]);
      // The browser reports the 404 page's own status; nothing else may reach the console.
      expect(
        errors.filter(
          (error) =>
            !error.includes(
              '/no/such/page: Failed to load resource: the server responded with a status of 404',
            ),
        ),
      ).toEqual([]);
      await context.close();
    });
  }
}

test('the sign-in page fits a phone and passes axe, in both themes', async ({ browser }) => {
  for (const scheme of SCHEMES) {
    const context = await browser.newContext({ viewport: VIEWPORTS[1], colorScheme: scheme });
    const page = await context.newPage();
    const errors = collectConsoleErrors(page);
    await page.goto(new URL('/signin', stack.app.url).toString());
    await expect(page.getByTestId('signin-token')).toBeVisible();
    expect(await problemsOf(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }
});

test('the theme follows the system until the reader picks one, which the server then renders (no flash)', async ({
  browser,
}) => {
  const { context, page } = await newConsoleTab(browser, VIEWPORTS[0], 'dark');
  const html = page.locator('html');
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await expect(html).not.toHaveAttribute('data-theme', /./);
  const systemDark = await background();

  await page.getByTestId('theme-toggle').click();
  await page.getByTestId('theme-light').click();
  await expect(html).toHaveAttribute('data-theme', 'light');
  expect(await background()).not.toBe(systemDark);

  // The next page comes from the server already light: its HTML carries the choice.
  const served = await context.request.get(new URL('/runs', stack.app.url).toString());
  expect(await served.text()).toMatch(/<html[^>]*data-theme="light"/);
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'light');

  await page.getByTestId('theme-toggle').click();
  await page.getByTestId('theme-system').click();
  await expect(html).not.toHaveAttribute('data-theme', /./);
  expect(await background()).toBe(systemDark);
  await context.close();
});

test('keyboard: g then a key goes to a section, ? lists the shortcuts, Escape closes the list', async ({
  browser,
}) => {
  const { context, page } = await newConsoleTab(browser, VIEWPORTS[0], 'light');
  const errors = collectConsoleErrors(page);
  // The shortcuts listen once the page is live (hydrated, its socket open).
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open');
  await page.keyboard.press('g');
  await page.keyboard.press('r');
  await expect(page).toHaveURL(/\/runs$/);
  await expect(page.getByTestId('nav-runs')).toHaveAttribute('aria-current', 'page');
  await page.keyboard.press('g');
  await page.keyboard.press('c');
  await expect(page).toHaveURL(/\/costs$/);

  await page.keyboard.press('Shift+?');
  const help = page.getByTestId('shortcuts-dialog');
  await expect(help).toBeVisible();
  await expect(help).toContainText('Go to Runs');
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);

  // Typing in a field is typing, never a shortcut.
  await page.goto(new URL('/settings', stack.app.url).toString());
  await page.getByTestId('settings-field-maxConcurrentRuns').focus();
  await page.keyboard.press('g');
  await page.keyboard.press('r');
  await expect(page).toHaveURL(/\/settings$/);
  expect(errors).toEqual([]);
  await context.close();
});
