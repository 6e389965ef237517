import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleDto, ScheduleFiringDto } from '../../src/lib/contracts/schedules';
import { workflowDefinitionSchema } from '../../src/lib/contracts/workflows';
import { openDatabase } from '../../src/lib/db';
import { sqliteStore } from '../../src/lib/db/store';
import { createWorkflow } from '../../src/lib/workflows/definitions';
import { type ApiClient, apiClient } from '../helpers/api';
import { type AppServer, startAppServer } from '../helpers/appServer';
import { type ScriptedModelServer, startScriptedModelServer } from '../helpers/scriptedModelServer';

let model: ScriptedModelServer;
const servers: AppServer[] = [];

beforeAll(async () => {
  model = await startScriptedModelServer();
});

afterAll(async () => {
  for (const server of servers) await server.stop();
  await model?.close();
});

async function start(dataDir?: string): Promise<{ app: AppServer; api: ApiClient }> {
  const app = await startAppServer({ modelServerUrl: model.url, ...(dataDir && { dataDir }) });
  servers.push(app);
  return { app, api: apiClient(app.url) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value (or the deadline passes, then fails with `what`). */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function createSchedule(api: ApiClient, body: Record<string, unknown>): Promise<ScheduleDto> {
  const { status, body: answer } = await api.call('POST', '/api/schedules', body);
  if (status !== 201) throw new Error(`create schedule failed: ${status} ${JSON.stringify(answer)}`);
  return (answer as { schedule: ScheduleDto }).schedule;
}

async function firingsOf(api: ApiClient, scheduleId: number): Promise<ScheduleFiringDto[]> {
  const { body } = await api.call('GET', `/api/schedules/${scheduleId}/firings?limit=200`);
  return (body as { items: ScheduleFiringDto[] }).items;
}

/** Waits until the schedule has this many firings that started a run. */
const startedFirings = (api: ApiClient, scheduleId: number, count: number) =>
  waitFor(`${count} started firings of schedule ${scheduleId}`, async () => {
    const started = (await firingsOf(api, scheduleId)).filter((firing) => firing.outcome === 'started');
    return started.length >= count ? started : undefined;
  });

describe('schedules on a real server', () => {
  it('fires every 3 s: real runs, one per slot, trigger schedule; a SIGTERM and a restart on the same data dir fire no slot twice', async () => {
    const key = '[script:schedule-every-3s]';
    model.script(key, [{ content: [{ type: 'text', text: 'Scheduled check done.' }] }], { repeatLast: true });
    const first = await start();
    const agent = await first.api.createAgent({ defaultPrompt: `Check the disks. ${key}` });
    const schedule = await createSchedule(first.api, {
      agentId: agent.id,
      name: 'Every three seconds',
      cronExpression: '*/3 * * * * *',
      timezone: 'UTC',
    });
    expect(schedule.nextRuns).toHaveLength(5);
    expect(Date.parse(schedule.nextRuns[1] ?? '') - Date.parse(schedule.nextRuns[0] ?? '')).toBe(3_000);

    const beforeStop = await startedFirings(first.api, schedule.id, 2);
    const completed = await first.api.waitForEnd(beforeStop.at(-1)?.executionId ?? 0);
    expect(completed).toMatchObject({
      status: 'completed',
      trigger: 'schedule',
      scheduleId: schedule.id,
      resultText: 'Scheduled check done.',
    });
    expect(await first.app.stop('SIGTERM')).toBe(0);
    const stoppedAt = Date.now();

    const second = await start(first.app.dataDir);
    const afterRestart = await waitFor('a run started by the restarted server', async () => {
      const started = (await firingsOf(second.api, schedule.id)).filter(
        (firing) => firing.outcome === 'started' && firing.fireAt > stoppedAt,
      );
      return started.length >= 1 ? started : undefined;
    });
    await second.api.waitForEnd(afterRestart[0]?.executionId ?? 0);
    const { status } = await second.api.call('PATCH', `/api/schedules/${schedule.id}`, { enabled: false });
    expect(status).toBe(200);
    expect(await second.app.stop('SIGTERM')).toBe(0);

    const db = new Database(second.app.databasePath, { readonly: true });
    const firings = db
      .prepare(
        'select id, scheduled_for as slot, outcome, execution_id as executionId from schedule_firings where schedule_id = ? order by scheduled_for',
      )
      .all(schedule.id) as { id: number; slot: number; outcome: string; executionId: number | null }[];
    const runs = db
      .prepare('select id, trigger, schedule_id as scheduleId, status from executions where schedule_id = ?')
      .all(schedule.id) as { id: number; trigger: string; scheduleId: number; status: string }[];
    const twiceFired = db
      .prepare(
        'select scheduled_for from schedule_firings where schedule_id = ? group by scheduled_for having count(*) > 1',
      )
      .all(schedule.id);
    db.close();

    expect(twiceFired).toEqual([]);
    // Every slot from the first to the last is in the history, once: nothing skipped silently.
    const slots = firings.map((firing) => firing.slot);
    expect(slots.slice(1).map((slot, i) => slot - (slots[i] ?? 0))).toEqual(slots.slice(1).map(() => 3_000));
    // Every run belongs to exactly one started slot, and every started slot has its run.
    const started = firings.filter((firing) => firing.outcome === 'started');
    expect(started.map((firing) => firing.executionId).sort()).toEqual(runs.map((run) => run.id).sort());
    expect(new Set(started.map((firing) => firing.executionId)).size).toBe(started.length);
    expect(runs.every((run) => run.trigger === 'schedule' && run.scheduleId === schedule.id)).toBe(true);
    expect(started.length).toBeGreaterThanOrEqual(3);
    // What did not start says why: an earlier slot's run was still going (overlap: skip), or the
    // server was down for longer than the 60 s a slot may be late.
    expect(firings.filter((f) => !['started', 'skipped_overlap', 'missed'].includes(f.outcome))).toEqual([]);
  }, 120_000); // two server starts and their runs

  it('a second server on the same database refuses to start, naming the first', async () => {
    const { app } = await start();
    await expect(start(app.dataDir)).rejects.toThrow(
      new RegExp(`exited with 1[\\s\\S]*Another ClaudeOps server \\(pid ${app.process.pid},`),
    );
    // The first goes on serving.
    expect((await apiClient(app.url).call('GET', '/api/schedules')).status).toBe(200);
  });

  it('a schedule with a workflow target starts a workflow run, with its input, whose steps run', async () => {
    const key = '[script:scheduled-workflow]';
    model.script(key, [{ content: [{ type: 'text', text: 'Workflow step done.' }] }], { repeatLast: true });
    const { app, api } = await start();
    const agent = await api.createAgent({ defaultPrompt: 'unused' });
    // No workflow API on this branch yet: saved through the same checks, on the server's database file.
    const handle = openDatabase(app.databasePath);
    const workflow = await createWorkflow(
      sqliteStore(handle.db),
      workflowDefinitionSchema.parse({
        name: 'Scheduled report',
        inputs: [{ name: 'topic', required: true }],
        steps: [{ key: 'gather', agentId: agent.id, prompt: `Gather facts about {{input.topic}} ${key}` }],
      }),
      () => false,
    );
    handle.sqlite.close();

    const schedule = await createSchedule(api, {
      workflowId: workflow.id,
      workflowInput: { topic: 'disks' },
      cronExpression: '*/3 * * * * *',
      timezone: 'UTC',
    });
    expect(schedule).toMatchObject({
      agentId: null,
      workflowId: workflow.id,
      workflowName: 'Scheduled report',
    });
    const [firing] = await startedFirings(api, schedule.id, 1);
    await api.call('PATCH', `/api/schedules/${schedule.id}`, { enabled: false });
    expect(firing?.reason).toBe(`Started workflow run #${firing?.workflowRunId}`);

    const db = new Database(app.databasePath, { readonly: true });
    const run = await waitFor('the workflow run to end', async () => {
      const row = db
        .prepare('select trigger, schedule_id as scheduleId, status, input from workflow_runs where id = ?')
        .get(firing?.workflowRunId) as { trigger: string; scheduleId: number; status: string; input: string };
      return row.status === 'queued' || row.status === 'running' ? undefined : row;
    });
    const step = db
      .prepare(
        `select e.trigger, e.prompt, e.status, e.result_text as resultText from workflow_run_steps s
         join executions e on e.id = s.execution_id where s.run_id = ?`,
      )
      .get(firing?.workflowRunId);
    db.close();
    expect(run).toEqual({
      trigger: 'schedule',
      scheduleId: schedule.id,
      status: 'completed',
      input: JSON.stringify({ topic: 'disks' }),
    });
    expect(step).toEqual({
      trigger: 'workflow',
      prompt: `Gather facts about disks ${key}`,
      status: 'completed',
      resultText: 'Workflow step done.',
    });
  });
});

describe('the schedules API', () => {
  let app: AppServer;
  let api: ApiClient;
  let agentId: number;

  beforeAll(async () => {
    ({ app, api } = await start(fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-schedules-api-'))));
    agentId = (await api.createAgent({ defaultPrompt: 'Say hi' })).id;
  });

  it.each([
    [{ cronExpression: '61 * * * *' }, 'cronExpression', /^minute field "61"/],
    [{ cronExpression: '0 9 * *' }, 'cronExpression', /^Expected 5 fields/],
    [
      { cronExpression: '@daily', timezone: 'Europe/Berlln' },
      'timezone',
      /^Unknown time zone "Europe\/Berlln"/,
    ],
    [{ cronExpression: '@daily', agentId: null }, 'agentId', /^Choose an agent or a workflow/],
    [{ cronExpression: '@daily', workflowId: 1 }, 'workflowId', /not both$/],
    [{ cronExpression: '@daily', jitterSeconds: 3_601 }, 'jitterSeconds', /^At most 1 hour$/],
  ])('POST %j is a 400 naming %s, and creates nothing', async (fields, field, message) => {
    const { status, body } = await api.call('POST', '/api/schedules', { agentId, ...fields });
    const error = (body as { error: { code: string; issues: { path: string; message: string }[] } }).error;
    expect(status).toBe(400);
    expect(error.code).toBe('invalid_request');
    expect(error.issues[0]?.path).toBe(field);
    expect(error.issues[0]?.message).toMatch(message);
    const list = await api.call('GET', `/api/schedules?agentId=${agentId}`);
    expect((list.body as { items: unknown[] }).items).toEqual([]);
  });

  it('preview: the next five times in the zone, or a 400 naming the field', async () => {
    const ok = await api.call(
      'GET',
      '/api/schedules/preview?cronExpression=0%209%20*%20*%201-5&timezone=Asia/Tokyo',
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ description: 'At 09:00, Monday through Friday', timezone: 'Asia/Tokyo' });
    const runs = (ok.body as { nextRuns: string[] }).nextRuns;
    expect(runs).toHaveLength(5);
    expect(runs.every((run) => run.endsWith('T00:00:00.000Z'))).toBe(true);
    const bad = await api.call('GET', '/api/schedules/preview?cronExpression=%40reboot&timezone=UTC');
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { issues: { path: string }[] } }).error.issues[0]?.path).toBe(
      'cronExpression',
    );
  });

  it('get, change, run now, history, delete: the runs stay', async () => {
    const key = '[script:run-now]';
    model.script(key, [{ content: [{ type: 'text', text: 'Ran now.' }] }], { repeatLast: true });
    const schedule = await createSchedule(api, {
      agentId,
      cronExpression: '0 3 * * *',
      timezone: 'UTC',
      prompt: `Now ${key}`,
    });
    const paused = await api.call('PATCH', `/api/schedules/${schedule.id}`, { enabled: false });
    expect(paused.body).toMatchObject({ schedule: { enabled: false, nextRuns: [] } });

    const ran = await api.call('POST', `/api/schedules/${schedule.id}/run`);
    expect(ran.status).toBe(201);
    const firing = (ran.body as { firing: ScheduleFiringDto }).firing;
    expect(firing).toMatchObject({ manual: true, outcome: 'started', scheduledFor: null });
    const execution = await api.waitForEnd(firing.executionId ?? 0);
    expect(execution).toMatchObject({ status: 'completed', trigger: 'schedule', scheduleId: schedule.id });

    const got = await api.call('GET', `/api/schedules/${schedule.id}`);
    expect(got.body).toMatchObject({ schedule: { id: schedule.id, lastFiring: { id: firing.id } } });
    expect((await firingsOf(api, schedule.id)).map((f) => f.id)).toEqual([firing.id]);

    expect((await api.call('DELETE', `/api/schedules/${schedule.id}`)).status).toBe(204);
    expect((await api.call('GET', `/api/schedules/${schedule.id}`)).status).toBe(404);
    expect((await api.call('POST', `/api/schedules/${schedule.id}/run`)).status).toBe(404);
    expect((await api.getExecution(execution.id)).scheduleId).toBe(schedule.id);
  });

  it('a run now a budget refuses is recorded and answered 409, naming the refusal', async () => {
    const key = '[script:budget]';
    model.script(
      key,
      [
        {
          content: [{ type: 'text', text: 'Spent.' }],
          usage: { input_tokens: 50_000, output_tokens: 1_000 },
        },
      ],
      {
        repeatLast: true,
      },
    );
    const spender = await api.createAgent({ defaultPrompt: `Spend ${key}`, monthlyBudgetUsd: 0.0001 });
    await api.waitForEnd(await api.startExecution(spender.id));
    const schedule = await createSchedule(api, { agentId: spender.id, cronExpression: '@daily' });

    const { status, body } = await api.call('POST', `/api/schedules/${schedule.id}/run`);
    const error = (
      body as { error: { code: string; message: string; outcome: string; firing: ScheduleFiringDto } }
    ).error;
    expect(status).toBe(409);
    expect(error).toMatchObject({ code: 'budget_exhausted', outcome: 'refused_budget' });
    expect(error.message).toMatch(/budget/);
    expect(await firingsOf(api, schedule.id)).toEqual([error.firing]);
    expect(app.output()).not.toMatch(/unhandled error in route/);
  });
});
