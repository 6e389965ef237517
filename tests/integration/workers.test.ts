import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json';
import type { AgentDto } from '../../src/lib/contracts/agents';
import type { HostLoadDto, WorkerDto } from '../../src/lib/contracts/workers';
import { openReadOnlyDatabase } from '../../src/lib/db';
import { listWorkers } from '../../src/lib/db/queries/workers';
import { sqliteStore } from '../../src/lib/db/store';
import { apiClient } from '../helpers/api';
import { startAppServer } from '../helpers/appServer';
import { setUpTestStack } from '../helpers/stack';

const stack = setUpTestStack({ beforeAll, afterAll }, { WORKER_LABELS: ' repo-a , fast ' });

async function workers(): Promise<WorkerDto[]> {
  const { status, body } = await stack.api.call('GET', '/api/workers');
  expect(status).toBe(200);
  return (body as { items: WorkerDto[] }).items;
}

/** Polls the API until `check` passes on the run (or the deadline does, and the last answer is returned). */
async function waitForRun(id: number, check: (status: string) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const execution = await stack.api.getExecution(id);
    if (check(execution.status) || Date.now() > deadline) return execution;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function agentRequiring(requiredLabels: string[], key: string): Promise<AgentDto> {
  stack.model.script(key, [{ content: [{ type: 'text', text: 'done' }] }], { repeatLast: true });
  return stack.api.createAgent({ defaultPrompt: `Work ${key}`, requiredLabels, maxConcurrentRuns: 5 });
}

describe('workers and labels', () => {
  it("lists this server's worker with its labels, version and a fresh beat", async () => {
    const [worker, ...others] = await workers();
    expect(others).toEqual([]);
    expect(worker).toMatchObject({
      host: os.hostname(),
      labels: ['repo-a', 'fast'],
      version: packageJson.version,
      stoppedAt: null,
      alive: true,
      runningRuns: 0,
    });
    expect(worker?.id).toMatch(new RegExp(`^${os.hostname()}-${stack.app.process.pid}-[0-9a-f]{8}$`));
    // It keeps beating (every 10 s): wait for the first beat after registering.
    const deadline = Date.now() + 25_000;
    let beat = worker;
    while (beat && beat.lastBeatAt === beat.startedAt && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      [beat] = await workers();
    }
    expect(beat?.lastBeatAt).toBeGreaterThan(beat?.startedAt ?? Number.POSITIVE_INFINITY);
    expect(Date.now() - (beat?.lastBeatAt ?? 0)).toBeLessThan(30_000);
  }, 40_000);

  it("charts this host's load from its worker's beats, and names the field of a bad query", async () => {
    const load = async (query: string) => stack.api.call('GET', `/api/workers/load?${query}`);
    const host = encodeURIComponent(os.hostname());
    // At least its start's figures; each beat after brings more.
    const { status, body } = await load(`host=${host}`);
    expect(status).toBe(200);
    const hour = body as HostLoadDto;
    expect(hour).toMatchObject({ host: os.hostname(), range: '1h', stepMs: 5_000 });
    expect(hour.t.length).toBeGreaterThan(0);
    expect(hour.memoryUsed.every((share) => share !== null && share > 0 && share < 1)).toBe(true);
    // A beat whose statfs took over 0.5 s (a busy machine) goes without the disk: null, never a wrong share.
    expect(hour.diskUsed.every((share) => share === null || (share > 0 && share < 1))).toBe(true);
    expect(((await load(`host=elsewhere&range=24h`)).body as HostLoadDto).t).toEqual([]);

    for (const [query, field] of [
      ['range=1h', 'host'],
      [`host=${host}&range=7d`, 'range'],
      [`host=${host}&since=1`, 'since'],
    ] as const) {
      const answer = await load(query);
      expect(answer.status, query).toBe(400);
      expect(JSON.stringify(answer.body), query).toContain(field);
    }
  });

  it('runs an agent requiring a label this worker has, and the run names the worker', async () => {
    const [worker] = await workers();
    const agent = await agentRequiring(['repo-a'], '[script:labels-match]');
    expect(agent.requiredLabels).toEqual(['repo-a']);
    const done = await stack.api.waitForEnd(await stack.api.startExecution(agent.id));
    expect(done).toMatchObject({ status: 'completed', workerId: worker?.id, waitReason: null });
  }, 60_000);

  it('holds a run needing a label no worker has, without holding up others, until the requirement is edited away', async () => {
    // One run at a time: the held run must not take the only slot.
    expect((await stack.api.call('PATCH', '/api/settings', { maxConcurrentRuns: 1 })).status).toBe(200);
    const [worker] = await workers();
    const gpu = await agentRequiring(['gpu', 'repo-a'], '[script:labels-gpu]');
    const other = await agentRequiring([], '[script:labels-other]');

    const heldId = await stack.api.startExecution(gpu.id);
    const held = await stack.api.getExecution(heldId);
    expect(held).toMatchObject({
      status: 'queued',
      queuePosition: 1,
      waitReason: 'waiting for a worker with labels gpu, repo-a',
      workerId: null,
    });
    const listed = (await stack.api.call('GET', `/api/executions?agentId=${gpu.id}`)).body as {
      items: { id: number; waitReason: string | null }[];
    };
    expect(listed.items).toEqual([
      expect.objectContaining({ id: heldId, waitReason: 'waiting for a worker with labels gpu, repo-a' }),
    ]);

    const behind = await stack.api.waitForEnd(await stack.api.startExecution(other.id));
    expect(behind).toMatchObject({ status: 'completed', workerId: worker?.id });
    expect(await stack.api.getExecution(heldId)).toMatchObject({
      status: 'queued',
      startedAt: null,
      waitReason: 'waiting for a worker with labels gpu, repo-a',
    });

    const edited = await stack.api.call('PATCH', `/api/agents/${gpu.id}`, { requiredLabels: ['repo-a'] });
    expect(edited.status).toBe(200);
    expect((edited.body as { agent: AgentDto }).agent.requiredLabels).toEqual(['repo-a']);
    const started = await waitForRun(heldId, (status) => status !== 'queued');
    expect(started.waitReason).toBeNull();
    expect(await stack.api.waitForEnd(heldId)).toMatchObject({ status: 'completed', workerId: worker?.id });
  }, 90_000);

  it.each([
    ['POST', { requiredLabels: ['repo a'] }, 'requiredLabels.0', 'No spaces or commas in a label'],
    ['POST', { requiredLabels: ['gpu', ''] }, 'requiredLabels.1', 'A label is not empty'],
    ['POST', { requiredLabels: 'gpu' }, 'requiredLabels', ''],
    ['PATCH', { requiredLabels: ['gpu', 'gpu'] }, 'requiredLabels', 'A label is listed twice'],
    ['PATCH', { requiredLabels: ['x'.repeat(65)] }, 'requiredLabels.0', 'At most 64 characters'],
  ] as const)('refuses %s with %j: 400 naming %s, nothing changed', async (method, input, path, message) => {
    const agent = await agentRequiring(['fast'], '[script:labels-bad]');
    const before = (await stack.api.call('GET', '/api/agents')).body;
    const response =
      method === 'POST'
        ? await stack.api.call('POST', '/api/agents', {
            name: 'bad-labels',
            model: 'claude-sonnet-4-5',
            defaultPrompt: 'x',
            ...input,
          })
        : await stack.api.call('PATCH', `/api/agents/${agent.id}`, input);
    expect(response.status).toBe(400);
    const error = (response.body as { error: { code: string; issues: { path: string; message: string }[] } })
      .error;
    expect(error.code).toBe('invalid_request');
    expect(error.issues).toContainEqual(
      expect.objectContaining({ path, message: expect.stringContaining(message) }),
    );
    expect((await stack.api.call('GET', '/api/agents')).body).toEqual(before);
  });

  it('refuses to start with a bad WORKER_LABELS, naming the variable and the label', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-test-'));
    try {
      const start = startAppServer({
        modelServerUrl: stack.model.url,
        dataDir,
        env: { WORKER_LABELS: 'repo-a,,gpu' },
      });
      await expect(start).rejects.toThrow(/WORKER_LABELS: label 2 \(""\): A label is not empty/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('records the stop of a worker whose server shuts down', async () => {
    const app = await startAppServer({ modelServerUrl: stack.model.url, env: { WORKER_LABELS: 'gpu' } });
    const listed = await apiClient(app.url).call('GET', '/api/workers');
    expect((listed.body as { items: WorkerDto[] }).items).toEqual([
      expect.objectContaining({ labels: ['gpu'], alive: true, stoppedAt: null }),
    ]);
    expect(await app.stop()).toBe(0);
    const handle = openReadOnlyDatabase(app.databasePath);
    try {
      const [worker, ...others] = await listWorkers(sqliteStore(handle.db), Date.now());
      expect(others).toEqual([]);
      expect(worker).toMatchObject({ labels: ['gpu'], alive: false, runningRuns: 0 });
      expect(worker?.stoppedAt).toBeGreaterThanOrEqual(worker?.startedAt ?? Number.POSITIVE_INFINITY);
    } finally {
      handle.sqlite.close();
      fs.rmSync(app.dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
