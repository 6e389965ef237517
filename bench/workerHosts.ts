import { type ApiClient, apiClient } from '../tests/helpers/api';
import { startAppServer } from '../tests/helpers/appServer';
import { type PostgresCluster, startPostgres } from '../tests/helpers/postgres';
import {
  echoThenAnswer,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../tests/helpers/scriptedModelServer';
import { startWorkerHost } from '../tests/helpers/workerHost';
import { sized } from './smoke';
import { percentile } from './stats';

/** The global limit every fleet runs at. */
const LIMIT = 4;

interface Fleet {
  api: ApiClient;
  stop(): Promise<void>;
}

interface FleetFigures {
  name: string;
  /** Queued → running of runs started one at a time on an idle fleet, ms. */
  claims: number[];
  runsPerSecond: number;
}

/** Processes started for a fleet, stopped in reverse when it is done. */
async function fleetOf(
  starts: (() => Promise<{ url?: string; stop(): Promise<unknown> }>)[],
): Promise<Fleet> {
  const started: { url?: string; stop(): Promise<unknown> }[] = [];
  for (const start of starts) started.push(await start());
  const web = started.find((member) => member.url !== undefined);
  if (!web?.url) throw new Error('a fleet needs a web process');
  return {
    api: apiClient(web.url),
    async stop() {
      for (const member of started.reverse()) await member.stop();
    },
  };
}

let scripted = 0;
/** A run with a Bash call and an answer, as most runs are. */
async function startRun(api: ApiClient, model: ScriptedModelServer, agentId: number): Promise<number> {
  scripted += 1;
  const key = `[script:hosts-${scripted}]`;
  model.script(key, echoThenAnswer('Done.'));
  return api.startExecution(agentId, `Work ${key}`);
}

async function measure(name: string, fleet: Fleet, model: ScriptedModelServer): Promise<FleetFigures> {
  const { api } = fleet;
  await api.call('PATCH', '/api/settings', { maxConcurrentRuns: LIMIT });
  const agent = await api.createAgent({
    defaultPrompt: 'Work.',
    allowedTools: ['Bash'],
    maxConcurrentRuns: LIMIT,
  });
  // Idle fleet: each run alone, so queued → running is the claim and the launch, not a wait for a slot.
  const claims: number[] = [];
  for (let i = 0; i < sized(8, 2); i += 1) {
    const run = await api.waitForEnd(await startRun(api, model, agent.id), 120_000);
    if (run.status !== 'completed' || run.startedAt === null) throw new Error(`run ${run.id} ${run.status}`);
    claims.push(run.startedAt - run.createdAt);
  }
  // Loaded: many at once at the limit.
  const count = sized(24, 4);
  const began = Date.now();
  const ids = [];
  for (let i = 0; i < count; i += 1) ids.push(await startRun(api, model, agent.id));
  const ended = await Promise.all(ids.map((id) => api.waitForEnd(id, 300_000)));
  const failed = ended.filter((run) => run.status !== 'completed');
  if (failed.length > 0) throw new Error(`${failed.length} runs did not complete`);
  const last = Math.max(...ended.map((run) => run.finishedAt ?? 0));
  return { name, claims, runsPerSecond: count / ((last - began) / 1000) };
}

/**
 * Worker hosts against one server: the same runs (a Bash call each) queued on the dashboard and
 * run by one server on SQLite (the baseline, measured in the same run), one server on Postgres
 * (its own worker claims from the database), and a web process that runs nothing with a worker
 * host (another process) claiming. Queued → running on an idle fleet, and runs/s at a limit of 4.
 */
export async function benchWorkerHosts(): Promise<void> {
  let cluster: PostgresCluster | undefined;
  const model = await startScriptedModelServer();
  try {
    cluster = await startPostgres();
    const pg = cluster;
    const server =
      (env: Record<string, string> = {}) =>
      () =>
        startAppServer({ modelServerUrl: model.url, env });
    const fleets: [string, () => Promise<Fleet>][] = [
      ['one server, SQLite (baseline)', () => fleetOf([server()])],
      [
        'one server, Postgres (shared queue)',
        async () => fleetOf([server({ DATABASE_URL: await pg.createDatabase('one_server') })]),
      ],
      [
        'web + 1 worker host, Postgres',
        async () => {
          const databaseUrl = await pg.createDatabase('web_and_worker');
          return fleetOf([
            server({ DATABASE_URL: databaseUrl, CLAUDEOPS_RUN_AGENTS: 'false' }),
            () => startWorkerHost({ modelServerUrl: model.url, databaseUrl, labels: [] }),
          ]);
        },
      ],
    ];
    const figures: FleetFigures[] = [];
    for (const [name, start] of fleets) {
      const fleet = await start();
      try {
        figures.push(await measure(name, fleet, model));
      } finally {
        await fleet.stop();
      }
    }
    const [baseline] = figures;
    console.log(
      `Worker hosts: a run with a Bash call, queued → running (idle fleet) and runs/s at limit ${LIMIT}:`,
    );
    for (const row of figures) {
      const p50 = percentile(row.claims, 50);
      const ratio = baseline
        ? ` (×${(p50 / percentile(baseline.claims, 50)).toFixed(1)} · ×${(row.runsPerSecond / baseline.runsPerSecond).toFixed(2)})`
        : '';
      console.log(
        `  ${row.name.padEnd(38)} queued → running p50 ${p50.toFixed(0).padStart(4)} ms, max ${Math.max(
          ...row.claims,
        )
          .toFixed(0)
          .padStart(4)} ms; ${row.runsPerSecond.toFixed(2)} runs/s${ratio}`,
      );
    }
  } finally {
    await model.close();
    await cluster?.stop();
  }
}
