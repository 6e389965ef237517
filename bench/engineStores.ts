// The run engine on each store (docs/scaling.md#postgres): the same real SDK runs against the
// scripted model, written by the same engine code to a SQLite file and to Postgres (a throw-away
// cluster on this machine). The baseline is SQLite, measured in the same run. Figures:
// - start: `engine.start()` called on an idle engine → the run's `run.started` event (the queued
//   row written, admitted, marked running with its budget check: what a worker's claim-to-start is);
// - a committed line: the model server finished sending a text block → the engine's `run.output`
//   event carrying it (after its commit), while 4 runs with tool calls run at once;
// - runs per second: RUNS runs (2 tool calls and an answer each) queued at once, 4 at a time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseEnv } from '../src/lib/config/env';
import type { ExecutionLive } from '../src/lib/contracts/executions';
import { createLogger } from '../src/lib/core/logger';
import { execute, transaction } from '../src/lib/db/plan';
import { openPostgres } from '../src/lib/db/postgres';
import { createAgent, requireAgent } from '../src/lib/db/queries/agents';
import { type Store, sqliteStore } from '../src/lib/db/store';
import { RunEngine } from '../src/lib/engine/engine';
import { announceOutput } from '../src/lib/live/announcer';
import { SecretMasker } from '../src/lib/security/secrets';
import { startPostgres } from '../tests/helpers/postgres';
import {
  type ScriptedModelServer,
  type ScriptedTurn,
  startScriptedModelServer,
} from '../tests/helpers/scriptedModelServer';
import { createTestDb } from '../tests/helpers/testDb';
import '../tests/helpers/testEnv';
import type { BenchResult } from './measure';
import { sized } from './smoke';

const STARTS = sized(12, 2);
const RUNS = sized(24, 4);
const CONCURRENCY = 4;
const API_KEY = 'sk-ant-api03-bench-engine-stores';

interface Figures {
  startMs: number[];
  lineMs: number[];
  runsPerSecond: number;
}

/** A run's turns: two tool calls, each with a text block, then its answer; every text unique. */
function turnsOf(key: string): ScriptedTurn[] {
  const tool = (n: number): ScriptedTurn => ({
    content: [
      { type: 'text', text: `probe ${key} ${n}` },
      { type: 'tool_use', name: 'Bash', input: { command: `echo ${n}` } },
    ],
    usage: { input_tokens: 1_000, output_tokens: 40 },
  });
  return [tool(1), tool(2), { content: [{ type: 'text', text: `probe ${key} done` }] }];
}

async function measureOn(dialect: string, store: Store, model: ScriptedModelServer): Promise<Figures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `claudeops-bench-engine-${dialect}-`));
  const engine = new RunEngine({
    store,
    settings: {
      maxConcurrentRuns: CONCURRENCY,
      circuitBreakerThreshold: 5,
      circuitBreakerCooldownSeconds: 60,
    },
    env: parseEnv({ ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: model.url, CLAUDEOPS_DATA_DIR: dataDir }),
    logger: createLogger({
      level: 'warn',
      destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
      masker: new SecretMasker([]),
    }),
    masker: new SecretMasker([API_KEY]),
    worker: { id: `bench-${dialect}`, labels: [] },
    // As a server on Postgres runs it: each flush announced to other processes.
    ...(store.dialect === 'postgres' && { withOutput: announceOutput }),
  });
  const startedAt = new Map<number, number>();
  const ended = new Map<number, (execution: ExecutionLive) => void>();
  const lineAt = new Map<string, number>();
  engine.events.subscribe((event) => {
    const at = performance.timeOrigin + performance.now();
    if (event.type === 'run.started') startedAt.set(event.execution.id, at);
    if (event.type === 'run.ended') ended.get(event.execution.id)?.(event.execution);
    if (event.type === 'run.output')
      for (const step of event.steps) if (step.summary.startsWith('probe ')) lineAt.set(step.summary, at);
  });
  const { id: agentId } = await transaction(store, (tx) =>
    createAgent(tx, {
      name: `bench-${dialect}`,
      model: 'claude-sonnet-4-5',
      defaultPrompt: 'Go.',
      allowedTools: ['Bash'],
    }),
  );
  const agent = await execute(store, requireAgent(store, agentId));
  let runs = 0;
  const run = async () => {
    const key = `[script:engine-${dialect}-${++runs}]`;
    model.script(key, turnsOf(key));
    const calledAt = performance.timeOrigin + performance.now();
    const queued = await engine.start({ agent, prompt: `Go ${key}`, trigger: 'api' });
    const ending = new Promise<ExecutionLive>((resolve) => ended.set(queued.id, resolve));
    return { id: queued.id, calledAt, ending };
  };
  try {
    const startMs: number[] = [];
    for (let i = 0; i < STARTS; i += 1) {
      const { id, calledAt, ending } = await run();
      const execution = await ending;
      if (execution.status !== 'completed') throw new Error(`run ${id} ended ${execution.status}`);
      startMs.push((startedAt.get(id) ?? Number.NaN) - calledAt);
    }
    const sentBefore = model.sentTextBlocks.length;
    const began = performance.now();
    const batch = await Promise.all(Array.from({ length: RUNS }, run));
    for (const { id, ending } of batch) {
      const execution = await ending;
      if (execution.status !== 'completed') throw new Error(`run ${id} ended ${execution.status}`);
    }
    const runsPerSecond = (RUNS / (performance.now() - began)) * 1000;
    const lineMs = model.sentTextBlocks
      .slice(sentBefore)
      .filter((block) => lineAt.has(block.text))
      .map((block) => (lineAt.get(block.text) ?? Number.NaN) - block.sentAt);
    return { startMs, lineMs, runsPerSecond };
  } finally {
    await engine.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchEngineStores(): Promise<BenchResult[]> {
  const model = await startScriptedModelServer();
  const handle = createTestDb();
  const cluster = await startPostgres();
  const postgres = await openPostgres(await cluster.createDatabase('bench_engine_stores'));
  try {
    const sqlite = await measureOn('sqlite', sqliteStore(handle.db), model);
    const onPostgres = await measureOn('postgres', postgres.store, model);
    const startBase = { name: 'start → running, SQLite', samplesMs: sqlite.startMs };
    const lineBase = { name: 'model text → committed line event, SQLite', samplesMs: sqlite.lineMs };
    console.log(
      `${RUNS} runs (2 tool calls each), ${CONCURRENCY} at a time: SQLite ${sqlite.runsPerSecond.toFixed(2)} runs/s, Postgres ${onPostgres.runsPerSecond.toFixed(2)} runs/s (${(onPostgres.runsPerSecond / sqlite.runsPerSecond).toFixed(2)}×)`,
    );
    return [
      startBase,
      { name: '  start → running, Postgres', samplesMs: onPostgres.startMs, baseline: startBase },
      lineBase,
      {
        name: '  model text → committed line event, Postgres',
        samplesMs: onPostgres.lineMs,
        baseline: lineBase,
      },
    ];
  } finally {
    await postgres.close();
    await cluster.stop();
    handle.sqlite.close();
    await model.close();
  }
}
