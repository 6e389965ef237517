import '../helpers/testEnv';
import { expect, test } from '@playwright/test';
import { type AppServer, startAppServer } from '../helpers/appServer';
import { type PostgresCluster, startPostgres } from '../helpers/postgres';
import { type ScriptedModelServer, startScriptedModelServer } from '../helpers/scriptedModelServer';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy';
import { collectConsoleErrors } from './pages/consoleErrors';
import { signIn } from './pages/signIn';

// A console on Postgres whose link to the database is cut for real (a TCP proxy between them that
// resets every connection) and mended: what a person sees on the page they have open.

let cluster: PostgresCluster;
let model: ScriptedModelServer;
let proxy: TcpProxy;
let app: AppServer;

test.beforeAll(async () => {
  [cluster, model] = await Promise.all([startPostgres(), startScriptedModelServer()]);
  const url = new URL(await cluster.createDatabase('console_on_postgres'));
  proxy = await startTcpProxy(Number(url.port));
  url.port = String(proxy.port);
  url.password = 'pg-secret-2b7d';
  app = await startAppServer({ modelServerUrl: model.url, env: { DATABASE_URL: url.toString() } });
});
test.afterAll(async () => {
  await app?.stop();
  await proxy?.close();
  await model?.close();
  await cluster?.stop();
});

test('a lost database: a live banner naming it and why, on a phone in dark mode, gone once it is back', async ({
  browser,
}, testInfo) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  const page = await context.newPage();
  const errors = collectConsoleErrors(page);
  await signIn(page, app.url);
  await page.goto(`${app.url}/agents`);
  const banner = page.getByTestId('database-banner');
  await expect(page.getByRole('heading', { name: 'Agents' })).toBeVisible();
  await expect(banner).toHaveCount(0);

  proxy.cut();
  // Live, over the WebSocket (the tab's link to ClaudeOps is not the one cut): no reload.
  await expect(banner).toContainText(
    `The database cannot be reached: Postgres at 127.0.0.1:${proxy.port}/console_on_postgres (`,
  );
  await expect(banner).toContainText('ClaudeOps reconnects by itself');
  await expect(banner).not.toContainText('pg-secret-2b7d');
  // Within the phone's width, in the dark theme's colours.
  expect(await banner.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
  expect((await banner.boundingBox())?.width ?? 0).toBeLessThanOrEqual(390);
  const background = await banner.evaluate((element) => getComputedStyle(element).backgroundColor);
  const [red = 255, green = 255, blue = 255] = (background.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  expect((red + green + blue) / 3).toBeLessThan(100);
  await page.screenshot({ path: testInfo.outputPath('database-lost-phone-dark.png'), fullPage: true });

  proxy.mend();
  await expect(banner).toHaveCount(0);
  await page.goto(`${app.url}/agents`);
  await expect(page.getByRole('heading', { name: 'Agents' })).toBeVisible();
  expect(errors).toEqual([]);
  await context.close();
});
