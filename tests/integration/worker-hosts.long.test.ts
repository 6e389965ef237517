import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsRangeDto } from '../../src/lib/contracts/metrics';
import { conditionListResponseSchema } from '../../src/lib/contracts/notifications';
import type { WorkerDto } from '../../src/lib/contracts/workers';
import { WORKER_LEASE_MS } from '../../src/lib/db/queries/runClaims';
import { type ApiClient, apiClient } from '../helpers/api';
import { answer, approvalsApi, bashCall, eventually } from '../helpers/approvals';
import { type AppServer, startAppServer } from '../helpers/appServer';
import { mostAtOnce } from '../helpers/intervals';
import { notificationsApi, requestsTo, verifiedWebhook } from '../helpers/notificationServer';
import { type PostgresCluster, queryPostgres, startPostgres } from '../helpers/postgres';
import { type HttpReceiver, startHttpReceiver } from '../helpers/receivers';
import {
  echoThenAnswer,
  type ScriptedModelServer,
  type ScriptedTurn,
  startScriptedModelServer,
} from '../helpers/scriptedModelServer';
import { startTcpProxy } from '../helpers/tcpProxy';
import { startWorkerHost, type WorkerHost } from '../helpers/workerHost';
import { statusesOf, stepOf, workflowApi } from '../helpers/workflowApi';

const GLOBAL_LIMIT = 4;
/** 40 real runs at 4 at a time on a 2-core machine that runs other suites beside this one. */
const FLEET_TIMEOUT_MS = 300_000;
/** A test that waits for a lease, a 30 s schedule or a run, on a busy machine. */
const STEP_TIMEOUT_MS = 120_000;
/**
 * A dead worker's runs are settled within this of its last beat: the lease (20 s) and a reaper's
 * beat (5 s), with 5 s for a loaded machine's timers (27.8 s was seen beside a build).
 */
const SETTLED_WITHIN_MS = WORKER_LEASE_MS + 10_000;

let cluster: PostgresCluster;
let databaseUrl: string;
let model: ScriptedModelServer;
let web: AppServer;
let api: ApiClient;
let approvals: ReturnType<typeof approvalsApi>;
let receiver: HttpReceiver;
/** Carries `repo-a`. */
let repoWorker: WorkerHost;
/** Carries `gpu`; killed with -9 in the second test. */
let gpuWorker: WorkerHost;
/** The gpu worker's machine, by name (CLAUDEOPS_HOST_NAME): another host than the web process's. */
const GPU_HOST = 'gpu-host.test';
const others: { stop(signal?: NodeJS.Signals): Promise<unknown> }[] = [];

const webOnly = () => ({ DATABASE_URL: databaseUrl, CLAUDEOPS_RUN_AGENTS: 'false' });

beforeAll(async () => {
  [cluster, model, receiver] = await Promise.all([
    startPostgres(),
    startScriptedModelServer(),
    startHttpReceiver(),
  ]);
  databaseUrl = await cluster.createDatabase('worker_hosts');
  // The web process migrates; the workers find the schema applied.
  web = await startAppServer({ modelServerUrl: model.url, env: webOnly() });
  api = apiClient(web.url);
  approvals = approvalsApi(api, model);
  [repoWorker, gpuWorker] = await Promise.all([
    startWorkerHost({ modelServerUrl: model.url, databaseUrl, labels: ['repo-a'] }),
    startWorkerHost({
      modelServerUrl: model.url,
      databaseUrl,
      labels: ['gpu'],
      env: { CLAUDEOPS_HOST_NAME: GPU_HOST },
    }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([web, repoWorker, gpuWorker, ...others].map((process) => process?.stop()));
  await model?.close();
  await receiver?.close();
  await cluster?.stop();
});

const query = <Row>(sql: string, values: unknown[] = []) => queryPostgres<Row>(databaseUrl, sql, values);

async function workers(): Promise<WorkerDto[]> {
  return ((await api.call('GET', '/api/workers')).body as { items: WorkerDto[] }).items;
}

/** Each Bash call of the marking agents appends "<its shell's pid> <ms>" to `marks` while it runs. */
const MARK = 'echo "$$ $(date +%s%3N)" >> marks';

/** The marks written in `dir` so far, as [shell pid, ms]. */
function markedShells(dir: string): () => [number, number][] {
  const file = path.join(dir, 'marks');
  return () =>
    fs.existsSync(file)
      ? fs
          .readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((line) => line.split(' ').map(Number) as [number, number])
      : [];
}

/** The last mark of the first attempt's shell (the one stopped), the first of the next one's. */
function twoShells(marks: [number, number][]): { stoppedLast: number; elsewhereFirst: number } {
  const [first, second] = [...new Set(marks.map(([pid]) => pid))];
  const times = (pid: number | undefined) => marks.flatMap(([p, at]) => (p === pid ? [at] : []));
  return { stoppedLast: Math.max(...times(first)), elsewhereFirst: Math.min(...times(second)) };
}

/**
 * A run of an agent that requires `label` (one retry), whose first Bash call marks every 100 ms for
 * a minute and whose second marks once, once it marks on the worker `workerId`.
 */
async function startMarkingRun(label: string, workerId: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `claudeops-${label}-`));
  const marks = markedShells(dir);
  const key = `[script:fleet-${label}]`;
  model.script(key, [
    bashCall(`for i in $(seq 1 600); do ${MARK}; sleep 0.1; done`),
    bashCall(MARK),
    answer('Done elsewhere.'),
  ]);
  const agent = await api.createAgent({
    defaultPrompt: `Mark ${key}`,
    allowedTools: ['Bash'],
    requiredLabels: [label],
    runRetries: 1,
    workingDirectory: dir,
  });
  const id = await api.startExecution(agent.id);
  await eventually('the first attempt marking', async () => marks().length > 0 || undefined);
  expect((await api.getExecution(id)).workerId).toBe(workerId);
  return { marks, agent, id };
}

describe('worker hosts on one Postgres', () => {
  it('refuses to start a worker host without DATABASE_URL, saying what to set', async () => {
    await expect(startWorkerHost({ modelServerUrl: model.url, databaseUrl: '', labels: [] })).rejects.toThrow(
      /exited with 1[\s\S]*A worker host claims runs from the Postgres database the dashboard uses: set DATABASE_URL/,
    );
  });

  it(
    'runs 40 runs over two workers at a global limit of 4: all complete once, each on a worker with its labels, never more than 4 at once',
    async () => {
      expect((await api.call('PATCH', '/api/settings', { maxConcurrentRuns: GLOBAL_LIMIT })).status).toBe(
        200,
      );
      const listed = await workers();
      expect(listed.filter((worker) => worker.alive).map((worker) => worker.labels)).toEqual(
        expect.arrayContaining([['repo-a'], ['gpu']]),
      );
      const labeled = await api.createAgent({
        defaultPrompt: 'Repo work.',
        allowedTools: ['Bash'],
        requiredLabels: ['repo-a'],
        maxConcurrentRuns: 4,
      });
      const anywhere = await api.createAgent({
        defaultPrompt: 'Any work.',
        allowedTools: ['Bash'],
        maxConcurrentRuns: 4,
      });
      // Sampled while they run, as an operator watching the Runs page would.
      let mostRunning = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const [row] = await query<{ n: number }>(
            "select count(*)::int as n from executions where status = 'running'",
          );
          mostRunning = Math.max(mostRunning, row?.n ?? 0);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      const started: { id: number; labeled: boolean }[] = [];
      for (let i = 0; i < 40; i += 1) {
        const key = `[script:fleet-${i}]`;
        model.script(key, echoThenAnswer(`Run ${i} done.`));
        const isLabeled = i % 4 === 0;
        const id = await api.startExecution((isLabeled ? labeled : anywhere).id, `Work ${key}`);
        started.push({ id, labeled: isLabeled });
      }
      const ended = await Promise.all(started.map(({ id }) => api.waitForEnd(id, 240_000)));
      sampling = false;
      await sampler;

      expect(ended.map((run) => run.status)).toEqual(started.map(() => 'completed'));
      const rows = await query<{
        id: number;
        worker_id: string;
        attempt: number;
        started_at: string;
        finished_at: string;
      }>(
        'select id::int as id, worker_id, attempt::int as attempt, started_at, finished_at from executions where id = any($1) order by id',
        [started.map(({ id }) => id)],
      );
      // Once each: one attempt, no retry, no second claim.
      expect(rows.map((row) => row.attempt)).toEqual(started.map(() => 1));
      const [attempts] = await query<{ n: number }>(
        'select count(*)::int as n from execution_attempts where execution_id = any($1)',
        [started.map(({ id }) => id)],
      );
      expect(attempts?.n).toBe(40);
      const workerOf = new Map(rows.map((row) => [row.id, row.worker_id]));
      for (const run of started.filter((run) => run.labeled))
        expect(workerOf.get(run.id)).toBe(repoWorker.id);
      const perWorker = new Map<string, number>();
      for (const id of workerOf.values()) perWorker.set(id, (perWorker.get(id) ?? 0) + 1);
      expect([...perWorker.keys()].sort()).toEqual([repoWorker.id, gpuWorker.id].sort());
      expect(mostRunning).toBeLessThanOrEqual(GLOBAL_LIMIT);
      expect(
        mostAtOnce(rows.map((row) => ({ start: Number(row.started_at), end: Number(row.finished_at) }))),
      ).toBeLessThanOrEqual(GLOBAL_LIMIT);
      // Each worker host reports its host's figures with its beats (the hosts are this machine).
      for (const host of (await workers()).filter((worker) => perWorker.has(worker.id)))
        expect(host.vitals).toMatchObject({
          cpuBusy: expect.any(Number),
          cores: os.cpus().length,
          memoryTotalBytes: os.totalmem(),
        });
      // Each worker host records its machine's metrics under its name, and its runs are drawn on them.
      const gpuMetrics = await eventually('the gpu host charted with its runs', async () => {
        const answer = (await api.call('GET', `/api/metrics?host=${GPU_HOST}&range=1h`))
          .body as MetricsRangeDto;
        return answer.t.length > 0 && answer.runs.length > 0 && answer;
      });
      expect(gpuMetrics.series.map((series) => series.metric)).toContain('cpu.busy');
      const onGpu = rows.filter((row) => row.worker_id === gpuWorker.id).map((row) => row.id);
      expect(gpuMetrics.runs.map((band) => band.id).sort((a, b) => a - b)).toEqual(
        onGpu.sort((a, b) => a - b),
      );
      console.log(
        `40 runs: at most ${mostRunning} running at once; per worker ${JSON.stringify(Object.fromEntries(perWorker))}`,
      );
    },
    FLEET_TIMEOUT_MS,
  );

  it(
    'shows why a run no worker may take waits, and cancels from the web a queued run and a run on a worker (within 3 s)',
    async () => {
      const nowhere = await api.createAgent({
        defaultPrompt: 'Needs a host nobody has.',
        requiredLabels: ['nowhere'],
      });
      const waiting = await api.startExecution(nowhere.id);
      await expect
        .poll(async () => (await api.getExecution(waiting)).waitReason, { timeout: 5_000, interval: 100 })
        .toBe('waiting for a worker with labels nowhere');
      expect((await api.getExecution(waiting)).queuePosition).toBeGreaterThanOrEqual(1);
      expect((await api.call('POST', `/api/executions/${waiting}/cancel`)).status).toBe(202);
      expect(await api.waitForEnd(waiting, 10_000)).toMatchObject({ status: 'cancelled' });

      const hangKey = '[script:fleet-cancel]';
      model.script(hangKey, [{ kind: 'hang' }]);
      const repoOnly = await api.createAgent({
        defaultPrompt: `Hang ${hangKey}`,
        requiredLabels: ['repo-a'],
      });
      const hanging = await api.startExecution(repoOnly.id);
      await expect
        .poll(async () => (await api.getExecution(hanging)).status, { timeout: 20_000 })
        .toBe('running');
      expect((await api.getExecution(hanging)).workerId).toBe(repoWorker.id);
      const asked = Date.now();
      expect((await api.call('POST', `/api/executions/${hanging}/cancel`)).status).toBe(202);
      await expect
        .poll(async () => (await api.getExecution(hanging)).status, { timeout: 3_000, interval: 50 })
        .toBe('cancelled');
      console.log(`cancel on the web → cancelled on the worker: ${Date.now() - asked} ms`);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'goes on at once when a person answers on the web a tool call whose process waits on a worker',
    async () => {
      const key = '[script:fleet-approval]';
      // A command that changes something: Claude Code asks for it (a read-only `echo` it would not).
      model.script(key, [bashCall('touch approved-here'), answer('Approved and done.')]);
      const asking = await approvals.askingAgent(key, { requiredLabels: ['repo-a'] });
      const id = await api.startExecution(asking.id);
      const pending = await approvals.pendingOf(id);
      expect((await api.getExecution(id)).workerId).toBe(repoWorker.id);
      const answeredAt = Date.now();
      expect((await approvals.decide(pending.id, { decision: 'allow' })).status).toBe(200);
      const done = await api.waitForEnd(id, 30_000);
      const tookMs = Date.now() - answeredAt;
      expect(done).toMatchObject({
        status: 'completed',
        resultText: 'Approved and done.',
        workerId: repoWorker.id,
      });
      // Well inside the 60 s the process is held: the answer reached it, not the end of its hold.
      expect(tookMs).toBeLessThan(30_000);
      console.log(`answer on the web → run on the worker completed: ${tookMs} ms`);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'checks each machine: a worker host’s disk condition reaches a channel through the web process, named for its host, and a machine two processes check is announced once',
    async () => {
      const { channel, secret } = await notificationsApi(api, model).createChannel({
        type: 'webhook',
        name: 'hosts',
        url: `${receiver.url}/hosts`,
        events: ['host.disk'],
      });
      const patch = (body: Record<string, number>) => api.call('PATCH', '/api/settings', body);
      // Every real mount is more than 1% full: every machine's disk conditions fire.
      expect((await patch({ metricsIntervalSeconds: 1, hostDiskUsedPercent: 1 })).status).toBe(200);
      /** The disk messages sent so far: `host mount state`, and when each happened. */
      const disks = () =>
        requestsTo(receiver.requests, '/hosts').flatMap((request) => {
          const body = verifiedWebhook(request, secret ?? '');
          if (body.type !== 'host.disk') return [];
          const { host, mount, state, path } = body.data;
          return [{ host, line: `${host} ${mount} ${state}`, path, occurredAt: body.occurredAt }];
        });
      const here = os.hostname();
      const fromGpu = await eventually(
        'the gpu host’s disk message',
        async () => disks().find((disk) => disk.host === GPU_HOST),
        STEP_TIMEOUT_MS / 2,
      );
      console.log(`a worker host's condition → the web's channel: ${Date.now() - fromGpu.occurredAt} ms`);
      expect(fromGpu.path).toBe(`/system?host=${GPU_HOST}`);
      // This machine is checked by the web process and the repo-a worker at the same instants.
      await eventually('this machine’s disk message', async () => disks().some((disk) => disk.host === here));
      const checked = Date.now();
      await eventually('three more seconds of samples', async () => Date.now() - checked > 3_000);
      const lines = disks().map((disk) => disk.line);
      expect(lines).toEqual([...new Set(lines)]);
      // The conditions list names each machine's.
      const { body } = await api.call('GET', '/api/notifications/conditions');
      const labels = conditionListResponseSchema.parse(body).conditions.map((condition) => condition.label);
      expect(labels).toEqual(expect.arrayContaining([`Memory low on ${GPU_HOST}`, `Memory low on ${here}`]));
      expect(labels.some((label) => label.endsWith(` full on ${GPU_HOST}`))).toBe(true);

      expect((await api.call('DELETE', `/api/notification-channels/${channel.id}`)).status).toBe(204);
      expect((await patch({ metricsIntervalSeconds: 5, hostDiskUsedPercent: 90 })).status).toBe(200);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'ends the run of a worker killed with -9 within 30 s of its last beat, while the other worker goes on',
    async () => {
      const hangKey = '[script:fleet-hang]';
      model.script(hangKey, [{ kind: 'hang' }]);
      const channel = await api.call('POST', '/api/notification-channels', {
        type: 'webhook',
        name: 'interruptions',
        url: `${receiver.url}/interrupted`,
        events: ['run.interrupted'],
      });
      expect(channel.status).toBe(201);
      const gpuOnly = await api.createAgent({
        defaultPrompt: `Hang ${hangKey}`,
        requiredLabels: ['gpu'],
        runRetries: 0,
        maxConcurrentRuns: 2,
      });
      const hanging = await api.startExecution(gpuOnly.id);
      // And a workflow whose one step runs there: its run must end with the step, not wait on.
      const workflows = workflowApi(api);
      const stepKey = '[script:fleet-hang-step]';
      model.script(stepKey, [{ kind: 'hang' }]);
      const flow = await workflows.create({
        name: 'On the gpu host',
        steps: [{ key: 'only', agentId: gpuOnly.id, prompt: `Hang ${stepKey}` }],
      });
      const flowRun = await workflows.start(flow.id);
      await workflows.waitFor(flowRun.id, (run) => run.steps[0]?.status === 'running');
      await expect
        .poll(async () => (await api.getExecution(hanging)).status, { timeout: 20_000 })
        .toBe('running');
      expect((await api.getExecution(hanging)).workerId).toBe(gpuWorker.id);

      await gpuWorker.stop('SIGKILL');
      const killedAt = Date.now();
      // Watched from now on, beside the run below: however long that takes, this sees the ending when it comes.
      const seenSettled = eventually(
        'the killed worker’s run ended interrupted',
        async () => (await api.getExecution(hanging)).status === 'interrupted' && Date.now(),
        SETTLED_WITHIN_MS + 5_000,
      );
      seenSettled.catch(() => {});
      const afterKey = '[script:fleet-after-kill]';
      model.script(afterKey, echoThenAnswer('Still here.'));
      const anywhere = await api.createAgent({ defaultPrompt: `Go on ${afterKey}`, allowedTools: ['Bash'] });
      const next = await api.startExecution(anywhere.id);
      const goneOn = await api.waitForEnd(next, 60_000);
      expect(goneOn).toMatchObject({ status: 'completed', workerId: repoWorker.id });

      const settledAt = await seenSettled;
      const settledMs = settledAt - killedAt;
      const run = await api.getExecution(hanging);
      expect(run.errorMessage).toContain(`Worker ${gpuWorker.id} stopped beating during the run`);
      // Seen ended within the lease and a beat of its last beat (before the kill), give or take the
      // poll and a busy machine's timer.
      const [beat] = await query<{ last_beat_at: string }>('select last_beat_at from workers where id = $1', [
        gpuWorker.id,
      ]);
      expect(settledAt - Number(beat?.last_beat_at)).toBeLessThanOrEqual(SETTLED_WITHIN_MS + 2_000);
      // Its ending says when the worker was last known alive.
      expect(run.finishedAt).toBe(Number(beat?.last_beat_at));
      // Someone is told, as of any run that fails unattended: the web process delivers the event
      // the reaper recorded (whichever process reaped it) to the webhook.
      const sent = await eventually('the run.interrupted webhook', async () =>
        receiver.requests.find((request) => request.path === '/interrupted'),
      );
      expect(JSON.parse(sent.body)).toMatchObject({ type: 'run.interrupted' });
      expect(sent.body).toContain(`"executionId":${hanging}`);
      const ended = await workflows.waitFor(flowRun.id, undefined, 15_000);
      expect(ended.status).toBe('interrupted');
      expect(statusesOf(ended)).toEqual({ only: 'interrupted' });
      const listed = await workers();
      expect(listed.find((worker) => worker.id === gpuWorker.id)?.alive).toBe(false);
      expect(listed.find((worker) => worker.id === repoWorker.id)?.alive).toBe(true);
      console.log(`killed worker's run ended interrupted ${settledMs} ms after the kill`);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'stops the run of a worker cut off from the database before its lease ends: the run goes on on another worker, never on two at once, and the worker rejoins',
    async () => {
      const url = new URL(databaseUrl);
      const proxy = await startTcpProxy(Number(url.port));
      url.port = String(proxy.port);
      const island = await startWorkerHost({
        modelServerUrl: model.url,
        databaseUrl: url.toString(),
        labels: ['island'],
      });
      others.push(island, { stop: () => proxy.close() });
      const { marks, agent, id } = await startMarkingRun('island', island.id);

      proxy.cut();
      // Any worker may take the run up once it is requeued.
      expect((await api.call('PATCH', `/api/agents/${agent.id}`, { requiredLabels: [] })).status).toBe(200);
      const ended = await api.waitForEnd(id, 90_000);
      expect(ended).toMatchObject({ status: 'completed', workerId: repoWorker.id });

      const [beat] = await query<{ last_beat_at: string }>('select last_beat_at from workers where id = $1', [
        island.id,
      ]);
      const lastBeatAt = Number(beat?.last_beat_at);
      const { stoppedLast: cutOffLast, elsewhereFirst } = twoShells(marks());
      // The cut-off worker's process stopped before its lease ran out, and before the run went on elsewhere.
      expect(cutOffLast - lastBeatAt).toBeLessThan(WORKER_LEASE_MS);
      expect(elsewhereFirst).toBeGreaterThan(cutOffLast);
      expect(island.output()).toContain('this worker takes itself for dead and stops its runs');

      proxy.mend();
      await expect
        .poll(async () => (await workers()).find((worker) => worker.id === island.id)?.alive, {
          timeout: 30_000,
          interval: 250,
        })
        .toBe(true);
      // Back in the books, it claims again.
      const backKey = '[script:fleet-island-back]';
      model.script(backKey, [answer('Back.')]);
      const islandOnly = await api.createAgent({
        defaultPrompt: `Back ${backKey}`,
        requiredLabels: ['island'],
      });
      expect(await api.waitForEnd(await api.startExecution(islandOnly.id), 60_000)).toMatchObject({
        status: 'completed',
        workerId: island.id,
      });
      console.log(
        `cut-off worker: its process stopped ${cutOffLast - lastBeatAt} ms after its last stored beat; the run went on elsewhere ${elsewhereFirst - cutOffLast} ms later`,
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'kills the agents of a worker paused past its fence before its lease ends: the run goes on on another worker, never on two at once, and the worker rejoins once resumed',
    async () => {
      const paused = await startWorkerHost({ modelServerUrl: model.url, databaseUrl, labels: ['paused'] });
      others.push(paused);
      const { marks, agent, id } = await startMarkingRun('paused', paused.id);

      // The worker's own process stops (a debugger, SIGSTOP, a frozen VM); its spawn helper does not.
      const pid = paused.process.pid ?? 0;
      process.kill(pid, 'SIGSTOP');
      try {
        expect((await api.call('PATCH', `/api/agents/${agent.id}`, { requiredLabels: [] })).status).toBe(200);
        const ended = await api.waitForEnd(id, 90_000);
        expect(ended.status).toBe('completed');
        expect(ended.workerId).not.toBe(paused.id);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      const [beat] = await query<{ last_beat_at: string }>('select last_beat_at from workers where id = $1', [
        paused.id,
      ]);
      const lastBeatAt = Number(beat?.last_beat_at);
      const { stoppedLast, elsewhereFirst } = twoShells(marks());
      expect(stoppedLast - lastBeatAt).toBeLessThan(WORKER_LEASE_MS);
      expect(elsewhereFirst).toBeGreaterThan(stoppedLast);

      // Resumed, it says what happened, and is back in the books.
      await eventually(
        'the paused worker’s account',
        async () => paused.output().includes('its spawn helper killed them') || undefined,
      );
      await expect
        .poll(async () => (await workers()).find((worker) => worker.id === paused.id)?.alive, {
          timeout: 30_000,
          interval: 250,
        })
        .toBe(true);
      console.log(
        `paused worker: its agent stopped ${stoppedLast - lastBeatAt} ms after its last stored beat; the run went on elsewhere ${elsewhereFirst - stoppedLast} ms later`,
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'stops a workflow’s steps on worker hosts from the web: its budget reached, and a cancel',
    async () => {
      const workflows = workflowApi(api);
      const hang: ScriptedTurn = { kind: 'hang' };
      const keys = {
        costly: '[script:fleet-wf-costly]',
        slow: '[script:fleet-wf-slow]',
        one: '[script:fleet-wf-one]',
        two: '[script:fleet-wf-two]',
      };
      // 100,000 input tokens of Sonnet cost $0.30, past the run's $0.05.
      model.script(keys.costly, [
        {
          content: [{ type: 'tool_use', name: 'Bash', input: { command: 'sleep 60', description: 'wait' } }],
          usage: { input_tokens: 100_000, output_tokens: 10 },
          delayMs: 2_500,
        },
        hang,
      ]);
      for (const key of [keys.slow, keys.one, keys.two]) model.script(key, [hang]);
      const agent = await api.createAgent({
        defaultPrompt: 'Step.',
        allowedTools: ['Bash'],
        maxConcurrentRuns: 2,
      });
      const budgeted = await workflows.create({
        name: 'Budgeted across hosts',
        maxCostUsd: 0.05,
        steps: [
          { key: 'costly', agentId: agent.id, prompt: `Spend ${keys.costly}` },
          { key: 'slow', agentId: agent.id, prompt: `Wait ${keys.slow}` },
        ],
      });
      const overBudget = await workflows.waitFor((await workflows.start(budgeted.id)).id);
      expect(overBudget.status).toBe('budget_exceeded');
      expect(statusesOf(overBudget)).toEqual({ costly: 'budget_exceeded', slow: 'budget_exceeded' });
      const slow = await api.getExecution(stepOf(overBudget, 'slow').executionId ?? 0);
      // It had started (the web process runs no agents: on a worker), and was stopped there.
      expect(slow.startedAt).not.toBeNull();
      expect(slow).toMatchObject({ status: 'budget_exceeded', errorMessage: overBudget.error });

      const cancelled = await workflows.create({
        name: 'Cancelled across hosts',
        steps: [
          { key: 'one', agentId: agent.id, prompt: `Wait ${keys.one}` },
          { key: 'two', agentId: agent.id, prompt: `Wait ${keys.two}` },
        ],
      });
      const started = await workflows.start(cancelled.id);
      await workflows.waitFor(started.id, (run) => run.steps.every((step) => step.status === 'running'));
      expect((await api.call('POST', `/api/workflow-runs/${started.id}/cancel`)).status).toBe(202);
      const run = await workflows.waitFor(started.id);
      expect(run).toMatchObject({ status: 'cancelled', error: 'Cancelled by request' });
      expect(statusesOf(run)).toEqual({ one: 'cancelled', two: 'cancelled' });
      for (const step of run.steps) {
        const execution = await api.getExecution(step.executionId ?? 0);
        expect(execution).toMatchObject({ status: 'cancelled' });
        expect(execution.startedAt).not.toBeNull();
      }
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'runs a workflow once with two web processes: each step launched once, on a worker, its spend counted once, the same run on both',
    async () => {
      const second = await startAppServer({ modelServerUrl: model.url, env: webOnly() });
      others.push(second);
      const keys = {
        a: '[script:fleet-webs-a]',
        b: '[script:fleet-webs-b]',
        c: '[script:fleet-webs-c]',
        d: '[script:fleet-webs-d]',
      };
      for (const key of Object.values(keys)) model.script(key, echoThenAnswer(`Done ${key}.`));
      const agent = await api.createAgent({
        defaultPrompt: 'Step.',
        allowedTools: ['Bash'],
        maxConcurrentRuns: 2,
      });
      const onSecond = workflowApi(apiClient(second.url));
      const flow = await onSecond.create({
        name: 'Across two web processes',
        steps: [
          { key: 'a', agentId: agent.id, prompt: `Gather ${keys.a}` },
          { key: 'b', agentId: agent.id, prompt: `Disks ${keys.b}`, dependsOn: ['a'] },
          { key: 'c', agentId: agent.id, prompt: `Memory ${keys.c}`, dependsOn: ['a'] },
          { key: 'd', agentId: agent.id, prompt: `Report ${keys.d}`, dependsOn: ['b', 'c'] },
        ],
      });
      // Started on the second web process, followed on the first: both hear every step end.
      const started = await onSecond.start(flow.id);
      const run = await workflowApi(api).waitFor(started.id);
      expect(run.status).toBe('completed');
      expect(statusesOf(run)).toEqual({ a: 'completed', b: 'completed', c: 'completed', d: 'completed' });
      const executions = await query<{ id: number; step: string; worker: string; cost: string }>(
        'select id::int as id, workflow_step_key as step, worker_id as worker, cost_micros as cost from executions where workflow_run_id = $1 order by id',
        [run.id],
      );
      expect(executions.map((execution) => execution.step).sort()).toEqual(['a', 'b', 'c', 'd']);
      // On worker hosts (the web processes run no agents).
      const hosts = new Set((await workers()).map((worker) => worker.id));
      for (const execution of executions) {
        expect(hosts).toContain(execution.worker);
        const step = stepOf(run, execution.step);
        expect(step.executionId).toBe(execution.id);
        expect(step.costUsd).toBe(Number(execution.cost) / 1_000_000);
        expect(step.costUsd).toBeGreaterThan(0);
      }
      expect(await onSecond.get(run.id)).toEqual(run);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'fires a per-second schedule once per slot for 30 s with two web processes on the database',
    async () => {
      const second = await startAppServer({ modelServerUrl: model.url, env: webOnly() });
      others.push(second);
      const key = '[script:fleet-cron]';
      model.script(key, [{ content: [{ type: 'text', text: 'Tick.' }] }], { repeatLast: true });
      const agent = await api.createAgent({ defaultPrompt: `Tick ${key}`, maxConcurrentRuns: 4 });
      const created = await api.call('POST', '/api/schedules', {
        agentId: agent.id,
        cronExpression: '* * * * * *',
        overlapPolicy: 'allow',
      });
      expect(created.status).toBe(201);
      const scheduleId = (created.body as { schedule: { id: number } }).schedule.id;
      await new Promise((resolve) => setTimeout(resolve, 30_000));
      await api.call('PATCH', `/api/schedules/${scheduleId}`, { enabled: false });

      const firings = await query<{ scheduled_for: string; slots: number; execution_id: number | null }>(
        'select scheduled_for, slot_count::int as slots, execution_id from schedule_firings where schedule_id = $1 order by scheduled_for',
        [scheduleId],
      );
      const slots = firings.map((firing) => Number(firing.scheduled_for));
      // No slot twice, whichever web process fired it.
      expect(new Set(slots).size).toBe(slots.length);
      // Every second of the window is accounted for: fired, or (a machine too busy) folded into a
      // catch-up row by the schedule's policy.
      expect(firings.reduce((sum, firing) => sum + firing.slots, 0)).toBeGreaterThanOrEqual(27);
      const runs = await query<{ id: number }>('select id from executions where schedule_id = $1', [
        scheduleId,
      ]);
      expect(runs.map((run) => run.id).sort()).toEqual(
        firings.flatMap((firing) => (firing.execution_id === null ? [] : [firing.execution_id])).sort(),
      );
      console.log(`two web processes: ${slots.length} slots, each fired once, ${runs.length} runs`);
    },
    STEP_TIMEOUT_MS,
  );
});
