import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { failures, fileTimes } from '../../scripts/testReports.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = 'tests/fixtures/reports';

/** Runs a test runner on a fixture with its JSON reporter; the run fails (one test does), the report stays. */
async function reportOf(args: string[]): Promise<unknown> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'claudeops-report-'));
  const out = path.join(dir, 'report.json');
  const run = promisify(execFile)(
    'npx',
    args.map((arg) => arg.replace('{out}', out)),
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PLAYWRIGHT_JSON_OUTPUT_NAME: out,
        SAMPLE_RESULTS_DIR: path.join(dir, 'results'),
        FORCE_COLOR: '0',
      },
    },
  );
  await expect(run).rejects.toThrow();
  return JSON.parse(readFileSync(out, 'utf8'));
}

// Each test starts a test runner: under `npm test`'s load that took up to 33 s.
describe('what npm test prints from the layers’ reports', () => {
  it('names each failed Vitest test and each file that failed to load, with why, and times the files', async () => {
    const report = await reportOf([
      'vitest',
      'run',
      `--config=${FIXTURES}/vitest.config.mjs`,
      '--reporter=json',
      '--outputFile={out}',
    ]);
    const found = new Map(failures(report, ROOT));
    expect([...found.keys()].sort()).toEqual([
      `${FIXTURES}/broken.vitest.ts`,
      `${FIXTURES}/sample.vitest.ts › counts the runs`,
    ]);
    expect(found.get(`${FIXTURES}/broken.vitest.ts`)).toMatch(/the server bundle is missing/);
    expect(found.get(`${FIXTURES}/sample.vitest.ts › counts the runs`)).toMatch(/expected 4 to be 5/);
    const times = new Map(fileTimes(report, ROOT));
    expect(times.get(`${FIXTURES}/sample.vitest.ts`)).toBeGreaterThan(0);
  }, 120_000);

  it('names each failed Playwright test, also inside a describe block, with why', async () => {
    const report = await reportOf([
      'playwright',
      'test',
      `--config=${FIXTURES}/playwright.config.mjs`,
      '--reporter=json',
    ]);
    const [failure, ...rest] = failures(report, ROOT);
    expect(rest).toEqual([]);
    expect(failure?.[0]).toBe(`${FIXTURES}/sample.pw.ts › counts the runs`);
    expect(stripVTControlCharacters(failure?.[1] ?? '')).toMatch(/Expected: 5\s+Received: 4/);
    expect(fileTimes(report, ROOT).map(([file]) => file)).toEqual([`${FIXTURES}/sample.pw.ts`]);
  }, 120_000);
});
