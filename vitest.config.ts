import path from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = { '@': path.resolve(import.meta.dirname, 'src') };
const integration = {
  environment: 'node',
  setupFiles: ['tests/helpers/testEnv.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  resolve: { alias },
  test: {
    globalSetup: ['tests/helpers/tempRoot.ts'],
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // Beside the other suites on 2 cores a test of a few hundred ms took over 5 s (vitest's default).
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          exclude: ['tests/integration/**/*.long.test.ts'],
          ...integration,
          // Each file starts its own servers on free ports with their own temp data dirs and looks
          // only at its own processes, so files run side by side: much of their time is waiting.
          // One at a time by default: two cores also run the build's type check and the browser specs
          // meanwhile, and at twice the files the servers' start-up timed out. CLAUDEOPS_TEST_WORKERS=2
          // runs two side by side on a machine with cores to spare.
          fileParallelism: true,
          maxWorkers: Number(process.env.CLAUDEOPS_TEST_WORKERS ?? 1),
        },
      },
      {
        resolve: { alias },
        // The Postgres dialect on a throw-away cluster per file (tests/helpers/postgres.ts), and the
        // dialect-neutral queries on SQLite and on Postgres (tests/dialects): no build, no app
        // server. `npm test` runs scripts/ensure-postgres.sh before it.
        test: {
          name: 'postgres',
          include: ['tests/postgres/**/*.test.ts', 'tests/dialects/**/*.test.ts'],
          environment: 'node',
          // Clusters start while the build and the unit tests take both cores (CI saw 5 s pass).
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        // Files that mostly wait for minutes (approvals past the SDK's watchdog): `npm test` runs
        // them in a phase of their own beside the other integration files, not in their queue.
        test: { name: 'integration-long', include: ['tests/integration/**/*.long.test.ts'], ...integration },
      },
    ],
  },
});
