// The whole server on Postgres (DATABASE_URL): a real ClaudeOps server on a throw-away cluster,
// real agent runs through the real SDK, read back through the API and from Postgres itself.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDto } from '../../src/lib/contracts/agents';
import type { WorkerDto } from '../../src/lib/contracts/workers';
import { openPostgres } from '../../src/lib/db/postgres';
import { claimTaskOf } from '../../src/lib/db/queries/claimJobs';
import { CONTROL_CHANNEL } from '../../src/lib/live/control';
import { type ApiClient, apiClient } from '../helpers/api';
import { type AppServer, BEARER, startAppServer, TEST_ACCESS_TOKEN } from '../helpers/appServer';
import { expectStreamedToTheEnd } from '../helpers/liveFeed';
import { forkLiveWriter } from '../helpers/liveWriter';
import { type PostgresCluster, queryPostgres, startPostgres } from '../helpers/postgres';
import { cookieFrom, rawRequest } from '../helpers/rawHttp';
import { discoverApiRoutes, discoverPages, fillTemplate } from '../helpers/routes';
import {
  echoThenAnswer,
  type ScriptedModelServer,
  startScriptedModelServer,
  structuredOutputTurn,
} from '../helpers/scriptedModelServer';
import { readStream } from '../helpers/sseClient';
import { startTcpProxy } from '../helpers/tcpProxy';

let cluster: PostgresCluster;
let databaseUrl: string;
let model: ScriptedModelServer;
let app: AppServer;
let api: ApiClient;

beforeAll(async () => {
  [cluster, model] = await Promise.all([startPostgres(), startScriptedModelServer()]);
  databaseUrl = await cluster.createDatabase('server_on_postgres');
  app = await startAppServer({ modelServerUrl: model.url, env: { DATABASE_URL: databaseUrl } });
  api = apiClient(app.url);
});
afterAll(async () => {
  await app?.stop();
  await model?.close();
  await cluster?.stop();
});

const query = <Row>(sql: string, values: unknown[] = []) => queryPostgres<Row>(databaseUrl, sql, values);

/** Figures that came back as text (node-postgres reads bigint and numeric as strings): their paths. */
function figuresAsText(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => figuresAsText(item, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    typeof item === 'string' &&
    /(Usd|Micros|Tokens|Count|Bytes|Ms|total|count)$/.test(key) &&
    /^-?\d/.test(item)
      ? [`${at}.${key}`]
      : figuresAsText(item, `${at}.${key}`),
  );
}

/** A run whose model never answers (and that is not retried), once the server says it runs. */
async function startHangingRun(key: string) {
  model.script(key, [{ kind: 'hang' }]);
  const agent = await api.createAgent({ defaultPrompt: `Hang ${key}`, runRetries: 0 });
  const id = await api.startExecution(agent.id);
  await expect.poll(async () => (await api.getExecution(id)).status, { timeout: 20_000 }).toBe('running');
  return { agent, id };
}

describe('the server on Postgres (DATABASE_URL)', () => {
  it('runs an agent with every step, line, token and dollar stored in Postgres, and no SQLite file', async () => {
    const key = '[script:postgres-run]';
    model.script(key, echoThenAnswer('Done on Postgres.'));
    const agent = await api.createAgent({ defaultPrompt: `Run it ${key}`, allowedTools: ['Bash'] });
    const id = await api.startExecution(agent.id);
    const execution = await api.waitForEnd(id);

    expect(execution).toMatchObject({
      status: 'completed',
      resultText: 'Done on Postgres.',
      inputTokens: 2_100,
      outputTokens: 100,
      // 2,100 input × $3 + 100 output × $15 per million tokens.
      costUsd: 0.0078,
    });
    const [row] = await query<{ status: string; worker_id: string }>(
      'select status, worker_id from executions where id = $1',
      [id],
    );
    expect(row?.status).toBe('completed');
    expect(row?.worker_id).toBeTruthy();
    const lines = await query<{ text: string }>(
      'select text from execution_logs where execution_id = $1 order by seq',
      [id],
    );
    expect(lines.map((line) => line.text)).toEqual(expect.arrayContaining(['alpha', 'beta']));
    const [spend] = await query<{ micros: string }>(
      'select sum(cost_micros)::text as micros from monthly_cost_summaries',
    );
    expect(spend?.micros).toBe('7800');
    expect(fs.existsSync(app.databasePath)).toBe(false);
    expect(app.output()).toContain('storing in Postgres (DATABASE_URL)');
  });

  it('streams, over SSE, the lines another process commits to a run in the same database (announced with NOTIFY): each once, in order, then its ending', async () => {
    const agent = await api.createAgent({ defaultPrompt: 'Written elsewhere.' });
    const [run] = await query<{ id: number }>(
      `insert into executions (agent_id, trigger, status, prompt, model, created_at, worker_id)
       values ($1, 'api', 'running', 'Go.', 'claude-sonnet-4-5', $2, 'remote-writer') returning id`,
      [agent.id, Date.now()],
    );
    const runId = Number(run?.id);
    const writer = await forkLiveWriter(databaseUrl, 'remote-writer');
    const opened = await openPostgres(databaseUrl, { maxConnections: 2 });
    try {
      const response = await fetch(`${app.url}/api/executions/${runId}/events`, { headers: BEARER });
      expect(response.status).toBe(200);
      const reading = readStream(response.body as ReadableStream<Uint8Array>);
      await writer.stream(runId, 0, 400, 'remote');
      writer.send({ type: 'end', executionId: runId, status: 'completed' });
      await expectStreamedToTheEnd(await reading, opened.store, runId, 0, 399);
    } finally {
      await writer.exit();
      await opened.close();
    }
  });

  it('stops a run on this server when another process asks on the control channel, within 3 s', async () => {
    const { id } = await startHangingRun('[script:postgres-stop]');
    const [row] = await query<{ worker_id: string }>('select worker_id from executions where id = $1', [id]);
    const asked = performance.now();
    await query('select pg_notify($1, $2)', [
      CONTROL_CHANNEL,
      JSON.stringify({
        type: 'stop',
        executionId: id,
        workerId: row?.worker_id,
        reason: 'cancelled',
        message: null,
      }),
    ]);
    await expect
      .poll(async () => (await api.getExecution(id)).status, { timeout: 3_000, interval: 50 })
      .toBe('cancelled');
    console.log(`stop request → cancelled: ${Math.round(performance.now() - asked)} ms`);
  });

  it('runs the System Health Reporter: its tools read the metrics and runs through the read-only pool, its report is kept', async () => {
    const key = '[script:postgres-health]';
    const report = { status: 'ok', summary: 'Quiet.', findings: [], recommendations: [] };
    model.script(key, [
      { content: [{ type: 'tool_use', name: 'mcp__claudeops__current_metrics', input: {} }] },
      { content: [{ type: 'tool_use', name: 'mcp__claudeops__claudeops_activity', input: {} }] },
      structuredOutputTurn(report),
    ]);
    const { items } = (await api.call('GET', '/api/agents')).body as { items: AgentDto[] };
    const health = items.find((agent) => agent.name === 'System Health Reporter');
    if (!health) throw new Error('System Health Reporter was not seeded');
    const id = await api.startExecution(health.id, `Check the machine ${key}`);
    expect((await api.waitForEnd(id)).status).toBe('completed');
    const results = await query<{ is_error: boolean; output: string }>(
      `select is_error, payload->>'output' as output from execution_steps
       where execution_id = $1 and kind = 'tool_result' and tool_name <> 'StructuredOutput' order by seq`,
      [id],
    );
    expect(results.map((row) => row.is_error)).toEqual([false, false]);
    expect(results[0]?.output).toMatch(/"cpuBusyPercent"/);
    expect(results[1]?.output).toMatch(/"spendMonthToDateUsd"/);
    const { body } = await api.call('GET', '/api/health-reports/latest');
    expect(body).toMatchObject({ report: { executionId: id, status: 'ok', report } });
  });

  it('answers every page and every GET route of the API, signed in: 200, or 404 for an id that does not exist', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const session = cookieFrom(
      await rawRequest(app.url, {
        method: 'POST',
        path: '/api/auth/session',
        headers: { origin: app.url },
        body: JSON.stringify({ token: TEST_ACCESS_TOKEN }),
      }),
    );
    // Id 1 of everything: the first run and its agent above, the seeded health reporter and the rest.
    // The GET routes whose query is required.
    const queries: Record<string, string> = {
      '/api/costs/export': '?from=2026-12-01&to=2026-12-31',
      '/api/schedules/preview': `?cronExpression=${encodeURIComponent('*/5 * * * *')}&timezone=UTC`,
      // This host: its worker's beats give figures to check are numbers.
      '/api/workers/load': `?host=${encodeURIComponent(os.hostname())}`,
    };
    const paths = [
      ...discoverApiRoutes(root)
        .filter((route) => route.method === 'GET')
        .map((route) => fillTemplate(route.template, '1'))
        .map((at) => at + (queries[at] ?? '')),
      ...discoverPages(root),
    ];
    const failed: string[] = [];
    for (const at of paths) {
      const response = await rawRequest(app.url, { method: 'GET', path: at, headers: { cookie: session } });
      // Signed in: nothing is refused or sent to sign-in; an id 1 that does not exist is a 404.
      if (![200, 404].includes(response.status))
        failed.push(`${at}: ${response.status} ${response.body.slice(0, 200)}`);
      else if (at.startsWith('/api/') && response.headers['content-type']?.includes('json'))
        for (const field of figuresAsText(JSON.parse(response.body))) failed.push(`${at}: ${field} is text`);
    }
    expect(paths.length).toBeGreaterThan(40);
    // Named in the message: a failure's printout keeps the message, not the diff.
    expect(failed, failed.join('\n')).toEqual([]);
  });

  it('runs beside a second server on the same database: a run started on the second is seen, live and done, on the first', async () => {
    const second = await startAppServer({ modelServerUrl: model.url, env: { DATABASE_URL: databaseUrl } });
    try {
      const key = '[script:postgres-second]';
      model.script(key, echoThenAnswer('Done beside.'));
      const agent = await api.createAgent({ defaultPrompt: `Beside ${key}`, allowedTools: ['Bash'] });
      const id = await apiClient(second.url).startExecution(agent.id);
      const execution = await api.waitForEnd(id);
      expect(execution).toMatchObject({ status: 'completed', resultText: 'Done beside.', costUsd: 0.0078 });
      const [row] = await query<{ attempt: number }>(
        'select attempt::int as attempt from executions where id = $1',
        [id],
      );
      expect(row?.attempt).toBe(1);
      // Both servers' workers were woken by graphile-worker claim jobs (docs/scaling.md#the-wake-ups-graphile-worker),
      // and each took its own: none waits once the run is done.
      const workers = (await api.call('GET', '/api/workers')).body as { items: WorkerDto[] };
      const live = workers.items.filter((worker) => worker.alive).map((worker) => claimTaskOf(worker.id));
      expect(live).toHaveLength(2);
      const tasks = await query<{ identifier: string }>(
        'select identifier from graphile_worker._private_tasks where identifier = any($1)',
        [live],
      );
      expect(tasks.map((task) => task.identifier).sort()).toEqual([...live].sort());
      await expect
        .poll(async () =>
          query('select 1 from graphile_worker.jobs where task_identifier = any($1) and locked_at is null', [
            live,
          ]),
        )
        .toEqual([]);
    } finally {
      await second.stop();
    }
  });

  it('answers 503 naming the database, never a 500 nor a crash, while its link to Postgres is down; and 200 once it is back', async () => {
    const url = new URL(databaseUrl);
    const proxy = await startTcpProxy(Number(url.port));
    url.port = String(proxy.port);
    url.password = 'pg-secret-7f3a';
    const cutOff = await startAppServer({ modelServerUrl: model.url, env: { DATABASE_URL: url.toString() } });
    try {
      const client = apiClient(cutOff.url);
      expect((await client.call('GET', '/api/agents')).status).toBe(200);
      proxy.cut();
      const where = `127.0.0.1:${proxy.port}/server_on_postgres`;
      const read = await client.call('GET', '/api/agents');
      expect(read.status).toBe(503);
      expect(read.body).toMatchObject({ error: { code: 'unavailable' } });
      const readMessage = (read.body as { error: { message: string } }).error.message;
      expect(readMessage).toMatch(
        new RegExp(`^Could not read: the database \\(Postgres at ${where}\\) cannot be reached \\(`),
      );
      const write = await client.call('POST', '/api/agents', {
        name: 'while cut off',
        model: 'claude-sonnet-4-5',
        defaultPrompt: 'Go.',
      });
      expect(write.status).toBe(503);
      expect(JSON.stringify(write.body)).toContain(
        `Not saved: the database (Postgres at ${where}) cannot be reached`,
      );
      expect(JSON.stringify([read.body, write.body])).not.toContain('pg-secret-7f3a');

      proxy.mend();
      await expect
        .poll(async () => (await client.call('GET', '/api/agents')).status, { timeout: 15_000 })
        .toBe(200);
      // The write refused meanwhile was not made.
      const names = ((await client.call('GET', '/api/agents')).body as { items: AgentDto[] }).items.map(
        (agent) => agent.name,
      );
      expect(names).not.toContain('while cut off');
    } finally {
      // Its output must hold no uncaught error (stop() checks).
      await cutOff.stop();
      await proxy.close();
    }
  });

  it('ends a run its killed server left running as interrupted at the next start on the host, and runs again after', async () => {
    const { agent, id } = await startHangingRun('[script:postgres-killed]');
    await app.stop('SIGKILL');

    // The next start on this host finds the killed server's worker gone and settles its runs at once.
    app = await startAppServer({
      modelServerUrl: model.url,
      dataDir: app.dataDir,
      env: { DATABASE_URL: databaseUrl },
    });
    api = apiClient(app.url);
    expect((await api.getExecution(id)).status).toBe('interrupted');

    const next = '[script:postgres-after]';
    model.script(next, [{ content: [{ type: 'text', text: 'Back.' }] }]);
    const again = await api.startExecution(agent.id, `Again ${next}`);
    expect((await api.waitForEnd(again)).status).toBe('completed');
  });
});
