import { eq } from 'drizzle-orm';
import { beforeEach, expect, it, vi } from 'vitest';
import type { WorkflowDefinitionInput } from '../../src/lib/contracts/workflows';
import { execute, transaction } from '../../src/lib/db/plan';
import { interruptUnfinishedExecutions } from '../../src/lib/db/queries/executions';
import { getWorkflowRun, listWorkflowRuns } from '../../src/lib/db/queries/workflowRuns';
import { softDeleteWorkflow } from '../../src/lib/db/queries/workflows';
import { lockTablesAgainstWrites } from '../../src/lib/db/rowLocks';
import type { Store } from '../../src/lib/db/store';
import type { RunEngine } from '../../src/lib/engine/engine';
import { updateWorkflow } from '../../src/lib/workflows/definitions';
import { engineStepLauncher } from '../../src/lib/workflows/engineLauncher';
import { answerToAsync } from '../helpers/answers';
import {
  anotherPostgresPool,
  describeOnEachDialect,
  describeOnPostgres,
  emptyTables,
  insertAgent,
  lockWaits,
  openPostgresTransaction,
} from '../helpers/stores';
import { makeAgents, runnerWithEngine, saveWorkflow } from '../helpers/workflowEngine';

// The workflow runner on both dialects: each change of a run is one plan in one transaction on the
// store. A TestEngine plays the run engine (tests/helpers/workflowEngine.ts).

const emptyWorkflowTables = (store: Store) =>
  emptyTables(store, (t) => [
    t.workflowRunSteps,
    t.executions,
    t.workflowRuns,
    t.workflowVersions,
    t.workflows,
    t.agentConfigurations,
  ]);

async function runOf(store: Store, id: number) {
  const run = await execute(store, getWorkflowRun(store, id));
  if (!run) throw new Error(`workflow run ${id} not found`);
  return run;
}

type StepDraft = Omit<WorkflowDefinitionInput['steps'][number], 'agentId'>;

/** One agent runs every step of a workflow saved from `steps`; the run is started by hand. */
async function startWith(
  store: Store,
  steps: StepDraft[],
  extra: Partial<WorkflowDefinitionInput> = {},
  published?: number[],
) {
  const agentId = (await makeAgents(store, ['x'])).x ?? 0;
  const workflow = await saveWorkflow(store, {
    name: 'workflow',
    ...extra,
    steps: steps.map((step) => ({ ...step, agentId })),
  });
  const { engine, runner } = runnerWithEngine(store, published);
  const run = await runner.start(workflow.id, { trigger: 'manual' });
  return { engine, runner, run, workflow, agentId };
}

async function statusesOf(store: Store, id: number) {
  return Object.fromEntries((await runOf(store, id)).steps.map((step) => [step.key, step.status]));
}

async function stepOfRun(store: Store, id: number, key: string) {
  return (await runOf(store, id)).steps.find((step) => step.key === key);
}

describeOnEachDialect('workflow runner', (store) => {
  beforeEach(() => emptyWorkflowTables(store()));
  const runOfStore = (id: number) => runOf(store(), id);
  const statuses = (id: number) => statusesOf(store(), id);
  const stepOf = (id: number, key: string) => stepOfRun(store(), id, key);
  const begin = (steps: StepDraft[], extra?: Partial<WorkflowDefinitionInput>, published?: number[]) =>
    startWith(store(), steps, extra, published);

  it('A → B: B starts after A completed, with A’s result in its prompt', async () => {
    const agents = await makeAgents(store(), ['gatherer', 'writer']);
    const workflow = await saveWorkflow(store(), {
      name: 'chain',
      inputs: [{ name: 'topic', required: true }],
      steps: [
        { key: 'a', agentId: agents.gatherer ?? 0, prompt: 'Gather facts about {{input.topic}}' },
        { key: 'b', agentId: agents.writer ?? 0, prompt: 'Summarise:\n{{steps.a.result}}', dependsOn: ['a'] },
      ],
    });
    const { engine, runner } = runnerWithEngine(store());

    const run = await runner.start(workflow.id, { input: { topic: 'disks' }, trigger: 'api' });
    expect(run).toMatchObject({ status: 'queued', trigger: 'api', input: { topic: 'disks' } });
    expect(await statuses(run.id)).toEqual({ a: 'queued', b: 'pending' });
    expect(engine.launchedKeys()).toEqual(['a']);
    expect(engine.promptOf('a')).toBe('Gather facts about disks');
    expect(engine.admitted).toEqual([engine.executionOf('a')]);

    await engine.startStep('a');
    expect((await runOfStore(run.id)).status).toBe('running');
    await engine.endStep('a', 'completed', { result: 'MARKER-A-7f3 sda is 91% full' });
    expect(engine.promptOf('b')).toBe('Summarise:\nMARKER-A-7f3 sda is 91% full');
    expect(engine.admitted).toEqual([engine.executionOf('a'), engine.executionOf('b')]);

    await engine.startStep('b');
    await engine.endStep('b', 'completed', { result: 'All good but sda' });
    expect(await runOfStore(run.id)).toMatchObject({
      status: 'completed',
      error: null,
      steps: [
        {
          key: 'a',
          status: 'completed',
          executionId: engine.executionOf('a'),
          result: 'MARKER-A-7f3 sda is 91% full',
        },
        { key: 'b', status: 'completed', executionId: engine.executionOf('b'), result: 'All good but sda' },
      ],
    });
    expect((await runOfStore(run.id)).finishedAt).not.toBeNull();
  });

  it('A → (B, C) → D with maxParallel 2: B and C admitted together, D after both with both results', async () => {
    const { engine, run } = await begin(
      [
        { key: 'a', prompt: 'list hosts' },
        { key: 'b', prompt: 'check {{steps.a.result}} disks', dependsOn: ['a'] },
        { key: 'c', prompt: 'check {{steps.a.result}} memory', dependsOn: ['a'] },
        { key: 'd', prompt: 'Merge [{{steps.b.result}}] and [{{steps.c.result}}]', dependsOn: ['b', 'c'] },
      ],
      { maxParallel: 2 },
    );
    await engine.endStep('a', 'completed', { result: 'web1' });
    expect(engine.launchedKeys()).toEqual(['a', 'b', 'c']);
    expect(engine.admitted).toEqual([
      engine.executionOf('a'),
      engine.executionOf('b'),
      engine.executionOf('c'),
    ]);
    expect(engine.promptOf('c')).toBe('check web1 memory');
    expect(await statuses(run.id)).toMatchObject({ b: 'queued', c: 'queued', d: 'pending' });

    await engine.startStep('b');
    await engine.startStep('c');
    await engine.endStep('b', 'completed', { result: 'MARKER-B' });
    expect(engine.launchedKeys()).toEqual(['a', 'b', 'c']);
    await engine.endStep('c', 'completed', { result: 'MARKER-C' });
    expect(engine.promptOf('d')).toBe('Merge [MARKER-B] and [MARKER-C]');
    await engine.endStep('d', 'completed');
    expect((await runOfStore(run.id)).status).toBe('completed');
  });

  it('maxParallel 1 serialises independent steps in definition order; 2 lets the third wait', async () => {
    const agentId = (await makeAgents(store(), ['x'])).x ?? 0;
    const steps = ['x', 'y', 'z'].map((key) => ({ key, agentId, prompt: `do ${key}` }));
    const serial = await saveWorkflow(store(), { name: 'serial', maxParallel: 1, steps });
    const { engine, runner } = runnerWithEngine(store());
    await runner.start(serial.id, { trigger: 'manual' });
    expect(engine.launchedKeys()).toEqual(['x']);
    await engine.startStep('x');
    await engine.endStep('x', 'failed');
    expect(engine.launchedKeys()).toEqual(['x', 'y']);
    await engine.endStep('y', 'completed');
    expect(engine.launchedKeys()).toEqual(['x', 'y', 'z']);

    const pair = await saveWorkflow(store(), { name: 'pair', maxParallel: 2, steps });
    const second = runnerWithEngine(store());
    await second.runner.start(pair.id, { trigger: 'manual' });
    expect(second.engine.launchedKeys()).toEqual(['x', 'y']);
    await second.engine.endStep('y', 'completed');
    expect(second.engine.launchedKeys()).toEqual(['x', 'y', 'z']);
  });

  it('a failed step runs its runIf: failure sibling, skips its success dependants, and counts as handled', async () => {
    const { engine, run } = await begin([
      { key: 'a', prompt: 'deploy' },
      { key: 'notify', prompt: 'tell ops that deploy failed', dependsOn: ['a'], runIf: 'failure' },
      { key: 'b', prompt: 'smoke test', dependsOn: ['a'] },
      { key: 'cleanup', prompt: 'remove temp files', dependsOn: ['b'], runIf: 'always' },
      { key: 'd', prompt: 'announce', dependsOn: ['b'] },
    ]);
    await engine.startStep('a');
    await engine.endStep('a', 'failed');

    expect(engine.launchedKeys()).toEqual(['a', 'notify', 'cleanup']);
    expect(await stepOf(run.id, 'b')).toMatchObject({
      status: 'skipped',
      reason: 'Runs only when every dependency completed, and "a" failed',
    });
    expect(await stepOf(run.id, 'd')).toMatchObject({
      status: 'skipped',
      reason: 'Runs only when every dependency completed, and "b" was skipped',
    });
    await engine.endStep('notify', 'completed');
    expect((await runOfStore(run.id)).status).toBe('running');
    await engine.endStep('cleanup', 'completed');
    expect(await runOfStore(run.id)).toMatchObject({ status: 'completed', error: null });
  });

  it('a failure nobody handles fails the run, naming the step; an unneeded handler is skipped', async () => {
    const { engine, run } = await begin([
      { key: 'a', prompt: 'deploy' },
      { key: 'b', prompt: 'verify', dependsOn: ['a'] },
      { key: 'notify', prompt: 'tell ops', dependsOn: ['b'], runIf: 'failure' },
    ]);
    await engine.endStep('a', 'timeout');
    expect(await runOfStore(run.id)).toMatchObject({ status: 'failed', error: 'Unhandled: "a" timed out' });
    expect(await stepOf(run.id, 'notify')).toMatchObject({
      status: 'skipped',
      reason: 'Runs only when a dependency fails, and none did',
    });
  });

  it('the workflow budget caps each step at what is left, stops a running step when reached, and skips the rest', async () => {
    const { engine, run } = await begin(
      [
        { key: 'a', prompt: 'one' },
        { key: 'b', prompt: 'two' },
        { key: 'c', prompt: 'three', dependsOn: ['a'] },
        { key: 'd', prompt: 'four', dependsOn: ['b', 'c'] },
      ],
      { maxCostUsd: 0.05, maxParallel: 2 },
    );
    expect(engine.created.map((entry) => entry.request.maxCostMicros)).toEqual([50_000, 50_000]);
    await engine.startStep('a');
    await engine.startStep('b');
    await engine.spend('a', 12_000);
    await engine.endStep('a', 'completed', { costMicros: 20_000 });
    expect(engine.created.at(-1)?.request).toMatchObject({ stepKey: 'c', maxCostMicros: 30_000 });
    await engine.startStep('c');

    await engine.spend('b', 25_000);
    expect(engine.stopped).toEqual([]);
    expect((await runOfStore(run.id)).spendUsd).toBeCloseTo(0.045, 9);
    await engine.spend('b', 30_001);

    expect(engine.stopped.map((stop) => [stop.executionId, stop.reason])).toEqual([
      [engine.executionOf('b'), 'budget'],
      [engine.executionOf('c'), 'budget'],
    ]);
    const message = "The workflow's budget of $0.05 was reached: $0.05 spent";
    expect(await runOfStore(run.id)).toMatchObject({
      status: 'running',
      stopping: 'budget_exceeded',
      error: message,
    });
    expect(await stepOf(run.id, 'd')).toMatchObject({ status: 'skipped', reason: message });

    await engine.endStep('b', 'budget_exceeded', { costMicros: 30_001 });
    expect((await runOfStore(run.id)).status).toBe('running');
    await engine.endStep('c', 'budget_exceeded', { costMicros: 0 });
    expect(await runOfStore(run.id)).toMatchObject({
      status: 'budget_exceeded',
      stopping: 'budget_exceeded',
      spendUsd: 0.050001,
    });
    expect(await statuses(run.id)).toEqual({
      a: 'completed',
      b: 'budget_exceeded',
      c: 'budget_exceeded',
      d: 'skipped',
    });
  });

  it('cancel stops running and queued steps, skips pending ones, and ends cancelled once they ended', async () => {
    const published: number[] = [];
    const { engine, runner, run } = await begin(
      [
        { key: 'a', prompt: 'one' },
        { key: 'b', prompt: 'two' },
        { key: 'c', prompt: 'three', dependsOn: ['a', 'b'], runIf: 'always' },
      ],
      { maxParallel: 2 },
      published,
    );
    await engine.startStep('a');

    const cancelling = await runner.cancel(run.id);
    expect(engine.stopped.map((stop) => [stop.executionId, stop.reason])).toEqual([
      [engine.executionOf('a'), 'cancelled'],
      [engine.executionOf('b'), 'cancelled'],
    ]);
    // b was still queued: the engine ended it at once; a runs until its process has stopped.
    expect(cancelling).toMatchObject({ status: 'running', stopping: 'cancelled' });
    await engine.settled();
    expect(await statuses(run.id)).toEqual({ a: 'running', b: 'cancelled', c: 'skipped' });
    expect((await stepOf(run.id, 'c'))?.reason).toBe('Cancelled by request');

    await engine.endStep('a', 'cancelled');
    expect(await runOfStore(run.id)).toMatchObject({ status: 'cancelled', error: 'Cancelled by request' });
    expect(engine.launchedKeys()).toEqual(['a', 'b']);
    expect(published.every((id) => id === run.id)).toBe(true);
    expect(published.length).toBeGreaterThanOrEqual(4);

    const again = await answerToAsync(() => runner.cancel(run.id));
    expect(again).toMatchObject({
      status: 409,
      message: `Workflow run ${run.id} has already ended (cancelled)`,
    });
  });

  it('resumes after a crash: completed steps stay, interrupted ones end by rule, nothing runs twice', async () => {
    const before = await begin(
      [
        { key: 'a', prompt: 'one' },
        { key: 'b', prompt: 'two', dependsOn: ['a'] },
        { key: 'c', prompt: 'three', dependsOn: ['a'] },
        {
          key: 'd',
          prompt: 'report {{steps.b.result | default: "(none)"}}',
          dependsOn: ['b', 'c'],
          runIf: 'always',
        },
        { key: 'e', prompt: 'after b', dependsOn: ['b'] },
        { key: 'f', prompt: 'after a: {{steps.a.result}}', dependsOn: ['a'] },
      ],
      { maxParallel: 2 },
    );
    const { run } = before;
    await before.engine.endStep('a', 'completed', { result: 'A-DONE' });
    await before.engine.startStep('b');
    expect(before.engine.launchedKeys()).toEqual(['a', 'b', 'c']);

    // The server is killed: b runs, c is queued, f waits. The next start's recovery runs first.
    expect((await transaction(store(), interruptUnfinishedExecutions)).sort()).toEqual(
      [before.engine.executionOf('b'), before.engine.executionOf('c')].sort(),
    );
    const after = runnerWithEngine(store());
    expect(await after.runner.resume()).toEqual([run.id]);

    expect(await statuses(run.id)).toEqual({
      a: 'completed',
      b: 'interrupted',
      c: 'interrupted',
      d: 'queued',
      e: 'skipped',
      f: 'queued',
    });
    expect((await stepOf(run.id, 'e'))?.reason).toBe(
      'Runs only when every dependency completed, and "b" was interrupted',
    );
    expect(after.engine.launchedKeys()).toEqual(['d', 'f']);
    expect(after.engine.promptOf('f')).toBe('after a: A-DONE');
    expect((await stepOf(run.id, 'd'))?.missingValues).toEqual(['steps.b.result']);

    // Restarted again before anything ended (no recovery in between): nothing is launched twice.
    const third = runnerWithEngine(store());
    await third.runner.resume();
    expect(third.engine.created).toEqual([]);

    await after.engine.endStep('d', 'completed');
    await after.engine.endStep('f', 'completed');
    const ended = await runOfStore(run.id);
    expect(ended).toMatchObject({
      status: 'interrupted',
      error: 'Unhandled: "b" was interrupted; "c" was interrupted',
    });
    const executionIds = ended.steps.map((step) => step.executionId);
    expect(new Set(executionIds).size).toBe(executionIds.length);
  });

  it('a step the shutdown cancelled is interrupted on resume; its success dependants are skipped', async () => {
    const before = await begin([
      { key: 'a', prompt: 'one' },
      { key: 'b', prompt: 'two', dependsOn: ['a'] },
    ]);
    const { run } = before;
    await before.engine.startStep('a');
    await before.runner.shutdown();
    // The engine ends its runs `cancelled` (reason shutdown) while the runner no longer listens.
    const { db, t } = store();
    await db
      .update(t.executions)
      .set({ status: 'cancelled', errorCode: 'shutdown' })
      .where(eq(t.executions.id, before.engine.executionOf('a')));
    await before.engine.endStep('a', 'cancelled');
    expect(await statuses(run.id)).toEqual({ a: 'running', b: 'pending' });

    const after = runnerWithEngine(store());
    await after.runner.resume();
    expect(await statuses(run.id)).toEqual({ a: 'interrupted', b: 'skipped' });
    expect(await runOfStore(run.id)).toMatchObject({
      status: 'interrupted',
      error: 'Unhandled: "a" was interrupted',
    });
  });

  it('createRun writes the run and its first steps in the caller’s transaction; admitRun starts them after the commit', async () => {
    const agents = await makeAgents(store(), ['x']);
    const workflow = await saveWorkflow(store(), {
      name: 'two-phase',
      steps: [
        { key: 'a', agentId: agents.x ?? 0, prompt: 'one' },
        { key: 'b', agentId: agents.x ?? 0, prompt: 'two', dependsOn: ['a'] },
      ],
    });
    const published: number[] = [];
    const { engine, runner } = runnerWithEngine(store(), published);
    const request = { trigger: 'schedule' as const };

    // A caller whose transaction fails after the run was written: nothing stays, nothing started.
    await expect(
      transaction(store(), function* (tx) {
        yield* runner.createRun(tx, workflow.id, request);
        throw new Error('the caller’s own write failed');
      }),
    ).rejects.toThrow('the caller’s own write failed');
    expect((await execute(store(), listWorkflowRuns(store(), { limit: 10 }))).items).toEqual([]);
    expect(await store().db.select().from(store().t.executions)).toEqual([]);

    const runId = await transaction(store(), (tx) => runner.createRun(tx, workflow.id, request));
    expect(await statuses(runId)).toEqual({ a: 'queued', b: 'pending' });
    expect(engine.admitted).toEqual([]);
    expect(published).toEqual([]);
    runner.admitRun(runId);
    expect(engine.admitted).toEqual([engine.executionOf('a')]);
    expect(published).toEqual([runId]);
    expect(await runOfStore(runId)).toMatchObject({ trigger: 'schedule', status: 'queued' });
  });

  it('an exhausted monthly budget refuses the run with 409 naming it, and writes nothing', async () => {
    const agents = await makeAgents(store(), ['gatherer', 'writer']);
    const workflow = await saveWorkflow(store(), {
      name: 'refused',
      steps: [
        { key: 'a', agentId: agents.gatherer ?? 0, prompt: 'one' },
        { key: 'b', agentId: agents.writer ?? 0, prompt: 'two', dependsOn: ['a'], runIf: 'failure' },
      ],
    });
    const { engine, runner } = runnerWithEngine(store());
    const message = 'The monthly budget of agent "writer" ($1.00) is exhausted: $1.00 spent in 2026-11';
    const budget = { budget: 'agent_monthly', limitUsd: 1, spentUsd: 1 } as const;
    engine.refusals.set(agents.writer ?? 0, { message, ...budget });

    expect(await answerToAsync(() => runner.start(workflow.id, { trigger: 'manual' }))).toEqual({
      status: 409,
      code: 'budget_exhausted',
      message,
      ...budget,
      workflowId: workflow.id,
      agentId: agents.writer,
    });
    expect((await execute(store(), listWorkflowRuns(store(), { limit: 10 }))).items).toEqual([]);
    expect(engine.created).toEqual([]);
  });

  it('a budget exhausted mid-run ends the step budget_exceeded with the reason, and its dependants follow', async () => {
    const agents = await makeAgents(store(), ['gatherer', 'writer']);
    const workflow = await saveWorkflow(store(), {
      name: 'refused later',
      steps: [
        { key: 'a', agentId: agents.gatherer ?? 0, prompt: 'one' },
        { key: 'b', agentId: agents.writer ?? 0, prompt: 'two', dependsOn: ['a'] },
        {
          key: 'alert',
          agentId: agents.gatherer ?? 0,
          prompt: 'b could not run',
          dependsOn: ['b'],
          runIf: 'failure',
        },
      ],
    });
    const { engine, runner } = runnerWithEngine(store());
    const run = await runner.start(workflow.id, { trigger: 'manual' });
    const message = 'The global monthly budget ($5.00) is exhausted: $5.00 spent in 2026-11';
    engine.refusals.set(agents.writer ?? 0, { message, budget: 'global_monthly', limitUsd: 5, spentUsd: 5 });
    await engine.endStep('a', 'completed');

    expect(await stepOf(run.id, 'b')).toMatchObject({
      status: 'budget_exceeded',
      reason: message,
      executionId: null,
    });
    expect(engine.launchedKeys()).toEqual(['a', 'alert']);
    await engine.endStep('alert', 'completed');
    expect((await runOfStore(run.id)).status).toBe('completed');
  });

  it('a step that cannot become a run fails with the reason, leaves no execution behind, and its handler runs', async () => {
    const { engine, run, agentId } = await begin([
      { key: 'a', prompt: 'one' },
      { key: 'b', prompt: 'two', dependsOn: ['a'] },
      { key: 'alert', prompt: 'b failed', dependsOn: ['b'], runIf: 'failure' },
    ]);
    engine.deletedAgents.add(agentId);
    await engine.endStep('a', 'completed');

    expect(await stepOf(run.id, 'b')).toMatchObject({
      status: 'failed',
      reason: 'Agent not found',
      executionId: null,
    });
    expect(await stepOf(run.id, 'alert')).toMatchObject({ status: 'failed', reason: 'Agent not found' });
    const { db, t } = store();
    const rows = await db.select({ step: t.executions.workflowStepKey }).from(t.executions);
    expect(rows.map((row) => row.step)).toEqual(['a']);
    expect(await runOfStore(run.id)).toMatchObject({
      status: 'failed',
      error: 'Unhandled: "b" failed; "alert" failed',
    });
  });

  it('checks the input: unknown and missing required fields are 400s naming them; defaults fill the rest', async () => {
    const agentId = (await makeAgents(store(), ['x'])).x ?? 0;
    const workflow = await saveWorkflow(store(), {
      name: 'inputs',
      inputs: [
        { name: 'host', label: 'Host name', required: true },
        { name: 'env', default: 'prod' },
        { name: 'note' },
      ],
      steps: [{ key: 'a', agentId, prompt: 'check {{input.host}} in {{input.env}}{{input.note}}' }],
    });
    const { engine, runner } = runnerWithEngine(store());

    const error = await answerToAsync(() =>
      runner.start(workflow.id, { input: { hots: 'web1' }, trigger: 'api' }),
    );
    expect(error).toMatchObject({
      status: 400,
      issues: [
        { path: 'input.hots', message: 'Not an input field of this workflow' },
        { path: 'input.host', message: 'Host name is required' },
      ],
    });
    const run = await runner.start(workflow.id, { input: { host: 'web1' }, trigger: 'api' });
    expect(run.input).toEqual({ host: 'web1', env: 'prod', note: '' });
    expect(engine.promptOf('a')).toBe('check web1 in prod');
    expect((await stepOf(run.id, 'a'))?.missingValues).toEqual([]);
  });

  it('renders structured output paths; a value missing at run time takes its default and is recorded', async () => {
    const agents = await makeAgents(store(), ['scanner', 'writer']);
    const scanner = agents.scanner ?? 0;
    const workflow = await saveWorkflow(
      store(),
      {
        name: 'structured',
        steps: [
          { key: 'scan', agentId: scanner, prompt: 'scan' },
          {
            key: 'report',
            agentId: agents.writer ?? 0,
            prompt:
              'Title: {{steps.scan.output.title}}; first: {{steps.scan.output.items.0.name}}; all: {{steps.scan.output.items}}; severity: {{steps.scan.output.severity | default: "unknown"}}',
            dependsOn: ['scan'],
          },
        ],
      },
      [scanner],
    );
    const { engine, runner } = runnerWithEngine(store());
    const run = await runner.start(workflow.id, { trigger: 'manual' });
    await engine.endStep('scan', 'completed', { output: { title: 'Disks', items: [{ name: 'sda' }] } });

    expect(engine.promptOf('report')).toBe(
      'Title: Disks; first: sda; all: [{"name":"sda"}]; severity: unknown',
    );
    expect((await stepOf(run.id, 'report'))?.missingValues).toEqual(['steps.scan.output.severity']);
  });

  it('a reference with no value and no default fails its step, naming the step and the reference', async () => {
    const { engine, run } = await begin([
      { key: 'a', prompt: 'one' },
      { key: 'b', prompt: 'use {{steps.a.result}}', dependsOn: ['a'], runIf: 'always' },
    ]);
    await engine.endStep('a', 'failed');
    expect(await statuses(run.id)).toEqual({ a: 'failed', b: 'failed' });
    expect((await stepOf(run.id, 'b'))?.reason).toBe(
      'Step "b": {{steps.a.result}} has no value (give a default if that can happen: {{steps.a.result | default: "none"}})',
    );
    expect(engine.launchedKeys()).toEqual(['a']);
    expect((await runOfStore(run.id))?.status).toBe('failed');
  });

  it('a prompt that would pass the limit fails its step without being built; one from input alone refuses the run', async () => {
    const { engine, run } = await begin([
      { key: 'a', prompt: 'one' },
      { key: 'b', prompt: '{{steps.a.result}}'.repeat(2_000), dependsOn: ['a'] },
    ]);
    await engine.endStep('a', 'completed', { result: 'x'.repeat(50) });
    expect(await stepOf(run.id, 'b')).toMatchObject({
      status: 'failed',
      reason: 'Step "b": its prompt would be 100,000 characters, over the limit of 50,000',
    });

    const agents = await makeAgents(store(), ['echo']);
    const workflow = await saveWorkflow(store(), {
      name: 'repeats its input',
      inputs: [{ name: 'x' }],
      steps: [{ key: 'loud', agentId: agents.echo ?? 0, prompt: '{{input.x}}'.repeat(4_500) }],
    });
    const { runner } = runnerWithEngine(store());
    const refused = await answerToAsync(() =>
      runner.start(workflow.id, { input: { x: 'y'.repeat(50_000) }, trigger: 'api' }),
    );
    expect(refused).toMatchObject({
      status: 400,
      issues: [
        {
          path: 'input',
          message: 'Step "loud": its prompt would be 225,000,000 characters, over the limit of 50,000',
        },
      ],
    });
  });

  it('a run keeps the version it started with; the workflow’s later edits and deletion do not touch it', async () => {
    const { engine, run, workflow, agentId } = await begin([
      { key: 'a', prompt: 'one' },
      { key: 'b', prompt: 'v1 {{steps.a.result}}', dependsOn: ['a'] },
    ]);
    const edited = await updateWorkflow(
      store(),
      workflow.id,
      { steps: [{ key: 'only', agentId, prompt: 'v2', dependsOn: [], runIf: 'success' }] },
      () => false,
    );
    expect(edited.version).toBe(2);
    await transaction(store(), (tx) => softDeleteWorkflow(tx, workflow.id, Date.now()));

    await engine.endStep('a', 'completed', { result: 'R' });
    expect(engine.promptOf('b')).toBe('v1 R');
    await engine.endStep('b', 'completed');
    expect(await runOfStore(run.id)).toMatchObject({ status: 'completed', workflowVersion: 1 });
    expect((await runOfStore(run.id)).steps.map((step) => step.key)).toEqual(['a', 'b']);
  });

  it('ignores repeated, stale and foreign events', async () => {
    const { engine, runner, run } = await begin([
      { key: 'a', prompt: 'one' },
      { key: 'b', prompt: 'two', dependsOn: ['a'] },
    ]);
    await engine.endStep('a', 'completed', { costMicros: 1_000 });
    await engine.endStep('a', 'failed', { costMicros: 9_000 });
    await engine.spend('a', 50_000);
    await runner.onRunStarted({ executionId: engine.executionOf('a'), startedAt: Date.now() });
    await runner.onRunEnded({ executionId: 999_999, status: 'completed', resultText: 'x', costMicros: 5 });
    await runner.onSpend({ executionId: 999_999, costMicros: 5 });

    expect(await stepOf(run.id, 'a')).toMatchObject({ status: 'completed', costUsd: 0.001 });
    expect((await runOfStore(run.id)).spendUsd).toBe(0.001);
    expect(engine.launchedKeys()).toEqual(['a', 'b']);
  });

  it('lists recent runs newest first, compact and paged, with step progress', async () => {
    const agentId = (await makeAgents(store(), ['x'])).x ?? 0;
    const steps = [
      { key: 'a', agentId, prompt: 'one' },
      { key: 'b', agentId, prompt: 'two', dependsOn: ['a'] },
    ];
    const first = await saveWorkflow(store(), { name: 'first', maxCostUsd: 2, steps });
    const second = await saveWorkflow(store(), { name: 'second', steps });
    const { engine, runner } = runnerWithEngine(store());
    const oldest = await runner.start(first.id, { trigger: 'schedule' });
    await engine.endStep('a', 'completed', { costMicros: 1_250_000 });
    const middle = await runner.start(second.id, { trigger: 'manual' });
    const newest = await runner.start(first.id, { trigger: 'api' });

    const page = await execute(store(), listWorkflowRuns(store(), { limit: 2 }));
    expect(page.items.map((run) => run.id)).toEqual([newest.id, middle.id]);
    expect(page.nextBefore).toBe(middle.id);
    const rest = await execute(store(), listWorkflowRuns(store(), { limit: 2, before: middle.id }));
    expect(rest).toEqual({
      items: [
        expect.objectContaining({
          id: oldest.id,
          workflowName: 'first',
          status: 'queued',
          trigger: 'schedule',
          spendUsd: 1.25,
          budgetUsd: 2,
          stepCount: 2,
          stepsEnded: 1,
        }),
      ],
      nextBefore: null,
    });
    expect(rest.items[0]).not.toHaveProperty('steps');
    expect(
      (await execute(store(), listWorkflowRuns(store(), { limit: 10, workflowId: second.id }))).items.map(
        (run) => run.id,
      ),
    ).toEqual([middle.id]);
  });
});

/** Two runners, each on its own pool (two processes), and a run of `draft` started on the first. */
async function twoProcesses(store: Store, draft: WorkflowDefinitionInput) {
  const workflow = await saveWorkflow(store, draft);
  const here = runnerWithEngine(store);
  const other = await anotherPostgresPool(store);
  const there = runnerWithEngine(other.store);
  const run = await here.runner.start(workflow.id, { trigger: 'manual' });
  const launched = () => [...here.engine.launchedKeys(), ...there.engine.launchedKeys()];
  return { here, there, run, launched, close: () => other.close() };
}

/**
 * Both processes read the run before either writes a step (held at the steps table), as when two
 * reports come at the same instant; resolves once both are handled.
 */
async function atOnce(store: Store, handle: () => Promise<void>[]): Promise<void> {
  const handled = await openPostgresTransaction(store, async (tx) => {
    await execute(tx, lockTablesAgainstWrites(tx, [tx.t.workflowRunSteps]));
    const both = handle();
    await vi.waitFor(async () => expect(await lockWaits(store)).toBe(2));
    return both;
  });
  await Promise.all(handled);
}

describeOnPostgres('workflow runner, two processes', (store) => {
  beforeEach(() => emptyWorkflowTables(store()));

  it('two steps ending at once in two processes: each change sees the other, the join step starts once', async () => {
    const agentId = (await makeAgents(store(), ['x'])).x ?? 0;
    const { here, there, run, launched, close } = await twoProcesses(store(), {
      name: 'join',
      maxParallel: 2,
      steps: [
        { key: 'a', agentId, prompt: 'one' },
        { key: 'b', agentId, prompt: 'two' },
        { key: 'join', agentId, prompt: '{{steps.a.result}} and {{steps.b.result}}', dependsOn: ['a', 'b'] },
      ],
    });
    try {
      await here.engine.startStep('a');
      await here.engine.startStep('b');
      const ending = (executionId: number) => ({
        executionId,
        status: 'completed' as const,
        resultText: `result ${executionId}`,
        costMicros: 0,
      });
      await atOnce(store(), () => [
        here.runner.onRunEnded(ending(here.engine.executionOf('a'))),
        there.runner.onRunEnded(ending(here.engine.executionOf('b'))),
      ]);

      expect(launched().filter((key) => key === 'join')).toEqual(['join']);
      expect(await statusesOf(store(), run.id)).toEqual({ a: 'completed', b: 'completed', join: 'queued' });
    } finally {
      await close();
    }
  });

  it('one step’s ending heard by both (two web processes relay it): its spend counts once, the next step starts once', async () => {
    const agentId = (await makeAgents(store(), ['x'])).x ?? 0;
    const { here, there, run, launched, close } = await twoProcesses(store(), {
      name: 'chain',
      steps: [
        { key: 'a', agentId, prompt: 'one' },
        { key: 'b', agentId, prompt: 'after {{steps.a.result}}', dependsOn: ['a'] },
      ],
    });
    try {
      await here.engine.startStep('a');
      const ending = {
        executionId: here.engine.executionOf('a'),
        status: 'completed' as const,
        resultText: 'done',
        costMicros: 300_000,
      };
      await atOnce(store(), () => [here.runner.onRunEnded(ending), there.runner.onRunEnded(ending)]);

      expect(launched().filter((key) => key === 'b')).toEqual(['b']);
      const after = await runOf(store(), run.id);
      expect(after.spendUsd).toBe(0.3);
      expect(after.steps.find((step) => step.key === 'a')).toMatchObject({
        status: 'completed',
        costUsd: 0.3,
      });
    } finally {
      await close();
    }
  });
});

describeOnEachDialect('the engine’s step launcher', (store) => {
  beforeEach(() => emptyTables(store(), (t) => [t.monthlyCostSummaries, t.agentConfigurations]));

  // Refusals read only the store: the engine is reached by createRun, admit and stop.
  const launcher = () => engineStepLauncher({} as RunEngine, async () => false);

  it('refuses an agent whose monthly budget is spent, naming it with the figures; a deleted agent is left to fail its launch', async () => {
    const now = Date.parse('2026-11-20T12:00:00Z');
    const spent = await insertAgent(store(), 'spent', { monthlyBudgetMicros: 1_000_000 });
    const fresh = await insertAgent(store(), 'fresh', { monthlyBudgetMicros: 1_000_000 });
    const gone = await insertAgent(store(), 'gone', { deletedAt: now });
    await store().db.insert(store().t.monthlyCostSummaries).values({
      month: '2026-11',
      agentId: spent,
      model: 'claude-sonnet-4-5',
      costMicros: 1_000_001,
      updatedAt: now,
    });

    expect(await execute(store(), launcher().refusal(store(), spent, now))).toEqual({
      message: 'The monthly budget of agent "spent" ($1.00) is exhausted: $1.00 spent in 2026-11',
      budget: 'agent_monthly',
      limitUsd: 1,
      spentUsd: 1.000001,
    });
    expect(await execute(store(), launcher().refusal(store(), fresh, now))).toBeNull();
    expect(await execute(store(), launcher().refusal(store(), gone, now))).toBeNull();
  });
});
