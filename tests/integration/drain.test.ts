import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { WorkerDto } from '../../src/lib/contracts/workers';
import { DRAINING_WAIT_REASON } from '../../src/lib/engine/admission';
import { HANDED_BACK_MESSAGE } from '../../src/lib/engine/runState';
import { type ApiClient, apiClient } from '../helpers/api';
import { type AppServer, startAppServer } from '../helpers/appServer';
import { pidsWithEnv } from '../helpers/processes';
import { gate, type ScriptedModelServer, startScriptedModelServer } from '../helpers/scriptedModelServer';

let model: ScriptedModelServer;

beforeAll(async () => {
  model = await startScriptedModelServer();
});

afterAll(async () => {
  await model?.close();
});

/** A server that drains for `drainSeconds` on a stop signal; stopped after the test if still up. */
async function serverDraining(drainSeconds: number, dataDir?: string): Promise<AppServer> {
  const app = await startAppServer({
    modelServerUrl: model.url,
    env: { CLAUDEOPS_DRAIN_SECONDS: String(drainSeconds) },
    ...(dataDir ? { dataDir } : {}),
  });
  onTestFinished(async () => {
    await app.stop();
  });
  return app;
}

/** Resolves once the server has printed `text` (a log line), without polling. */
function printed(app: AppServer, text: string): Promise<void> {
  if (app.output().includes(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const onData = () => {
      if (!app.output().includes(text)) return;
      app.process.stdout?.off('data', onData);
      app.process.stderr?.off('data', onData);
      resolve();
    };
    app.process.stdout?.on('data', onData);
    app.process.stderr?.on('data', onData);
  });
}

/** Resolves once the model server has served every scripted turn of `key` (the last may hang or hold). */
async function served(key: string): Promise<void> {
  while (model.remaining(key) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
}

function exitOf(app: AppServer): Promise<number | null> {
  return new Promise((resolve) => {
    if (app.process.exitCode !== null) resolve(app.process.exitCode);
    else app.process.once('exit', (code) => resolve(code));
  });
}

async function thisWorker(api: ApiClient): Promise<WorkerDto | undefined> {
  const { body } = await api.call('GET', '/api/workers');
  return (body as { items: WorkerDto[] }).items[0];
}

interface StoredRun {
  status: string;
  startedAt: number | null;
  costMicros: number;
  handedBack: string | null;
}

function storedRun(databasePath: string, id: number) {
  const db = new Database(databasePath, { readonly: true });
  try {
    const run = db
      .prepare(
        'select status, started_at as startedAt, cost_micros as costMicros, handed_back as handedBack from executions where id = ?',
      )
      .get(id) as StoredRun;
    const attempts = db
      .prepare(
        'select attempt, status, error_code as errorCode, cost_micros as costMicros from execution_attempts where execution_id = ? order by attempt',
      )
      .all(id);
    const logs = (
      db.prepare('select text from execution_logs where execution_id = ? order by seq').all(id) as {
        text: string;
      }[]
    ).map((row) => row.text);
    const monthMicros = (
      db.prepare('select coalesce(sum(cost_micros), 0) as total from monthly_cost_summaries').get() as {
        total: number;
      }
    ).total;
    return { run, attempts, logs, monthMicros };
  } finally {
    db.close();
  }
}

describe('graceful stop: the worker drains', () => {
  it('lets a running run finish while nothing starts, shows the worker draining, and starts the queued runs on the next start', async () => {
    const app = await serverDraining(30);
    const api = apiClient(app.url);
    expect((await api.call('PATCH', '/api/settings', { maxConcurrentRuns: 1 })).status).toBe(200);
    const answer = gate();
    const runningKey = '[script:drain-finish]';
    const queuedKey = '[script:drain-queued]';
    model.script(runningKey, [
      { content: [{ type: 'text', text: 'finished in the drain' }], holdUntil: answer.opened },
    ]);
    model.script(queuedKey, [{ content: [{ type: 'text', text: 'ran after the restart' }] }], {
      repeatLast: true,
    });
    const running = await api.createAgent({ defaultPrompt: `Work ${runningKey}` });
    const later = await api.createAgent({ defaultPrompt: `Work ${queuedKey}` });
    const runningId = await api.startExecution(running.id);
    await served(runningKey);
    const queuedId = await api.startExecution(later.id);
    expect(await api.getExecution(queuedId)).toMatchObject({ status: 'queued', queuePosition: 1 });

    app.process.kill('SIGTERM');
    const exited = exitOf(app);
    await printed(app, 'draining: no run starts');

    // Still serving: the worker says it drains, and a run queued now waits, saying why.
    const worker = await thisWorker(api);
    expect(worker).toMatchObject({ alive: true, stoppedAt: null, runningRuns: 1 });
    expect(worker?.drainingSince).toEqual(expect.any(Number));
    const duringId = await api.startExecution(later.id);
    for (const id of [queuedId, duringId])
      expect(await api.getExecution(id)).toMatchObject({
        status: 'queued',
        waitReason: DRAINING_WAIT_REASON,
      });

    answer.open();
    expect(await exited).toBe(0);
    expect(app.output()).toContain(
      'drain over (all finished): 1 run(s) finished, 0 handed back, 2 left queued',
    );
    const finished = storedRun(app.databasePath, runningId);
    expect(finished.run.status).toBe('completed');
    for (const id of [queuedId, duringId]) {
      const left = storedRun(app.databasePath, id);
      expect(left.run).toMatchObject({ status: 'queued', startedAt: null });
      expect(JSON.parse(left.run.handedBack ?? 'null')).toMatchObject({
        attempt: 1,
        from: { kind: 'prompt' },
      });
      expect(left.attempts).toEqual([]);
    }

    const again = await serverDraining(30, app.dataDir);
    const api2 = apiClient(again.url);
    for (const id of [queuedId, duringId])
      expect(await api2.waitForEnd(id)).toMatchObject({
        status: 'completed',
        resultText: 'ran after the restart',
        attempt: 1,
      });
    const [restarted, stopped] = ((await api2.call('GET', '/api/workers')).body as { items: WorkerDto[] })
      .items;
    expect(restarted).toMatchObject({ alive: true, drainingSince: null });
    expect(stopped).toMatchObject({ alive: false, drainingSince: worker?.drainingSince });
    expect(stopped?.stoppedAt).toEqual(expect.any(Number));
  }, 120_000);

  it('hands back a run still running at the deadline: its process stopped, its spend kept, and it runs again on the next start', async () => {
    const app = await serverDraining(1);
    const api = apiClient(app.url);
    const key = '[script:drain-deadline]';
    model.script(key, [
      { content: [{ type: 'tool_use', name: 'Bash', input: { command: 'echo started' } }] },
      { kind: 'hang' },
    ]);
    const agent = await api.createAgent({ defaultPrompt: `Work ${key}`, allowedTools: ['Bash'] });
    const id = await api.startExecution(agent.id);
    await served(key);

    const exited = exitOf(app);
    app.process.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(app.output()).toContain('drain over (deadline): 0 run(s) finished, 1 handed back');
    expect(pidsWithEnv('CLAUDEOPS_INSTANCE', app.databasePath)).toEqual([]);
    const left = storedRun(app.databasePath, id);
    expect(left.run.status).toBe('queued');
    expect(JSON.parse(left.run.handedBack ?? 'null')).toMatchObject({ attempt: 2, from: { kind: 'prompt' } });
    expect(left.attempts).toEqual([
      { attempt: 1, status: 'interrupted', errorCode: 'handed_back', costMicros: expect.any(Number) },
    ]);
    const partial = (left.attempts[0] as { costMicros: number }).costMicros;
    expect(partial).toBeGreaterThan(0);
    expect(left.run.costMicros).toBe(partial);
    // Budgets read the month's summaries: the partial attempt is counted there.
    expect(left.monthMicros).toBe(partial);
    expect(left.logs).toContain('started');
    expect(left.logs).toContain(`[claudeops] ${HANDED_BACK_MESSAGE}`);

    model.script(key, [{ content: [{ type: 'text', text: 'done on the second attempt' }] }]);
    const again = await serverDraining(1, app.dataDir);
    const done = await apiClient(again.url).waitForEnd(id);
    expect(done).toMatchObject({ status: 'completed', attempt: 2, resultText: 'done on the second attempt' });
    expect(done.attempts.map(({ attempt, status, errorCode }) => ({ attempt, status, errorCode }))).toEqual([
      { attempt: 1, status: 'interrupted', errorCode: 'handed_back' },
      { attempt: 2, status: 'completed', errorCode: null },
    ]);
    expect(storedRun(again.databasePath, id).run.costMicros).toBeGreaterThan(partial);
  }, 120_000);

  it('hands back at once on a second signal during the drain', async () => {
    const app = await serverDraining(600);
    const api = apiClient(app.url);
    const key = '[script:drain-second-signal]';
    model.script(key, [{ kind: 'hang' }]);
    const agent = await api.createAgent({ defaultPrompt: `Work ${key}` });
    const id = await api.startExecution(agent.id);
    await served(key);

    const exited = exitOf(app);
    app.process.kill('SIGTERM');
    await printed(app, 'draining: no run starts');
    app.process.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(app.output()).toContain('drain over (second signal): 0 run(s) finished, 1 handed back');
    expect(pidsWithEnv('CLAUDEOPS_INSTANCE', app.databasePath)).toEqual([]);
    expect(storedRun(app.databasePath, id).run.status).toBe('queued');
  }, 60_000);
});
