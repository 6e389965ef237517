import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/helpers/chromium';

/**
 * End-to-end tests drive Debian's Chromium (never a downloaded browser) against a real
 * ClaudeOps server and a scripted model server, both started by the spec itself.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  // Each spec file starts its own stack (free ports, temp data dir), so two files run at once;
  // the tests inside a file stay in order. CLAUDEOPS_TEST_WORKERS=1: one file at a time.
  workers: Number(process.env.CLAUDEOPS_TEST_WORKERS ?? 2),
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    viewport: { width: 1360, height: 900 },
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    video: 'off',
  },
});
