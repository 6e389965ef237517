import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/helpers/chromium';

/**
 * End-to-end tests drive Debian's Chromium (never a downloaded browser) against a real
 * ClaudeOps server and a scripted model server, both started by the spec itself.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  // One app server and one Claude Code process at a time (the CI box has two cores), besides the
  // long project's tests, which mostly wait for minutes and so run beside the rest.
  workers: 3,
  fullyParallel: false,
  projects: [
    // First, so that its waits start with the suite rather than after it.
    { name: 'long', testMatch: /\.long\.spec\.ts$/, workers: 2, fullyParallel: true },
    { name: 'e2e', testIgnore: /\.long\.spec\.ts$/, workers: 1 },
  ],
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
