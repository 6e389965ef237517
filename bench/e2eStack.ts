import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from '@playwright/test';
import { type ApiClient, apiClient } from '../tests/helpers/api';
import { type AppServer, startAppServer, TEST_ACCESS_TOKEN } from '../tests/helpers/appServer';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/helpers/chromium';
import { type ScriptedModelServer, startScriptedModelServer } from '../tests/helpers/scriptedModelServer';

/**
 * BENCH_PROFILE=<dir>: V8 CPU profiles go there, the server's of its whole life (--cpu-prof) and the
 * tab's of each live round.
 */
export const PROFILE_DIR = process.env.BENCH_PROFILE;

/**
 * What the end-to-end benchmarks share, started once: the scripted model server, the real server
 * (production build) with its inspector open and the probe of serverProbe.mjs preloaded, and
 * Debian's Chromium. Each benchmark makes its own agents and runs on it.
 */
export interface E2eStack {
  model: ScriptedModelServer;
  app: AppServer;
  api: ApiClient;
  browser: Browser;
  /** Where the server probe writes what it measured when its window closes. */
  probeFile: string;
  /** A new tab, signed in. */
  signedInPage(): Promise<Page>;
  stop(): Promise<void>;
}

export async function startE2eStack(): Promise<E2eStack> {
  const model = await startScriptedModelServer();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-bench-'));
  const probeFile = path.join(work, 'server-probe.json');
  const app = await startAppServer({
    modelServerUrl: model.url,
    env: { BENCH_PROBE_FILE: probeFile },
    nodeArgs: [
      '--inspect=127.0.0.1:0',
      '--import',
      path.join(import.meta.dirname, 'serverProbe.mjs'),
      ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
    ],
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  return {
    model,
    app,
    api: apiClient(app.url),
    browser,
    probeFile,
    async signedInPage() {
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
      await page.goto(`${app.url}/signin?token=${TEST_ACCESS_TOKEN}`);
      await page.waitForURL(`${app.url}/`);
      return page;
    },
    async stop() {
      await browser.close();
      await app.stop();
      await model.close();
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}
