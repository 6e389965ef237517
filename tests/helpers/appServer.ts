import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVER_BUNDLE } from '../../scripts/serverBundle.mjs';
import { PROCESS_ERROR_MESSAGE } from '../../src/lib/core/logger';

/** A real ClaudeOps server (production build) on a free port with its own data dir. */
export interface AppServer {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databasePath: string;
  readonly process: ChildProcess;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /**
   * Sends the signal (default SIGTERM) and waits for exit; returns the exit code. Throws when the
   * server logged an uncaught exception or an unhandled rejection: every test that starts a server
   * fails on one.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartAppServerOptions {
  /** ANTHROPIC_BASE_URL for the agents: the scripted model server. */
  modelServerUrl: string;
  /** Reuse a data dir (e.g. to restart on the same database). */
  dataDir?: string;
  env?: Record<string, string>;
  /** Extra Node flags (a benchmark inspects the heap with --inspect). */
  nodeArgs?: string[];
  /** What Node runs: the bundle, as `npm start` does, unless a benchmark compares another start. */
  entry?: string[];
}

export const TEST_API_KEY = 'sk-ant-test-9f8e7d6c5b4a39281706';
/** The access token test servers run with (CLAUDEOPS_TOKEN). */
export const TEST_ACCESS_TOKEN = 'test-access-token-5d41402abc4b2a76b971';
export const BEARER = { authorization: `Bearer ${TEST_ACCESS_TOKEN}` };

const ROOT = path.resolve(import.meta.dirname, '../..');
const READY = /ClaudeOps listening on (http:\/\/[^\s]+)/;

const PROCESS_ERROR_LINE = new RegExp(`^.*"msg":"${PROCESS_ERROR_MESSAGE}".*$`, 'm');

/** A server's output must hold no uncaught exception or unhandled rejection (see logProcessErrors). */
export function assertNoProcessErrors(output: string): void {
  const line = PROCESS_ERROR_LINE.exec(output);
  if (line) throw new Error(`The server logged an uncaught error:\n${line[0]}`);
}

/** Starts the server process as `npm start` would, without waiting for anything. */
export function spawnAppServer(options: StartAppServerOptions, dataDir: string): ChildProcess {
  // `node` on the bundle, as `npm start` runs it: one process, so a signal (even SIGKILL) reaches the server itself.
  return spawn(process.execPath, [...(options.nodeArgs ?? []), ...(options.entry ?? [SERVER_BUNDLE])], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? dataDir,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      CLAUDEOPS_DATA_DIR: dataDir,
      ANTHROPIC_API_KEY: TEST_API_KEY,
      ANTHROPIC_BASE_URL: options.modelServerUrl,
      CLAUDEOPS_TOKEN: TEST_ACCESS_TOKEN,
      NEXT_TELEMETRY_DISABLED: '1',
      // No drain on stop (runs are cancelled at once, as before drains), so a test's teardown never
      // waits for a run it left hanging; the drain's own tests set it.
      CLAUDEOPS_DRAIN_SECONDS: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function startAppServer(options: StartAppServerOptions): Promise<AppServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-test-'));
  const started = await startProcess(spawnAppServer(options, dataDir), READY, 'server');
  const url = started.ready[1] ?? '';
  return {
    url,
    port: Number(new URL(url).port),
    dataDir,
    databasePath: path.join(dataDir, 'claudeops.db'),
    process: started.process,
    output: started.output,
    stop: started.stop,
  };
}

/** A process of ClaudeOps (a server, a worker host) once it printed its ready line. */
export interface StartedProcess {
  readonly process: ChildProcess;
  /** The ready line's match. */
  readonly ready: RegExpExecArray;
  output(): string;
  /** As AppServer.stop. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * A start costs ~3.5 s of CPU; beside the other suites on 2 cores (load 12), one CI run's server took
 * over 60 s to listen.
 */
const START_TIMEOUT_MS = 120_000;

/** Waits up to 2 min for `child` to print `ready` (rejects, with its output, when it exits first). */
export async function startProcess(
  child: ChildProcess,
  ready: RegExp,
  what: string,
): Promise<StartedProcess> {
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left behind: a start that timed out must not hold its port and CPU for the rest of the suite.
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start in ${START_TIMEOUT_MS / 1000} s:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = ready.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    process: child,
    ready: match,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      assertNoProcessErrors(output);
      return code;
    },
  };
}
