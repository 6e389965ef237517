import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/helpers/chromium';

/** Spec files at once (CLAUDEOPS_TEST_WORKERS, default 1). */
const E2E_WORKERS = Number(process.env.CLAUDEOPS_TEST_WORKERS ?? 1);
/** The long project's tests (approvals past the SDK's watchdog), each mostly a wait. */
const LONG_WORKERS = 2;

/**
 * End-to-end tests drive Debian's Chromium (never a downloaded browser) against a real
 * ClaudeOps server and a scripted model server, both started by the spec itself.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  globalSetup: './tests/helpers/tempRoot.ts',
  // Each spec file starts its own stack (free ports, temp data dir), so files run side by side;
  // the tests inside a file stay in order. CLAUDEOPS_TEST_WORKERS=1: one file at a time. The long
  // project's tests mostly wait for minutes, so they run beside the rest with workers of their own.
  workers: E2E_WORKERS + LONG_WORKERS,
  fullyParallel: false,
  projects: [
    // First, so that its waits start with the suite rather than after it.
    { name: 'long', testMatch: /\.long\.spec\.ts$/, workers: LONG_WORKERS, fullyParallel: true },
    { name: 'e2e', testIgnore: /\.long\.spec\.ts$/, workers: E2E_WORKERS },
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
    // A click waits for the renderer to take it: beside the other suites on 2 cores, one CI run's
    // renderer took over 15 s to take a click on a page at rest.
    actionTimeout: 30_000,
    navigationTimeout: 30_000,
    // A trace records the page all along (a screencast, DOM snapshots), on a pass too: it took a
    // quarter of the browser's CPU and wall time, measured. CLAUDEOPS_TEST_TRACE=1 turns it on.
    trace: process.env.CLAUDEOPS_TEST_TRACE === '1' ? 'retain-on-failure' : 'off',
    screenshot: 'only-on-failure',
    video: 'off',
  },
});
