import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { DatabaseUsageDto } from '../../src/lib/contracts/storage';
import { type ApiClient, apiClient } from '../helpers/api';
import { type AppServer, startAppServer } from '../helpers/appServer';
import { type ScriptedModelServer, startScriptedModelServer } from '../helpers/scriptedModelServer';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DAY_MS = 86_400_000;
const OLD_RUNS = 200;
const LINES_PER_RUN = 1_000;
const STEPS_PER_RUN = 10;

let model: ScriptedModelServer;
let app: AppServer;
let api: ApiClient;
let agentId: number;
let oldRunIds: number[];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-backup-'));

/** Runs an npm script as an operator would, against a data directory; resolves with its exit code and output. */
function npmRun(
  script: string,
  args: string[],
  dataDir: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, CLAUDEOPS_DATA_DIR: dataDir, DATABASE_PATH: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** Runs that ended 40 days ago, each with its log and steps, written straight into the database. */
function seedOldRuns(databasePath: string, agent: number): number[] {
  const db = new Database(databasePath);
  const ended = Date.now() - 40 * DAY_MS;
  const insertRun = db.prepare(
    `insert into executions (agent_id, trigger, status, prompt, model, created_at, started_at, finished_at, cost_micros, result_text, last_seq)
     values (?, 'manual', 'completed', 'old', 'claude-sonnet-4-5', ?, ?, ?, 1234, 'the old result', ?)`,
  );
  const insertLog = db.prepare(
    "insert into execution_logs (execution_id, seq, level, text, created_at) values (?, ?, 'info', ?, ?)",
  );
  const insertStep = db.prepare(
    `insert into execution_steps (execution_id, seq, kind, summary, is_error, payload, created_at)
     values (?, ?, 'assistant_text', 'said something', 0, '{"text":"said something"}', ?)`,
  );
  const ids = db.transaction(() =>
    Array.from({ length: OLD_RUNS }, () => {
      const id = Number(
        insertRun.run(agent, ended, ended, ended, LINES_PER_RUN + STEPS_PER_RUN).lastInsertRowid,
      );
      for (let seq = 1; seq <= STEPS_PER_RUN; seq++) insertStep.run(id, seq, ended);
      for (let seq = STEPS_PER_RUN + 1; seq <= STEPS_PER_RUN + LINES_PER_RUN; seq++)
        insertLog.run(id, seq, `old output line ${seq} ${'.'.repeat(60)}`, ended);
      return id;
    }),
  )();
  db.close();
  return ids;
}

async function databaseUsage(client: ApiClient): Promise<DatabaseUsageDto> {
  const { body } = await client.call('GET', '/api/system');
  return (body as { database: DatabaseUsageDto }).database;
}

/** A run whose Bash call prints a line every 50 ms for a few seconds: live while the test works. */
async function startLiveRun(key: string): Promise<number> {
  model.script(key, [
    {
      content: [
        {
          type: 'tool_use',
          name: 'Bash',
          input: { command: 'for i in $(seq 1 60); do echo live-line-$i; sleep 0.05; done' },
        },
      ],
    },
    { content: [{ type: 'text', text: 'done' }] },
  ]);
  const agent = await api.createAgent({ defaultPrompt: `Stay busy ${key}`, allowedTools: ['Bash'] });
  const id = await api.startExecution(agent.id);
  for (let i = 0; i < 200 && model.remaining(key) > 1; i++) await sleep(50);
  return id;
}

beforeAll(async () => {
  model = await startScriptedModelServer();
  const first = await startAppServer({ modelServerUrl: model.url });
  agentId = (await apiClient(first.url).createAgent({ defaultPrompt: 'unused' })).id;
  await first.stop();
  oldRunIds = seedOldRuns(first.databasePath, agentId);
  app = await startAppServer({ modelServerUrl: model.url, dataDir: first.dataDir });
  api = apiClient(app.url);
});

afterAll(async () => {
  await app?.stop();
  await model?.close();
});

describe('backup and restore', () => {
  it('backs up during a live run; the copy restores into a fresh data directory and a server starts on it, consistent', async () => {
    const file = path.join(tempDir(), 'claudeops-backup.db');
    const live = await startLiveRun('[script:live-during-backup]');
    const backup = await npmRun('backup', [file], app.dataDir);
    expect(backup.code).toBe(0);
    expect(backup.output).toMatch(
      /^Backed up .*claudeops\.db to .*claudeops-backup\.db: [\d.]+ \w+ \(\d+ pages\) in \d+ ms, checked\./,
    );
    await api.waitForEnd(live);

    // The server holds the database: a restore onto it is refused, naming it.
    const refused = await npmRun('restore', [file, '--force'], app.dataDir);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/Another ClaudeOps server \(pid \d+, started .*\) is using/);

    const fresh = tempDir();
    const restored = await npmRun('restore', [file], fresh);
    expect(restored.code).toBe(0);
    expect(restored.output).toMatch(
      /^Restored .*claudeops-backup\.db to .*claudeops\.db: .* Start ClaudeOps: npm start/m,
    );

    const again = await startAppServer({ modelServerUrl: model.url, dataDir: fresh });
    onTestFinished(async () => {
      await again.stop();
    });
    const restoredApi = apiClient(again.url);
    const agents = (await restoredApi.call('GET', '/api/agents')).body as { items: { id: number }[] };
    expect(agents.items.map((agent) => agent.id)).toContain(agentId);
    // Running when the copy was taken: the restored server ends it, as after any stop.
    expect((await restoredApi.getExecution(live)).status).toBe('interrupted');

    const db = new Database(again.databasePath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // Every stored line and step is within its run's committed sequence.
    const beyond = db
      .prepare(
        `select count(*) as n from executions e
         where exists (select 1 from execution_logs l where l.execution_id = e.id and l.seq > e.last_seq)
            or exists (select 1 from execution_steps s where s.execution_id = e.id and s.seq > e.last_seq)`,
      )
      .get() as { n: number };
    db.close();
    expect(beyond.n).toBe(0);
    console.log(`backup: ${backup.output.trim()}`);
  });
});

describe('output retention', () => {
  it('drops the log lines and steps of runs past it in small batches while a run goes on, keeping each run, its cost and its result', async () => {
    const before = await databaseUsage(api);
    // The backup's live run ended within the retention: only the seeded runs are past it.
    expect(before).toMatchObject({
      retentionDays: 30,
      prunableRuns: OLD_RUNS,
      prunableRows: OLD_RUNS * (LINES_PER_RUN + STEPS_PER_RUN),
      prunedRuns: 0,
    });

    const live = await startLiveRun('[script:live-during-prune]');
    // Saving the setting starts a round at once.
    expect((await api.call('PATCH', '/api/settings', { runOutputRetentionDays: 30 })).status).toBe(200);
    let after = await databaseUsage(api);
    // Until the round has ended (it gives the freed pages back last).
    for (let i = 0; i < 300 && after.lastRound === null; i++) {
      await sleep(100);
      after = await databaseUsage(api);
    }
    const execution = await api.waitForEnd(live);

    expect(after).toMatchObject({ prunableRuns: 0, prunableRows: 0, prunedRuns: OLD_RUNS });
    expect(after.lastRound).toMatchObject({
      runs: OLD_RUNS,
      rows: OLD_RUNS * (LINES_PER_RUN + STEPS_PER_RUN),
    });
    expect(after.lastRound?.pagesFreed).toBeGreaterThan(0);

    const db = new Database(app.databasePath, { readonly: true });
    const left = db
      .prepare(
        `select (select count(*) from execution_logs where execution_id <= ?) as logs,
                (select count(*) from execution_steps where execution_id <= ?) as steps`,
      )
      .get(Math.max(...oldRunIds), Math.max(...oldRunIds));
    const liveLines = db
      .prepare("select count(*) as n from execution_logs where execution_id = ? and text like 'live-line-%'")
      .get(live) as { n: number };
    db.close();
    expect(left).toEqual({ logs: 0, steps: 0 });
    expect(execution.status).toBe('completed');
    expect(liveLines.n).toBe(60);

    const old = await api.getExecution(oldRunIds[0] ?? 0);
    expect(old).toMatchObject({ status: 'completed', costUsd: 0.001234, resultText: 'the old result' });
    expect(old.outputPrunedAt).toEqual(expect.any(Number));
    console.log(
      `retention: ${after.lastRound?.rows} rows of ${OLD_RUNS} runs in ${after.lastRound?.durationMs} ms, ` +
        `batches: median ${after.lastRound?.medianBatchMs} ms, longest ${after.lastRound?.longestBatchMs} ms; ${after.lastRound?.pagesFreed} pages freed ` +
        `(file ${before.fileBytes} → ${after.fileBytes} bytes) while a run went on`,
    );
  });
});
