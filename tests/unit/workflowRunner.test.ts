import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkflowDefinitionInput } from '../../src/lib/contracts/workflows';
import type { DbHandle } from '../../src/lib/db';
import { runOnSqlite, transactionOnSqlite } from '../../src/lib/db/plan';
import { interruptUnfinishedExecutions } from '../../src/lib/db/queries/executions';
import { getWorkflowRun, listWorkflowRuns } from '../../src/lib/db/queries/workflowRuns';
import { softDeleteWorkflow } from '../../src/lib/db/queries/workflows';
import { executions } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { updateWorkflow } from '../../src/lib/workflows/definitions';
import { answerTo } from '../helpers/answers';
import { createTestDb } from '../helpers/testDb';
import { makeAgents, runnerWithEngine, saveWorkflow } from '../helpers/workflowEngine';

let handle: DbHandle;
beforeEach(() => {
  handle = createTestDb();
});
afterEach(() => handle.sqlite.close());

function runOf(id: number) {
  const run = runOnSqlite(getWorkflowRun(sqliteStore(handle.db), id));
  if (!run) throw new Error(`workflow run ${id} not found`);
  return run;
}

type StepDraft = Omit<WorkflowDefinitionInput['steps'][number], 'agentId'>;

/** One agent runs every step of a workflow saved from `steps`; the run is started by hand. */
function startWith(steps: StepDraft[], extra: Partial<WorkflowDefinitionInput> = {}, published?: number[]) {
  const agentId = makeAgents(handle, ['x']).x ?? 0;
  const workflow = saveWorkflow(handle, {
    name: 'workflow',
    ...extra,
    steps: steps.map((step) => ({ ...step, agentId })),
  });
  const { engine, runner } = runnerWithEngine(handle, published);
  const run = runner.start(workflow.id, { trigger: 'manual' });
  return { engine, runner, run, workflow, agentId };
}

const statuses = (id: number) => Object.fromEntries(runOf(id).steps.map((step) => [step.key, step.status]));
const stepOf = (id: number, key: string) => runOf(id).steps.find((step) => step.key === key);

describe('workflow runner', () => {
  it('A → B: B starts after A completed, with A’s result in its prompt', () => {
    const agents = makeAgents(handle, ['gatherer', 'writer']);
    const workflow = saveWorkflow(handle, {
      name: 'chain',
      inputs: [{ name: 'topic', required: true }],
      steps: [
        { key: 'a', agentId: agents.gatherer ?? 0, prompt: 'Gather facts about {{input.topic}}' },
        { key: 'b', agentId: agents.writer ?? 0, prompt: 'Summarise:\n{{steps.a.result}}', dependsOn: ['a'] },
      ],
    });
    const { engine, runner } = runnerWithEngine(handle);

    const run = runner.start(workflow.id, { input: { topic: 'disks' }, trigger: 'api' });
    expect(run).toMatchObject({ status: 'queued', trigger: 'api', input: { topic: 'disks' } });
    expect(statuses(run.id)).toEqual({ a: 'queued', b: 'pending' });
    expect(engine.launchedKeys()).toEqual(['a']);
    expect(engine.promptOf('a')).toBe('Gather facts about disks');
    expect(engine.admitted).toEqual([engine.executionOf('a')]);

    engine.startStep('a');
    expect(runOf(run.id).status).toBe('running');
    engine.endStep('a', 'completed', { result: 'MARKER-A-7f3 sda is 91% full' });
    expect(engine.promptOf('b')).toBe('Summarise:\nMARKER-A-7f3 sda is 91% full');
    expect(engine.admitted).toEqual([engine.executionOf('a'), engine.executionOf('b')]);

    engine.startStep('b');
    engine.endStep('b', 'completed', { result: 'All good but sda' });
    expect(runOf(run.id)).toMatchObject({
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
    expect(runOf(run.id).finishedAt).not.toBeNull();
  });

  it('A → (B, C) → D with maxParallel 2: B and C admitted together, D after both with both results', () => {
    const { engine, run } = startWith(
      [
        { key: 'a', prompt: 'list hosts' },
        { key: 'b', prompt: 'check {{steps.a.result}} disks', dependsOn: ['a'] },
        { key: 'c', prompt: 'check {{steps.a.result}} memory', dependsOn: ['a'] },
        { key: 'd', prompt: 'Merge [{{steps.b.result}}] and [{{steps.c.result}}]', dependsOn: ['b', 'c'] },
      ],
      { maxParallel: 2 },
    );
    engine.endStep('a', 'completed', { result: 'web1' });
    expect(engine.launchedKeys()).toEqual(['a', 'b', 'c']);
    expect(engine.admitted).toEqual([
      engine.executionOf('a'),
      engine.executionOf('b'),
      engine.executionOf('c'),
    ]);
    expect(engine.promptOf('c')).toBe('check web1 memory');
    expect(statuses(run.id)).toMatchObject({ b: 'queued', c: 'queued', d: 'pending' });

    engine.startStep('b');
    engine.startStep('c');
    engine.endStep('b', 'completed', { result: 'MARKER-B' });
    expect(engine.launchedKeys()).toEqual(['a', 'b', 'c']);
    engine.endStep('c', 'completed', { result: 'MARKER-C' });
    expect(engine.promptOf('d')).toBe('Merge [MARKER-B] and [MARKER-C]');
    engine.endStep('d', 'completed');
    expect(runOf(run.id).status).toBe('completed');
  });

  it('maxParallel 1 serialises independent steps in definition order; 2 lets the third wait', () => {
    const agentId = makeAgents(handle, ['x']).x ?? 0;
    const steps = ['x', 'y', 'z'].map((key) => ({ key, agentId, prompt: `do ${key}` }));
    const serial = saveWorkflow(handle, { name: 'serial', maxParallel: 1, steps });
    const { engine, runner } = runnerWithEngine(handle);
    runner.start(serial.id, { trigger: 'manual' });
    expect(engine.launchedKeys()).toEqual(['x']);
    engine.startStep('x');
    engine.endStep('x', 'failed');
    expect(engine.launchedKeys()).toEqual(['x', 'y']);
    engine.endStep('y', 'completed');
    expect(engine.launchedKeys()).toEqual(['x', 'y', 'z']);

    const pair = saveWorkflow(handle, { name: 'pair', maxParallel: 2, steps });
    const second = runnerWithEngine(handle);
    second.runner.start(pair.id, { trigger: 'manual' });
    expect(second.engine.launchedKeys()).toEqual(['x', 'y']);
    second.engine.endStep('y', 'completed');
    expect(second.engine.launchedKeys()).toEqual(['x', 'y', 'z']);
  });

  it('a failed step runs its runIf: failure sibling, skips its success dependants, and counts as handled', () => {
    const { engine, run } = startWith([
      { key: 'a', prompt: 'deploy' },
      { key: 'notify', prompt: 'tell ops that deploy failed', dependsOn: ['a'], runIf: 'failure' },
      { key: 'b', prompt: 'smoke test', dependsOn: ['a'] },
      { key: 'cleanup', prompt: 'remove temp files', dependsOn: ['b'], runIf: 'always' },
      { key: 'd', prompt: 'announce', dependsOn: ['b'] },
    ]);
    engine.startStep('a');
    engine.endStep('a', 'failed');

    expect(engine.launchedKeys()).toEqual(['a', 'notify', 'cleanup']);
    expect(stepOf(run.id, 'b')).toMatchObject({
      status: 'skipped',
      reason: 'Runs only when every dependency completed, and "a" failed',
    });
    expect(stepOf(run.id, 'd')).toMatchObject({
      status: 'skipped',
      reason: 'Runs only when every dependency completed, and "b" was skipped',
    });
    engine.endStep('notify', 'completed');
    expect(runOf(run.id).status).toBe('running');
    engine.endStep('cleanup', 'completed');
    expect(runOf(run.id)).toMatchObject({ status: 'completed', error: null });
  });

  it('a failure nobody handles fails the run, naming the step; an unneeded handler is skipped', () => {
    const { engine, run } = startWith([
      { key: 'a', prompt: 'deploy' },
      { key: 'b', prompt: 'verify', dependsOn: ['a'] },
      { key: 'notify', prompt: 'tell ops', dependsOn: ['b'], runIf: 'failure' },
    ]);
    engine.endStep('a', 'timeout');
    expect(runOf(run.id)).toMatchObject({ status: 'failed', error: 'Unhandled: "a" timed out' });
    expect(stepOf(run.id, 'notify')).toMatchObject({
      status: 'skipped',
      reason: 'Runs only when a dependency fails, and none did',
    });
  });

  it('the workflow budget caps each step at what is left, stops a running step when reached, and skips the rest', () => {
    const { engine, run } = startWith(
      [
        { key: 'a', prompt: 'one' },
        { key: 'b', prompt: 'two' },
        { key: 'c', prompt: 'three', dependsOn: ['a'] },
        { key: 'd', prompt: 'four', dependsOn: ['b', 'c'] },
      ],
      { maxCostUsd: 0.05, maxParallel: 2 },
    );
    expect(engine.created.map((entry) => entry.request.maxCostMicros)).toEqual([50_000, 50_000]);
    engine.startStep('a');
    engine.startStep('b');
    engine.spend('a', 12_000);
    engine.endStep('a', 'completed', { costMicros: 20_000 });
    expect(engine.created.at(-1)?.request).toMatchObject({ stepKey: 'c', maxCostMicros: 30_000 });
    engine.startStep('c');

    engine.spend('b', 25_000);
    expect(engine.stopped).toEqual([]);
    expect(runOf(run.id).spendUsd).toBeCloseTo(0.045, 9);
    engine.spend('b', 30_001);

    expect(engine.stopped.map((stop) => [stop.executionId, stop.reason])).toEqual([
      [engine.executionOf('b'), 'budget'],
      [engine.executionOf('c'), 'budget'],
    ]);
    const message = "The workflow's budget of $0.05 was reached: $0.05 spent";
    expect(runOf(run.id)).toMatchObject({ status: 'running', stopping: 'budget_exceeded', error: message });
    expect(stepOf(run.id, 'd')).toMatchObject({ status: 'skipped', reason: message });

    engine.endStep('b', 'budget_exceeded', { costMicros: 30_001 });
    expect(runOf(run.id).status).toBe('running');
    engine.endStep('c', 'budget_exceeded', { costMicros: 0 });
    expect(runOf(run.id)).toMatchObject({
      status: 'budget_exceeded',
      stopping: 'budget_exceeded',
      spendUsd: 0.050001,
    });
    expect(statuses(run.id)).toEqual({
      a: 'completed',
      b: 'budget_exceeded',
      c: 'budget_exceeded',
      d: 'skipped',
    });
  });

  it('cancel stops running and queued steps, skips pending ones, and ends cancelled once they ended', () => {
    const published: number[] = [];
    const { engine, runner, run } = startWith(
      [
        { key: 'a', prompt: 'one' },
        { key: 'b', prompt: 'two' },
        { key: 'c', prompt: 'three', dependsOn: ['a', 'b'], runIf: 'always' },
      ],
      { maxParallel: 2 },
      published,
    );
    engine.startStep('a');

    const cancelling = runner.cancel(run.id);
    expect(engine.stopped.map((stop) => [stop.executionId, stop.reason])).toEqual([
      [engine.executionOf('a'), 'cancelled'],
      [engine.executionOf('b'), 'cancelled'],
    ]);
    // b was still queued: the engine ended it at once; a runs until its process has stopped.
    expect(cancelling).toMatchObject({ status: 'running', stopping: 'cancelled' });
    expect(statuses(run.id)).toEqual({ a: 'running', b: 'cancelled', c: 'skipped' });
    expect(stepOf(run.id, 'c')?.reason).toBe('Cancelled by request');

    engine.endStep('a', 'cancelled');
    expect(runOf(run.id)).toMatchObject({ status: 'cancelled', error: 'Cancelled by request' });
    expect(engine.launchedKeys()).toEqual(['a', 'b']);
    expect(published.every((id) => id === run.id)).toBe(true);
    expect(published.length).toBeGreaterThanOrEqual(4);

    const again = answerTo(() => runner.cancel(run.id));
    expect(again).toMatchObject({
      status: 409,
      message: `Workflow run ${run.id} has already ended (cancelled)`,
    });
  });

  it('resumes after a crash: completed steps stay, interrupted ones end by rule, nothing runs twice', () => {
    const before = startWith(
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
    before.engine.endStep('a', 'completed', { result: 'A-DONE' });
    before.engine.startStep('b');
    expect(before.engine.launchedKeys()).toEqual(['a', 'b', 'c']);

    // The server is killed: b runs, c is queued, f waits. The next start's recovery runs first.
    expect(transactionOnSqlite(handle.db, interruptUnfinishedExecutions).sort()).toEqual(
      [before.engine.executionOf('b'), before.engine.executionOf('c')].sort(),
    );
    const after = runnerWithEngine(handle);
    expect(after.runner.resume()).toEqual([run.id]);

    expect(statuses(run.id)).toEqual({
      a: 'completed',
      b: 'interrupted',
      c: 'interrupted',
      d: 'queued',
      e: 'skipped',
      f: 'queued',
    });
    expect(stepOf(run.id, 'e')?.reason).toBe(
      'Runs only when every dependency completed, and "b" was interrupted',
    );
    expect(after.engine.launchedKeys()).toEqual(['d', 'f']);
    expect(after.engine.promptOf('f')).toBe('after a: A-DONE');
    expect(stepOf(run.id, 'd')?.missingValues).toEqual(['steps.b.result']);

    // Restarted again before anything ended (no recovery in between): nothing is launched twice.
    const third = runnerWithEngine(handle);
    third.runner.resume();
    expect(third.engine.created).toEqual([]);

    after.engine.endStep('d', 'completed');
    after.engine.endStep('f', 'completed');
    const ended = runOf(run.id);
    expect(ended).toMatchObject({
      status: 'interrupted',
      error: 'Unhandled: "b" was interrupted; "c" was interrupted',
    });
    const executionIds = ended.steps.map((step) => step.executionId);
    expect(new Set(executionIds).size).toBe(executionIds.length);
  });

  it('a step the shutdown cancelled is interrupted on resume; its success dependants are skipped', () => {
    const before = startWith([
      { key: 'a', prompt: 'one' },
      { key: 'b', prompt: 'two', dependsOn: ['a'] },
    ]);
    const { run } = before;
    before.engine.startStep('a');
    before.runner.shutdown();
    // The engine ends its runs `cancelled` (reason shutdown) while the runner no longer listens.
    handle.db
      .update(executions)
      .set({ status: 'cancelled', errorCode: 'shutdown' })
      .where(eq(executions.id, before.engine.executionOf('a')))
      .run();
    before.engine.endStep('a', 'cancelled');
    expect(statuses(run.id)).toEqual({ a: 'running', b: 'pending' });

    const after = runnerWithEngine(handle);
    after.runner.resume();
    expect(statuses(run.id)).toEqual({ a: 'interrupted', b: 'skipped' });
    expect(runOf(run.id)).toMatchObject({ status: 'interrupted', error: 'Unhandled: "a" was interrupted' });
  });

  it('createRun writes the run and its first steps in the caller’s transaction; admitRun starts them after the commit', () => {
    const agents = makeAgents(handle, ['x']);
    const workflow = saveWorkflow(handle, {
      name: 'two-phase',
      steps: [
        { key: 'a', agentId: agents.x ?? 0, prompt: 'one' },
        { key: 'b', agentId: agents.x ?? 0, prompt: 'two', dependsOn: ['a'] },
      ],
    });
    const published: number[] = [];
    const { engine, runner } = runnerWithEngine(handle, published);
    const request = { trigger: 'schedule' as const };

    // A caller whose transaction fails after the run was written: nothing stays, nothing started.
    expect(() =>
      handle.db.transaction((tx) => {
        runner.createRun(tx, workflow.id, request);
        throw new Error('the caller’s own write failed');
      }),
    ).toThrow('the caller’s own write failed');
    expect(runOnSqlite(listWorkflowRuns(sqliteStore(handle.db), { limit: 10 })).items).toEqual([]);
    expect(handle.db.select().from(executions).all()).toEqual([]);

    const runId = handle.db.transaction((tx) => runner.createRun(tx, workflow.id, request));
    expect(statuses(runId)).toEqual({ a: 'queued', b: 'pending' });
    expect(engine.admitted).toEqual([]);
    expect(published).toEqual([]);
    runner.admitRun(runId);
    expect(engine.admitted).toEqual([engine.executionOf('a')]);
    expect(published).toEqual([runId]);
    expect(runOf(runId)).toMatchObject({ trigger: 'schedule', status: 'queued' });
  });

  it('an exhausted monthly budget refuses the run with 409 naming it, and writes nothing', () => {
    const agents = makeAgents(handle, ['gatherer', 'writer']);
    const workflow = saveWorkflow(handle, {
      name: 'refused',
      steps: [
        { key: 'a', agentId: agents.gatherer ?? 0, prompt: 'one' },
        { key: 'b', agentId: agents.writer ?? 0, prompt: 'two', dependsOn: ['a'], runIf: 'failure' },
      ],
    });
    const { engine, runner } = runnerWithEngine(handle);
    const message = 'The monthly budget of agent "writer" ($1.00) is exhausted: $1.00 spent in 2026-11';
    const budget = { budget: 'agent_monthly', limitUsd: 1, spentUsd: 1 } as const;
    engine.refusals.set(agents.writer ?? 0, { message, ...budget });

    expect(answerTo(() => runner.start(workflow.id, { trigger: 'manual' }))).toEqual({
      status: 409,
      code: 'budget_exhausted',
      message,
      ...budget,
      workflowId: workflow.id,
      agentId: agents.writer,
    });
    expect(runOnSqlite(listWorkflowRuns(sqliteStore(handle.db), { limit: 10 })).items).toEqual([]);
    expect(engine.created).toEqual([]);
  });

  it('a budget exhausted mid-run ends the step budget_exceeded with the reason, and its dependants follow', () => {
    const agents = makeAgents(handle, ['gatherer', 'writer']);
    const workflow = saveWorkflow(handle, {
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
    const { engine, runner } = runnerWithEngine(handle);
    const run = runner.start(workflow.id, { trigger: 'manual' });
    const message = 'The global monthly budget ($5.00) is exhausted: $5.00 spent in 2026-11';
    engine.refusals.set(agents.writer ?? 0, { message, budget: 'global_monthly', limitUsd: 5, spentUsd: 5 });
    engine.endStep('a', 'completed');

    expect(stepOf(run.id, 'b')).toMatchObject({
      status: 'budget_exceeded',
      reason: message,
      executionId: null,
    });
    expect(engine.launchedKeys()).toEqual(['a', 'alert']);
    engine.endStep('alert', 'completed');
    expect(runOf(run.id).status).toBe('completed');
  });

  it('a step that cannot become a run fails with the reason, leaves no execution behind, and its handler runs', () => {
    const { engine, run, agentId } = startWith([
      { key: 'a', prompt: 'one' },
      { key: 'b', prompt: 'two', dependsOn: ['a'] },
      { key: 'alert', prompt: 'b failed', dependsOn: ['b'], runIf: 'failure' },
    ]);
    engine.deletedAgents.add(agentId);
    engine.endStep('a', 'completed');

    expect(stepOf(run.id, 'b')).toMatchObject({
      status: 'failed',
      reason: 'Agent not found',
      executionId: null,
    });
    expect(stepOf(run.id, 'alert')).toMatchObject({ status: 'failed', reason: 'Agent not found' });
    const rows = handle.db.select({ step: executions.workflowStepKey }).from(executions).all();
    expect(rows.map((row) => row.step)).toEqual(['a']);
    expect(runOf(run.id)).toMatchObject({ status: 'failed', error: 'Unhandled: "b" failed; "alert" failed' });
  });

  it('checks the input: unknown and missing required fields are 400s naming them; defaults fill the rest', () => {
    const agentId = makeAgents(handle, ['x']).x ?? 0;
    const workflow = saveWorkflow(handle, {
      name: 'inputs',
      inputs: [
        { name: 'host', label: 'Host name', required: true },
        { name: 'env', default: 'prod' },
        { name: 'note' },
      ],
      steps: [{ key: 'a', agentId, prompt: 'check {{input.host}} in {{input.env}}{{input.note}}' }],
    });
    const { engine, runner } = runnerWithEngine(handle);

    const error = answerTo(() => runner.start(workflow.id, { input: { hots: 'web1' }, trigger: 'api' }));
    expect(error).toMatchObject({
      status: 400,
      issues: [
        { path: 'input.hots', message: 'Not an input field of this workflow' },
        { path: 'input.host', message: 'Host name is required' },
      ],
    });
    const run = runner.start(workflow.id, { input: { host: 'web1' }, trigger: 'api' });
    expect(run.input).toEqual({ host: 'web1', env: 'prod', note: '' });
    expect(engine.promptOf('a')).toBe('check web1 in prod');
    expect(stepOf(run.id, 'a')?.missingValues).toEqual([]);
  });

  it('renders structured output paths; a value missing at run time takes its default and is recorded', () => {
    const agents = makeAgents(handle, ['scanner', 'writer']);
    const scanner = agents.scanner ?? 0;
    const workflow = saveWorkflow(
      handle,
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
    const { engine, runner } = runnerWithEngine(handle);
    const run = runner.start(workflow.id, { trigger: 'manual' });
    engine.endStep('scan', 'completed', { output: { title: 'Disks', items: [{ name: 'sda' }] } });

    expect(engine.promptOf('report')).toBe(
      'Title: Disks; first: sda; all: [{"name":"sda"}]; severity: unknown',
    );
    expect(stepOf(run.id, 'report')?.missingValues).toEqual(['steps.scan.output.severity']);
  });

  it('a reference with no value and no default fails its step, naming the step and the reference', () => {
    const { engine, run } = startWith([
      { key: 'a', prompt: 'one' },
      { key: 'b', prompt: 'use {{steps.a.result}}', dependsOn: ['a'], runIf: 'always' },
    ]);
    engine.endStep('a', 'failed');
    expect(statuses(run.id)).toEqual({ a: 'failed', b: 'failed' });
    expect(stepOf(run.id, 'b')?.reason).toBe(
      'Step "b": {{steps.a.result}} has no value (give a default if that can happen: {{steps.a.result | default: "none"}})',
    );
    expect(engine.launchedKeys()).toEqual(['a']);
    expect(runOf(run.id)?.status).toBe('failed');
  });

  it('a prompt that would pass the limit fails its step without being built; one from input alone refuses the run', () => {
    const { engine, run } = startWith([
      { key: 'a', prompt: 'one' },
      { key: 'b', prompt: '{{steps.a.result}}'.repeat(2_000), dependsOn: ['a'] },
    ]);
    engine.endStep('a', 'completed', { result: 'x'.repeat(50) });
    expect(stepOf(run.id, 'b')).toMatchObject({
      status: 'failed',
      reason: 'Step "b": its prompt would be 100,000 characters, over the limit of 50,000',
    });

    const agents = makeAgents(handle, ['echo']);
    const workflow = saveWorkflow(handle, {
      name: 'repeats its input',
      inputs: [{ name: 'x' }],
      steps: [{ key: 'loud', agentId: agents.echo ?? 0, prompt: '{{input.x}}'.repeat(4_500) }],
    });
    const { runner } = runnerWithEngine(handle);
    const refused = answerTo(() =>
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
    const { engine, run, workflow, agentId } = startWith([
      { key: 'a', prompt: 'one' },
      { key: 'b', prompt: 'v1 {{steps.a.result}}', dependsOn: ['a'] },
    ]);
    const edited = await updateWorkflow(
      sqliteStore(handle.db),
      workflow.id,
      { steps: [{ key: 'only', agentId, prompt: 'v2', dependsOn: [], runIf: 'success' }] },
      () => false,
    );
    expect(edited.version).toBe(2);
    transactionOnSqlite(handle.db, (tx) => softDeleteWorkflow(tx, workflow.id, Date.now()));

    engine.endStep('a', 'completed', { result: 'R' });
    expect(engine.promptOf('b')).toBe('v1 R');
    engine.endStep('b', 'completed');
    expect(runOf(run.id)).toMatchObject({ status: 'completed', workflowVersion: 1 });
    expect(runOf(run.id).steps.map((step) => step.key)).toEqual(['a', 'b']);
  });

  it('ignores repeated, stale and foreign events', () => {
    const { engine, runner, run } = startWith([
      { key: 'a', prompt: 'one' },
      { key: 'b', prompt: 'two', dependsOn: ['a'] },
    ]);
    engine.endStep('a', 'completed', { costMicros: 1_000 });
    engine.endStep('a', 'failed', { costMicros: 9_000 });
    engine.spend('a', 50_000);
    runner.onRunStarted({ executionId: engine.executionOf('a'), startedAt: Date.now() });
    runner.onRunEnded({ executionId: 999_999, status: 'completed', resultText: 'x', costMicros: 5 });
    runner.onSpend({ executionId: 999_999, costMicros: 5 });

    expect(stepOf(run.id, 'a')).toMatchObject({ status: 'completed', costUsd: 0.001 });
    expect(runOf(run.id).spendUsd).toBe(0.001);
    expect(engine.launchedKeys()).toEqual(['a', 'b']);
  });

  it('lists recent runs newest first, compact and paged, with step progress', () => {
    const agentId = makeAgents(handle, ['x']).x ?? 0;
    const steps = [
      { key: 'a', agentId, prompt: 'one' },
      { key: 'b', agentId, prompt: 'two', dependsOn: ['a'] },
    ];
    const first = saveWorkflow(handle, { name: 'first', maxCostUsd: 2, steps });
    const second = saveWorkflow(handle, { name: 'second', steps });
    const { engine, runner } = runnerWithEngine(handle);
    const oldest = runner.start(first.id, { trigger: 'schedule' });
    engine.endStep('a', 'completed', { costMicros: 1_250_000 });
    const middle = runner.start(second.id, { trigger: 'manual' });
    const newest = runner.start(first.id, { trigger: 'api' });

    const page = runOnSqlite(listWorkflowRuns(sqliteStore(handle.db), { limit: 2 }));
    expect(page.items.map((run) => run.id)).toEqual([newest.id, middle.id]);
    expect(page.nextBefore).toBe(middle.id);
    const rest = runOnSqlite(listWorkflowRuns(sqliteStore(handle.db), { limit: 2, before: middle.id }));
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
      runOnSqlite(listWorkflowRuns(sqliteStore(handle.db), { limit: 10, workflowId: second.id })).items.map(
        (run) => run.id,
      ),
    ).toEqual([middle.id]);
  });
});
