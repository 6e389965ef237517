// The run engine on each store: real runs of the real SDK and its Claude Code binary against a
// scripted model server, written to a SQLite file and to Postgres by the same engine code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asc, eq, type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseEnv } from '../../src/lib/config/env';
import type { ExecutionLive } from '../../src/lib/contracts/executions';
import { execute } from '../../src/lib/db/plan';
import { requireAgent } from '../../src/lib/db/queries/agents';
import { monthKey, monthSpendMicrosOf } from '../../src/lib/db/queries/costs';
import { getExecutionLive } from '../../src/lib/db/queries/executions';
import type { NewAgentConfiguration } from '../../src/lib/db/schema';
import type { Store } from '../../src/lib/db/store';
import { RunEngine } from '../../src/lib/engine/engine';
import { SecretMasker } from '../../src/lib/security/secrets';
import { capturingLogger } from '../helpers/logCapture';
import {
  echoThenAnswer,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../helpers/scriptedModelServer';
import { describeOnEachDialect, insertAgent } from '../helpers/stores';
import '../helpers/testEnv';

const API_KEY = 'sk-ant-api03-engine-dialect-test';

/** Makes the database itself refuse (or take again) every update that completes a run. */
async function refuseEndings({ dialect, db }: Store, refuse: boolean): Promise<void> {
  const run = (statement: string) =>
    dialect === 'postgres'
      ? (db as unknown as { execute(query: SQL): Promise<unknown> }).execute(sql.raw(statement))
      : Promise.resolve((db as unknown as { run(query: SQL): unknown }).run(sql.raw(statement)));
  if (!refuse) {
    await run(
      dialect === 'postgres'
        ? 'drop trigger if exists refuse_endings on executions'
        : 'drop trigger if exists refuse_endings',
    );
    return;
  }
  if (dialect === 'postgres') {
    await run(`create or replace function refuse_endings() returns trigger as $$
      begin raise exception 'endings refused'; end $$ language plpgsql`);
    await run(`create trigger refuse_endings before update on executions for each row
      when (new.status = 'completed') execute function refuse_endings()`);
  } else {
    await run(`create trigger refuse_endings before update of status on executions
      when new.status = 'completed' begin select raise(abort, 'endings refused'); end`);
  }
}

describeOnEachDialect('the run engine', (store) => {
  let model: ScriptedModelServer;
  let engine: RunEngine;
  let dataDir: string;
  const log = capturingLogger();
  const ended = new Map<number, ExecutionLive>();
  const waiters = new Map<number, (execution: ExecutionLive) => void>();

  beforeAll(async () => {
    model = await startScriptedModelServer();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-engine-'));
    engine = new RunEngine({
      store: store(),
      settings: { maxConcurrentRuns: 4, circuitBreakerThreshold: 5, circuitBreakerCooldownSeconds: 60 },
      env: parseEnv({
        ANTHROPIC_API_KEY: API_KEY,
        ANTHROPIC_BASE_URL: model.url,
        CLAUDEOPS_DATA_DIR: dataDir,
      }),
      logger: log.logger,
      masker: new SecretMasker([API_KEY]),
      worker: { id: 'engine-test', labels: [] },
    });
    engine.events.subscribe((event) => {
      if (event.type !== 'run.ended') return;
      ended.set(event.execution.id, event.execution);
      waiters.get(event.execution.id)?.(event.execution);
    });
  });
  afterAll(async () => {
    await engine?.shutdown();
    await model?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const endOf = (id: number) =>
    new Promise<ExecutionLive>((resolve) => {
      const known = ended.get(id);
      if (known) resolve(known);
      else waiters.set(id, resolve);
    });

  async function start(name: string, key: string, fields: Partial<NewAgentConfiguration> = {}) {
    const agentId = await insertAgent(store(), name, { defaultPrompt: `Go ${key}`, ...fields });
    const agent = await execute(store(), requireAgent(store(), agentId));
    return engine.start({ agent, trigger: 'api' });
  }

  it('runs an agent: its tool call and lines, tokens and exact cost are stored, and its ending is announced once committed', async () => {
    const key = '[script:engine-run]';
    model.script(key, echoThenAnswer('Done: alpha and beta.'));
    const queued = await start('runs', key, { allowedTools: ['Bash'] });
    expect(queued.status).toBe('queued');

    const ending = await endOf(queued.id);
    expect(ending).toMatchObject({
      status: 'completed',
      resultText: 'Done: alpha and beta.',
      workerId: 'engine-test',
    });
    // Announced after the commit: the stored row already says what the event says.
    const stored = await execute(store(), getExecutionLive(store(), queued.id));
    expect(stored).toMatchObject({
      status: 'completed',
      inputTokens: 2_100,
      outputTokens: 100,
      numTurns: 2,
      resultText: 'Done: alpha and beta.',
      workerId: 'engine-test',
    });
    // Sonnet 4.5: 2,100 input × $3 + 100 output × $15 per million tokens = 6,300 + 1,500 µ$.
    expect(stored?.costUsd).toBe(0.0078);
    expect(await execute(store(), monthSpendMicrosOf(store(), monthKey(Date.now())))).toBe(7_800);
    const { t, db } = store();
    const steps = await db
      .select({ kind: t.executionSteps.kind, toolName: t.executionSteps.toolName })
      .from(t.executionSteps)
      .where(eq(t.executionSteps.executionId, queued.id))
      .orderBy(asc(t.executionSteps.seq));
    expect(steps).toContainEqual({ kind: 'tool_use', toolName: 'Bash' });
    const lines = await db
      .select({ text: t.executionLogs.text })
      .from(t.executionLogs)
      .where(eq(t.executionLogs.executionId, queued.id))
      .orderBy(asc(t.executionLogs.seq));
    expect(lines.map((line) => line.text)).toEqual(expect.arrayContaining(['alpha', 'beta']));
    expect(JSON.stringify(lines)).not.toContain(API_KEY);
  });

  it('stops a run the moment its per-run cap is reached, and records it budget_exceeded with the figures', async () => {
    const key = '[script:engine-cap]';
    model.script(
      key,
      [
        {
          content: [{ type: 'tool_use', name: 'Bash', input: { command: 'echo spend' } }],
          usage: { input_tokens: 10_000, output_tokens: 100 },
        },
      ],
      { repeatLast: true },
    );
    // $0.03 cap: the first response alone costs $0.0315.
    const queued = await start('capped', key, { allowedTools: ['Bash'], maxCostPerRunMicros: 30_000 });
    const ending = await endOf(queued.id);
    expect(ending).toMatchObject({ status: 'budget_exceeded', errorCode: 'budget_exceeded' });
    expect(ending.errorMessage).toContain('per-run cap of $0.03');
    const stored = await execute(store(), getExecutionLive(store(), queued.id));
    expect(stored).toMatchObject({ status: 'budget_exceeded', costUsd: 0.0315 });
  });

  it('cancels a run whose model hangs: it ends cancelled and its row says so', async () => {
    const key = '[script:engine-cancel]';
    model.script(key, [{ kind: 'hang' }]);
    const queued = await start('cancelled', key);
    await expect.poll(() => engine.liveView(queued.id)?.status, { timeout: 20_000 }).toBe('running');
    expect(await engine.cancel(queued.id)).toBe(true);
    expect((await endOf(queued.id)).status).toBe('cancelled');
    expect((await execute(store(), getExecutionLive(store(), queued.id)))?.status).toBe('cancelled');
    expect(await engine.cancel(queued.id)).toBe(false);
  });

  it('refuses a run of an agent whose monthly budget is spent, writing nothing', async () => {
    const key = '[script:engine-refused]';
    const agentId = await insertAgent(store(), 'spent', {
      defaultPrompt: `Go ${key}`,
      monthlyBudgetMicros: 0,
    });
    const agent = await execute(store(), requireAgent(store(), agentId));
    await expect(engine.start({ agent, trigger: 'api' })).rejects.toMatchObject({ kind: 'budget_exhausted' });
    const { t, db } = store();
    expect(await db.select().from(t.executions).where(eq(t.executions.agentId, agentId))).toEqual([]);
  });

  it('logged no error on the way (every write committed, nothing crashed)', () => {
    // pino's levels: 50 is error, 60 fatal.
    expect(log.records().filter((record) => Number(record.level) >= 50)).toEqual([]);
  });

  it('keeps an ending the store refuses, shows it, and stores it once the store takes it: the run never stays running', async () => {
    // A real refusal from the database itself: a trigger that aborts every completed ending.
    await refuseEndings(store(), true);
    const key = '[script:engine-refused-ending]';
    model.script(key, [{ content: [{ type: 'text', text: 'Finished.' }] }]);
    const updates: ExecutionLive[] = [];
    const unsubscribe = engine.events.subscribe((event) => {
      if (event.type === 'run.updated') updates.push(event.execution);
    });
    try {
      const queued = await start('refused-ending', key);
      await expect
        .poll(() => updates.some((view) => view.id === queued.id && view.status === 'completed'), {
          timeout: 20_000,
        })
        .toBe(true);
      expect(engine.liveView(queued.id)?.status).toBe('completed');
      expect((await execute(store(), getExecutionLive(store(), queued.id)))?.status).toBe('running');
      expect(ended.has(queued.id)).toBe(false);
      await refuseEndings(store(), false);
      // Announced once stored, by the engine's own retry (after 1 s).
      expect((await endOf(queued.id)).status).toBe('completed');
      expect((await execute(store(), getExecutionLive(store(), queued.id)))?.status).toBe('completed');
      expect(
        log.records().some((record) => record.msg === 'a run ending could not be stored; it is tried again'),
      ).toBe(true);
    } finally {
      unsubscribe();
      await refuseEndings(store(), false);
    }
  });
});
