import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ExecutionDetail } from '../../src/lib/contracts/executions';
import { apiClient } from '../helpers/api';
import { BEARER, startAppServer } from '../helpers/appServer';
import { runningExecutionIds } from '../helpers/processes';
import type { ScriptedTurn } from '../helpers/scriptedModelServer';
import { setUpTestStack } from '../helpers/stack';
import { requestsFor, statusesOf, stepOf, workflowApi } from '../helpers/workflowApi';

const stack = setUpTestStack({ beforeAll, afterAll });

/** A final answer that carries a marker unique to it. */
const answer = (text: string, delayMs = 0): ScriptedTurn => ({
  content: [{ type: 'text', text }],
  mark: true,
  delayMs,
});
const hang: ScriptedTurn = { kind: 'hang' };
const badRequest: ScriptedTurn = {
  kind: 'http_error',
  status: 400,
  errorType: 'invalid_request_error',
  message: 'this step is meant to fail',
};

/** One agent for every step of a test: its prompt is the step's own, and two of its runs may run at once. */
const createAgent = () => stack.api.createAgent({ defaultPrompt: 'unused', maxConcurrentRuns: 2 });

function only<T>(values: readonly T[]): T {
  expect(values).toHaveLength(1);
  return values[0] as T;
}

async function executionOf(executionId: number | null): Promise<ExecutionDetail> {
  if (executionId === null) throw new Error('the step has no execution');
  return stack.api.getExecution(executionId);
}

describe('a workflow run against the scripted model', () => {
  it('A → B: B’s prompt carries A’s result, and so does the request B’s run sends to the model', async () => {
    const [keyA, keyB] = ['[script:wf-seq-a]', '[script:wf-seq-b]'];
    stack.model.script(keyA, [answer('Found three hosts: web1, web2, db1.')]);
    stack.model.script(keyB, [answer('Summary written.')]);
    const agent = await createAgent();
    const workflows = workflowApi(stack.api);
    const workflow = await workflows.create({
      name: 'Gather then summarise',
      steps: [
        { key: 'gather', agentId: agent.id, prompt: `List the hosts. ${keyA}` },
        {
          key: 'summarise',
          agentId: agent.id,
          prompt: `Summarise ${keyB}:\n{{steps.gather.result}}`,
          dependsOn: ['gather'],
        },
      ],
    });

    const started = await workflows.start(workflow.id);
    expect(started).toMatchObject({ workflowId: workflow.id, trigger: 'api', stepCount: 2 });
    const run = await workflows.waitFor(started.id);

    expect(run.status).toBe('completed');
    const markerA = only(stack.model.markersOf(keyA));
    expect(stepOf(run, 'gather').result).toBe(`Found three hosts: web1, web2, db1. ${markerA}`);
    expect(stepOf(run, 'summarise').result).toContain(only(stack.model.markersOf(keyB)));
    expect(only(requestsFor(stack.model, keyB))).toContain(markerA);
    const summarise = await executionOf(stepOf(run, 'summarise').executionId);
    expect(summarise).toMatchObject({
      trigger: 'workflow',
      workflowRunId: run.id,
      workflowStepKey: 'summarise',
      prompt: `Summarise ${keyB}:\nFound three hosts: web1, web2, db1. ${markerA}`,
    });

    // The pages draw the graph as SVG in the server's HTML, without inline styles (the CSP forbids them).
    for (const page of [`/workflows/${workflow.id}`, `/workflow-runs/${run.id}`]) {
      const html = await (await fetch(`${stack.app.url}${page}`, { headers: BEARER })).text();
      expect(html.match(/data-testid="graph-node"/g)).toHaveLength(2);
      expect(html.match(/data-testid="graph-edge"/g)).toHaveLength(1);
      expect(html).not.toMatch(/<[^>]+\sstyle=/);
    }
    const runHtml = await (
      await fetch(`${stack.app.url}/workflow-runs/${run.id}`, { headers: BEARER })
    ).text();
    expect(runHtml).toContain(`href="/executions/${summarise.id}"`);
  }, 120_000);

  it('A → (B, C) → D with maxParallel 2: B and C run at the same time, and D’s request carries both results', async () => {
    const keys = {
      a: '[script:wf-fan-a]',
      b: '[script:wf-fan-b]',
      c: '[script:wf-fan-c]',
      d: '[script:wf-fan-d]',
    };
    stack.model.script(keys.a, [answer('Two areas to check.')]);
    // Slow answers: each of B and C is still running when the other starts.
    stack.model.script(keys.b, [answer('Disks are fine.', 2_500)]);
    stack.model.script(keys.c, [answer('Memory is fine.', 2_500)]);
    stack.model.script(keys.d, [answer('All fine.')]);
    const agent = await createAgent();
    const workflows = workflowApi(stack.api);
    const workflow = await workflows.create({
      name: 'Fan out and in',
      maxParallel: 2,
      steps: [
        { key: 'a', agentId: agent.id, prompt: `Plan ${keys.a}` },
        { key: 'b', agentId: agent.id, prompt: `Disks ${keys.b}\n{{steps.a.result}}`, dependsOn: ['a'] },
        { key: 'c', agentId: agent.id, prompt: `Memory ${keys.c}\n{{steps.a.result}}`, dependsOn: ['a'] },
        {
          key: 'd',
          agentId: agent.id,
          prompt: `Report ${keys.d}\n{{steps.b.result}}\n{{steps.c.result}}`,
          dependsOn: ['b', 'c'],
        },
      ],
    });

    const run = await workflows.waitFor((await workflows.start(workflow.id)).id);

    expect(run.status).toBe('completed');
    const [b, c, d] = await Promise.all(
      ['b', 'c', 'd'].map((key) => executionOf(stepOf(run, key).executionId)),
    );
    if (!b || !c || !d) throw new Error('three executions expected');
    expect(b.startedAt).not.toBeNull();
    expect(c.startedAt).not.toBeNull();
    // Each started before the other finished.
    expect(b.startedAt ?? Infinity).toBeLessThan(c.finishedAt ?? 0);
    expect(c.startedAt ?? Infinity).toBeLessThan(b.finishedAt ?? 0);
    expect(d.startedAt ?? 0).toBeGreaterThanOrEqual(
      Math.max(b.finishedAt ?? Infinity, c.finishedAt ?? Infinity),
    );
    const request = only(requestsFor(stack.model, keys.d));
    expect(request).toContain(only(stack.model.markersOf(keys.b)));
    expect(request).toContain(only(stack.model.markersOf(keys.c)));
  }, 120_000);

  it('a failing step sends its runIf "failure" sibling and skips its "success" dependants; the run, handled, completes', async () => {
    const keys = {
      scan: '[script:wf-fail-scan]',
      alert: '[script:wf-fail-alert]',
      report: '[script:wf-fail-report]',
    };
    stack.model.script(keys.scan, [badRequest], { repeatLast: true });
    stack.model.script(keys.alert, [answer('On-call told.')]);
    stack.model.script(keys.report, [answer('Should never be asked.')]);
    const agent = await createAgent();
    const workflows = workflowApi(stack.api);
    const workflow = await workflows.create({
      name: 'Failure path',
      steps: [
        { key: 'scan', agentId: agent.id, prompt: `Scan ${keys.scan}`, runRetries: 0 },
        { key: 'report', agentId: agent.id, prompt: `Report ${keys.report}`, dependsOn: ['scan'] },
        {
          key: 'alert',
          agentId: agent.id,
          prompt: `Alert ${keys.alert}`,
          dependsOn: ['scan'],
          runIf: 'failure',
        },
      ],
    });

    const run = await workflows.waitFor((await workflows.start(workflow.id)).id);

    expect(statusesOf(run)).toEqual({ scan: 'failed', report: 'skipped', alert: 'completed' });
    expect(run).toMatchObject({ status: 'completed', error: null });
    expect(stepOf(run, 'report')).toMatchObject({
      executionId: null,
      reason: 'Runs only when every dependency completed, and "scan" failed',
    });
    expect((await executionOf(stepOf(run, 'scan').executionId)).status).toBe('failed');
    expect(only(stack.model.markersOf(keys.alert))).toBeTruthy();
    expect(requestsFor(stack.model, keys.report)).toEqual([]);
  }, 120_000);

  it('the workflow’s budget stops a running step and skips the rest', async () => {
    const keys = {
      costly: '[script:wf-budget-costly]',
      slow: '[script:wf-budget-slow]',
      last: '[script:wf-budget-last]',
    };
    // 100,000 input tokens of Sonnet cost $0.30, past the run's $0.05; the answer waits so `slow` is running by then.
    stack.model.script(keys.costly, [
      {
        content: [{ type: 'tool_use', name: 'Bash', input: { command: 'sleep 60', description: 'wait' } }],
        usage: { input_tokens: 100_000, output_tokens: 10 },
        delayMs: 2_500,
      },
      hang,
    ]);
    stack.model.script(keys.slow, [hang]);
    stack.model.script(keys.last, [answer('Should never be asked.')]);
    const agent = await createAgent();
    const workflows = workflowApi(stack.api);
    const workflow = await workflows.create({
      name: 'Budgeted',
      maxCostUsd: 0.05,
      steps: [
        { key: 'costly', agentId: agent.id, prompt: `Spend ${keys.costly}` },
        { key: 'slow', agentId: agent.id, prompt: `Wait ${keys.slow}` },
        { key: 'last', agentId: agent.id, prompt: `Finish ${keys.last}`, dependsOn: ['costly', 'slow'] },
      ],
    });

    const run = await workflows.waitFor((await workflows.start(workflow.id)).id);

    expect(run.status).toBe('budget_exceeded');
    expect(run.error).toMatch(/^The workflow's budget of \$0\.05 was reached: \$0\.3\d spent$/);
    expect(run.spendUsd).toBeGreaterThanOrEqual(0.05);
    expect(statusesOf(run)).toEqual({ costly: 'budget_exceeded', slow: 'budget_exceeded', last: 'skipped' });
    const slow = await executionOf(stepOf(run, 'slow').executionId);
    expect(slow).toMatchObject({ status: 'budget_exceeded', errorMessage: run.error });
    expect(slow.startedAt).not.toBeNull();
    expect(stepOf(run, 'last')).toMatchObject({ executionId: null, reason: run.error });
    expect(requestsFor(stack.model, keys.last)).toEqual([]);
  }, 120_000);

  it('cancel stops the running steps, skips the rest, and the run ends cancelled with no agent left', async () => {
    const keys = {
      one: '[script:wf-cancel-one]',
      two: '[script:wf-cancel-two]',
      after: '[script:wf-cancel-after]',
    };
    stack.model.script(keys.one, [hang]);
    stack.model.script(keys.two, [hang]);
    stack.model.script(keys.after, [answer('Should never be asked.')]);
    const agent = await createAgent();
    const workflows = workflowApi(stack.api);
    const workflow = await workflows.create({
      name: 'Cancelled',
      steps: [
        { key: 'one', agentId: agent.id, prompt: `Wait ${keys.one}` },
        { key: 'two', agentId: agent.id, prompt: `Wait ${keys.two}` },
        { key: 'after', agentId: agent.id, prompt: `After ${keys.after}`, dependsOn: ['one', 'two'] },
      ],
    });
    const started = await workflows.start(workflow.id);
    await workflows.waitFor(
      started.id,
      () => requestsFor(stack.model, keys.one).length + requestsFor(stack.model, keys.two).length === 2,
    );

    const cancel = await stack.api.call('POST', `/api/workflow-runs/${started.id}/cancel`);
    expect(cancel.status).toBe(202);
    expect(cancel.body).toMatchObject({ run: { id: started.id, stopping: 'cancelled' } });
    const run = await workflows.waitFor(started.id);

    expect(run).toMatchObject({ status: 'cancelled', error: 'Cancelled by request' });
    expect(statusesOf(run)).toEqual({ one: 'cancelled', two: 'cancelled', after: 'skipped' });
    const stepExecutions = run.steps.flatMap((step) => (step.executionId === null ? [] : [step.executionId]));
    expect(stepExecutions).toHaveLength(2);
    for (const id of stepExecutions) expect((await stack.api.getExecution(id)).status).toBe('cancelled');
    const live = runningExecutionIds(stack.app.databasePath);
    expect(stepExecutions.filter((id) => live.has(String(id)))).toEqual([]);
    expect(requestsFor(stack.model, keys.after)).toEqual([]);
    expect((await stack.api.call('POST', `/api/workflow-runs/${started.id}/cancel`)).status).toBe(409);
  }, 120_000);
});

describe('a server restart in the middle of a workflow run', () => {
  // kill -9 leaves the run to recovery (interrupted); SIGTERM's shutdown cancels it (reason shutdown).
  it.each([
    { signal: 'SIGKILL', cutExecution: { status: 'interrupted' } },
    { signal: 'SIGTERM', cutExecution: { status: 'cancelled', errorCode: 'shutdown' } },
  ] as const)(
    'after $signal, the run goes on: the cut step is interrupted, its handler and the waiting step run, nothing runs twice',
    async ({ signal, cutExecution }) => {
      const tag = signal.toLowerCase();
      const keys = {
        first: `[script:wf-${tag}-first]`,
        cut: `[script:wf-${tag}-cut]`,
        waiting: `[script:wf-${tag}-waiting]`,
        handler: `[script:wf-${tag}-handler]`,
      };
      stack.model.script(keys.first, [answer('Ready.')]);
      stack.model.script(keys.cut, [hang]);
      stack.model.script(keys.waiting, [answer('Waited and done.')]);
      stack.model.script(keys.handler, [answer('Cleaned up.')]);
      const victim = await startAppServer({ modelServerUrl: stack.model.url });
      let server = victim;
      onTestFinished(async () => {
        await server.stop('SIGKILL');
      });
      const api = apiClient(victim.url);
      const agent = await api.createAgent({ defaultPrompt: 'unused' });
      const workflows = workflowApi(api);
      const workflow = await workflows.create({
        name: `Restarted by ${signal}`,
        // One step at a time: `waiting` is still pending when the server stops.
        maxParallel: 1,
        steps: [
          { key: 'first', agentId: agent.id, prompt: `First ${keys.first}` },
          { key: 'cut', agentId: agent.id, prompt: `Cut ${keys.cut}`, dependsOn: ['first'] },
          { key: 'waiting', agentId: agent.id, prompt: `Waiting ${keys.waiting}`, dependsOn: ['first'] },
          {
            key: 'handler',
            agentId: agent.id,
            prompt: `Handle ${keys.handler}`,
            dependsOn: ['cut'],
            runIf: 'failure',
          },
        ],
      });
      const started = await workflows.start(workflow.id);
      await workflows.waitFor(started.id, () => requestsFor(stack.model, keys.cut).length === 1);
      expect(statusesOf(await workflows.get(started.id))).toEqual({
        first: 'completed',
        cut: 'running',
        waiting: 'pending',
        handler: 'pending',
      });

      await victim.stop(signal);
      server = await startAppServer({ modelServerUrl: stack.model.url, dataDir: victim.dataDir });
      const again = workflowApi(apiClient(server.url));
      const run = await again.waitFor(started.id);

      expect(statusesOf(run)).toEqual({
        first: 'completed',
        cut: 'interrupted',
        waiting: 'completed',
        handler: 'completed',
      });
      expect(run.status).toBe('completed');
      expect(await apiClient(server.url).getExecution(stepOf(run, 'cut').executionId ?? 0)).toMatchObject(
        cutExecution,
      );
      // Each step asked the model once: the first before the stop, the cut one never again.
      expect(stack.model.markersOf(keys.first)).toHaveLength(1);
      expect(requestsFor(stack.model, keys.cut)).toHaveLength(1);
      expect(stack.model.markersOf(keys.waiting)).toHaveLength(1);
      expect(stack.model.markersOf(keys.handler)).toHaveLength(1);
      const { body } = await apiClient(server.url).call('GET', '/api/executions?trigger=workflow&limit=100');
      const executions = (body as { items: { workflowRunId: number | null }[] }).items;
      expect(executions.filter((execution) => execution.workflowRunId === run.id)).toHaveLength(4);
    },
    180_000,
  );
});
