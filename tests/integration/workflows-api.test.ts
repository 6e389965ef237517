import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDto } from '../../src/lib/contracts/agents';
import type {
  WorkflowDefinitionInput,
  WorkflowDto,
  WorkflowSummaryDto,
} from '../../src/lib/contracts/workflows';
import { setUpTestStack } from '../helpers/stack';
import { workflowApi } from '../helpers/workflowApi';

const stack = setUpTestStack({ beforeAll, afterAll });

let worker: AgentDto;
let deleted: AgentDto;
let health: AgentDto;

beforeAll(async () => {
  worker = await stack.api.createAgent({ defaultPrompt: 'unused' });
  deleted = await stack.api.createAgent({ defaultPrompt: 'unused' });
  await stack.api.call('DELETE', `/api/agents/${deleted.id}`);
  const { body } = await stack.api.call('GET', '/api/agents');
  const builtin = (body as { items: AgentDto[] }).items.find((agent) => agent.builtin);
  if (!builtin) throw new Error('the System Health Reporter should be seeded');
  health = builtin;
});

async function workflowNames(): Promise<string[]> {
  const { body } = await stack.api.call('GET', '/api/workflows');
  return (body as { items: WorkflowSummaryDto[] }).items.map((workflow) => workflow.name);
}

type Step = WorkflowDefinitionInput['steps'][number];

/** A valid two-step workflow. */
function definition(name: string): { name: string; steps: Step[] } {
  return {
    name,
    steps: [
      { key: 'a', agentId: worker.id, prompt: 'Gather' },
      { key: 'b', agentId: worker.id, prompt: 'Use {{steps.a.result}}', dependsOn: ['a'] },
    ],
  };
}

/** A change of one step (a function for values known once the agents exist), or of top-level fields. */
type Change =
  | { step: number; set: Partial<Step> | (() => Partial<Step>) }
  | { fields: Record<string, unknown> };

function changed(name: string, change: Change): Record<string, unknown> {
  const base = definition(name);
  if ('fields' in change) return { ...base, ...change.fields };
  const set = typeof change.set === 'function' ? change.set() : change.set;
  return { ...base, steps: base.steps.map((step, i) => (i === change.step ? { ...step, ...set } : step)) };
}

/** Each bad definition, the field its 400 names, and what it says. */
const BAD_DEFINITIONS: [string, Change, string, RegExp][] = [
  ['a duplicate key', { step: 1, set: { key: 'a' } }, 'steps.1.key', /Duplicate key "a"/],
  ['a malformed key', { step: 0, set: { key: '1st' } }, 'steps.0.key', /starting with a letter/],
  [
    'an unknown dependency',
    { step: 1, set: { dependsOn: ['nope'] } },
    'steps.1.dependsOn.0',
    /Unknown step "nope"/,
  ],
  [
    'a step depending on itself',
    { step: 0, set: { dependsOn: ['a'] } },
    'steps.0.dependsOn.0',
    /cannot depend on itself/,
  ],
  ['a cycle', { step: 0, set: { dependsOn: ['b'] } }, 'steps.0.dependsOn', /^Cycle: a → b → a$/],
  ['an unknown agent', { step: 1, set: { agentId: 999_999 } }, 'steps.1.agentId', /No agent with id 999999/],
  [
    'a deleted agent',
    { step: 0, set: () => ({ agentId: deleted.id }) },
    'steps.0.agentId',
    /No agent with id/,
  ],
  [
    'a template naming an unknown step',
    { step: 1, set: { prompt: '{{steps.ghost.result}}' } },
    'steps.1.prompt',
    /unknown step "ghost"/,
  ],
  [
    'a template naming an undeclared input',
    { step: 0, set: { prompt: 'Scan {{input.host}}' } },
    'steps.0.prompt',
    /no input field "host"/,
  ],
  [
    'a template naming a step that does not run before',
    { step: 0, set: { prompt: '{{steps.b.result}}' } },
    'steps.0.prompt',
    /step "b" does not run before this one/,
  ],
  [
    'output of an agent without structured output',
    { step: 1, set: { prompt: '{{steps.a.output.summary}}' } },
    'steps.1.prompt',
    /the agent of step "a" returns no structured output/,
  ],
  [
    'a malformed reference',
    { step: 1, set: { prompt: '{{steps.a.reslt}}' } },
    'steps.1.prompt',
    /is not a reference/,
  ],
  [
    'runIf failure without a dependency',
    { step: 0, set: { runIf: 'failure' } },
    'steps.0.runIf',
    /needs a dependency/,
  ],
  ['an empty prompt', { step: 0, set: { prompt: '  ' } }, 'steps.0.prompt', /A prompt is required/],
  ['no steps', { fields: { steps: [] } }, 'steps', /At least one step/],
  ['maxParallel 0', { fields: { maxParallel: 0 } }, 'maxParallel', /At least 1/],
  ['a negative budget', { fields: { maxCostUsd: -1 } }, 'maxCostUsd', /Must be more than 0/],
  [
    'a duplicate input field',
    { fields: { inputs: [{ name: 'host' }, { name: 'host' }] } },
    'inputs.1.name',
    /Duplicate input field "host"/,
  ],
];

describe('saving a workflow: the checks at save time', () => {
  it.each(BAD_DEFINITIONS)(
    'refuses %s with a 400 naming %s, and saves nothing',
    async (what, change, path, message) => {
      const name = `Bad: ${what}`;

      const { status, body: answer } = await stack.api.call('POST', '/api/workflows', changed(name, change));

      expect(status).toBe(400);
      expect(answer).toMatchObject({ error: { code: 'invalid_request' } });
      const issues = (answer as { error: { issues: { path: string; message: string }[] } }).error.issues;
      expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
      expect(await workflowNames()).not.toContain(name);
    },
  );

  it('answers every issue of a definition at once', async () => {
    const { steps } = definition('Many issues');
    const bad = [
      { ...steps[0], agentId: 999_999 },
      { ...steps[1], dependsOn: ['ghost'] },
    ];
    const { body } = await stack.api.call('POST', '/api/workflows', { name: 'Many issues', steps: bad });
    const issues = (body as { error: { issues: { path: string }[] } }).error.issues;
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['steps.1.dependsOn.0', 'steps.0.agentId']),
    );
  });

  it('a PATCH is checked as a whole: a bad one saves nothing and keeps the version', async () => {
    const workflow = await workflowApi(stack.api).create(definition('Patched'));
    const bad = await stack.api.call('PATCH', `/api/workflows/${workflow.id}`, {
      steps: [{ key: 'b', agentId: worker.id, prompt: '{{steps.a.result}}' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { issues: [{ path: 'steps.0.prompt' }] } });
    expect((await stack.api.call('GET', `/api/workflows/${workflow.id}`)).body).toEqual({ workflow });
  });

  it('answers 409 naming the name when a live workflow has it', async () => {
    await workflowApi(stack.api).create(definition('Taken'));
    const { status, body } = await stack.api.call('POST', '/api/workflows', definition('Taken'));
    expect(status).toBe(409);
    expect(body).toMatchObject({ error: { code: 'conflict', issues: [{ path: 'name' }] } });
  });
});

describe('the workflows API', () => {
  it('creates, reads, lists, patches (a new version) and deletes a workflow; its runs stay', async () => {
    const created = await stack.api.call('POST', '/api/workflows', {
      name: 'Host check',
      description: 'Scan and report',
      inputs: [{ name: 'host', label: 'Host', required: true }],
      maxCostUsd: 0.5,
      steps: [
        { key: 'scan', agentId: worker.id, prompt: 'Scan {{input.host}}' },
        { key: 'health', agentId: health.id, prompt: 'Check {{input.host}}' },
        {
          key: 'report',
          agentId: worker.id,
          prompt: 'Report {{steps.scan.result}} {{steps.health.output.summary}}',
          dependsOn: ['scan', 'health'],
          timeoutSeconds: 120,
          runRetries: 0,
        },
      ],
    });
    expect(created.status).toBe(201);
    const workflow = (created.body as { workflow: WorkflowDto }).workflow;
    expect(workflow).toMatchObject({ version: 1, maxParallel: 2, description: 'Scan and report' });
    expect(workflow.steps[2]).toMatchObject({ runIf: 'success', timeoutSeconds: 120, runRetries: 0 });
    expect((await stack.api.call('GET', `/api/workflows/${workflow.id}`)).body).toEqual({ workflow });
    const listed = (await stack.api.call('GET', '/api/workflows')).body as { items: WorkflowSummaryDto[] };
    expect(listed.items).toContainEqual(
      expect.objectContaining({
        id: workflow.id,
        name: 'Host check',
        stepCount: 3,
        maxCostUsd: 0.5,
        version: 1,
      }),
    );

    const patched = await stack.api.call('PATCH', `/api/workflows/${workflow.id}`, { maxParallel: 1 });
    expect(patched.body).toMatchObject({ workflow: { version: 2, maxParallel: 1, name: 'Host check' } });

    expect((await stack.api.call('DELETE', `/api/workflows/${workflow.id}`)).status).toBe(204);
    expect((await stack.api.call('GET', `/api/workflows/${workflow.id}`)).status).toBe(404);
    expect((await stack.api.call('DELETE', `/api/workflows/${workflow.id}`)).status).toBe(404);
    expect(await workflowNames()).not.toContain('Host check');
  });

  it('a run’s input is checked against the fields: 400 naming the field, and no run', async () => {
    const workflow = await workflowApi(stack.api).create({
      name: 'With input',
      inputs: [{ name: 'host', required: true }],
      steps: [{ key: 'scan', agentId: worker.id, prompt: 'Scan {{input.host}}' }],
    });
    const runs = async () =>
      (
        (await stack.api.call('GET', `/api/workflow-runs?workflowId=${workflow.id}`)).body as {
          items: unknown[];
        }
      ).items;

    const missing = await stack.api.call('POST', `/api/workflows/${workflow.id}/runs`, {});
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      error: { issues: [{ path: 'input.host', message: 'host is required' }] },
    });
    const unknown = await stack.api.call('POST', `/api/workflows/${workflow.id}/runs`, {
      input: { host: 'web1', port: '22' },
    });
    expect(unknown.body).toMatchObject({ error: { issues: [{ path: 'input.port' }] } });
    expect(await runs()).toEqual([]);
    expect((await stack.api.call('POST', '/api/workflows/999999/runs', {})).status).toBe(404);
    expect((await stack.api.call('GET', '/api/workflow-runs/999999')).status).toBe(404);
    expect((await stack.api.call('POST', '/api/workflow-runs/999999/cancel')).status).toBe(404);
  });

  it('refuses a run with 409 naming the budget, its limit and its spend, when a monthly budget is spent', async () => {
    const key = '[script:wf-api-monthly]';
    stack.model.script(key, [{ content: [{ type: 'text', text: 'spent' }] }], { repeatLast: true });
    const thrifty = await stack.api.createAgent({
      defaultPrompt: `Spend ${key}`,
      monthlyBudgetUsd: 0.000001,
    });
    await stack.api.waitForEnd(await stack.api.startExecution(thrifty.id));
    const workflow = await workflowApi(stack.api).create({
      name: 'Over budget',
      steps: [
        { key: 'ok', agentId: worker.id, prompt: 'Fine' },
        { key: 'spent', agentId: thrifty.id, prompt: 'No budget left', dependsOn: ['ok'] },
      ],
    });

    const { status, body } = await stack.api.call('POST', `/api/workflows/${workflow.id}/runs`, {});

    expect(status).toBe(409);
    expect(body).toMatchObject({
      error: {
        code: 'budget_exhausted',
        message: expect.stringMatching(/monthly budget of agent .* is exhausted/),
        budget: 'agent_monthly',
        limitUsd: 0.000001,
        spentUsd: expect.any(Number),
        workflowId: workflow.id,
        agentId: thrifty.id,
      },
    });
    expect((body as { error: { spentUsd: number } }).error.spentUsd).toBeGreaterThan(0);
  });

  it('lists recent runs newest first, compact, paged with before', async () => {
    const key = '[script:wf-api-list]';
    stack.model.script(key, [{ content: [{ type: 'text', text: 'done' }] }], { repeatLast: true });
    const workflows = workflowApi(stack.api);
    const workflow = await workflows.create({
      name: 'Listed',
      steps: [{ key: 'only', agentId: worker.id, prompt: `Work ${key}` }],
    });
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await workflows.start(workflow.id)).id);
    await Promise.all(ids.map((id) => workflows.waitFor(id)));

    const first = await stack.api.call('GET', `/api/workflow-runs?workflowId=${workflow.id}&limit=2`);
    const page = first.body as { items: Record<string, unknown>[]; nextBefore: number | null };
    expect(page.items.map((run) => run.id)).toEqual([ids[2], ids[1]]);
    expect(page.items[0]).toMatchObject({
      workflowName: 'Listed',
      status: 'completed',
      stepCount: 1,
      stepsEnded: 1,
    });
    expect(page.items[0]).not.toHaveProperty('steps');
    const next = await stack.api.call(
      'GET',
      `/api/workflow-runs?workflowId=${workflow.id}&limit=2&before=${page.nextBefore}`,
    );
    expect(next.body).toMatchObject({ items: [{ id: ids[0] }], nextBefore: null });
  });
});
