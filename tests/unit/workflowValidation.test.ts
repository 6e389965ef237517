import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outputJsonSchemaOf } from '../../src/agents/structuredOutput';
import { SYSTEM_HEALTH_KEY } from '../../src/agents/system-health';
import { type WorkflowDefinitionInput, workflowDefinitionSchema } from '../../src/lib/contracts/workflows';
import type { DbHandle } from '../../src/lib/db';
import { runOnSqlite } from '../../src/lib/db/plan';
import { softDeleteAgent } from '../../src/lib/db/queries/agents';
import { getWorkflow, listWorkflows } from '../../src/lib/db/queries/workflows';
import { sqliteStore } from '../../src/lib/db/store';
import { createWorkflow, updateWorkflow } from '../../src/lib/workflows/definitions';
import { checkWorkflowDraft, type WorkflowAgentContext } from '../../src/lib/workflows/validate';
import { answerToAsync } from '../helpers/answers';
import { createTestDb } from '../helpers/testDb';
import { makeAgents } from '../helpers/workflowEngine';

/** Agent 1 returns structured output, agent 2 does not; 3 does not exist. */
const context: WorkflowAgentContext = {
  liveAgentIds: new Set([1, 2]),
  hasStructuredOutput: (agentId) => agentId === 1,
};

type Step = WorkflowDefinitionInput['steps'][number];
const step = (key: string, extra: Partial<Step> = {}): Step => ({
  key,
  agentId: 2,
  prompt: `do ${key}`,
  ...extra,
});
const draft = (steps: Step[], extra: Partial<WorkflowDefinitionInput> = {}): WorkflowDefinitionInput => ({
  name: 'wf',
  steps,
  ...extra,
});

const BAD: { name: string; draft: WorkflowDefinitionInput; path: string; message: string }[] = [
  {
    name: 'a key that starts with a digit',
    draft: draft([step('a'), step('2b')]),
    path: 'steps.1.key',
    message: 'Letters, digits, _ and -, starting with a letter (at most 64)',
  },
  {
    name: 'a key with a dot (it could not be referenced)',
    draft: draft([step('a.b')]),
    path: 'steps.0.key',
    message: 'Letters, digits, _ and -, starting with a letter (at most 64)',
  },
  {
    name: 'a duplicate key',
    draft: draft([step('a'), step('b'), step('a')]),
    path: 'steps.2.key',
    message: 'Duplicate key "a" (steps.0 has it)',
  },
  {
    name: 'an unknown key in dependsOn',
    draft: draft([step('a'), step('b', { dependsOn: ['a', 'c'] })]),
    path: 'steps.1.dependsOn.1',
    message: 'Unknown step "c"',
  },
  {
    name: 'a step depending on itself',
    draft: draft([step('a', { dependsOn: ['a'] })]),
    path: 'steps.0.dependsOn.0',
    message: 'A step cannot depend on itself',
  },
  {
    name: 'a dependency listed twice',
    draft: draft([step('a'), step('b', { dependsOn: ['a', 'a'] })]),
    path: 'steps.1.dependsOn.1',
    message: '"a" is listed twice',
  },
  {
    name: 'a cycle',
    draft: draft([
      step('a', { dependsOn: ['c'] }),
      step('b', { dependsOn: ['a'] }),
      step('c', { dependsOn: ['b'] }),
    ]),
    path: 'steps.0.dependsOn',
    message: 'Cycle: a → c → b → a',
  },
  {
    name: 'an unknown agent',
    draft: draft([step('a'), step('b', { agentId: 3 })]),
    path: 'steps.1.agentId',
    message: 'No agent with id 3',
  },
  {
    name: 'a template naming an unknown step',
    draft: draft([step('a'), step('b', { prompt: 'use {{steps.x.result}}', dependsOn: ['a'] })]),
    path: 'steps.1.prompt',
    message: '{{steps.x.result}}: unknown step "x"',
  },
  {
    name: 'a template naming a step that has not run yet (a sibling)',
    draft: draft([
      step('a'),
      step('b', { dependsOn: ['a'] }),
      step('c', { prompt: '{{steps.b.result}}', dependsOn: ['a'] }),
    ]),
    path: 'steps.2.prompt',
    message:
      '{{steps.b.result}}: step "b" does not run before this one; add it to dependsOn (directly or through another step)',
  },
  {
    name: 'a template naming its own step',
    draft: draft([step('a', { prompt: 'again: {{steps.a.result}}' })]),
    path: 'steps.0.prompt',
    message: '{{steps.a.result}}: a step cannot use its own result',
  },
  {
    name: 'an undeclared input',
    draft: draft([step('a', { prompt: 'check {{input.host}}' })], { inputs: [{ name: 'env' }] }),
    path: 'steps.0.prompt',
    message: '{{input.host}}: no input field "host" is declared',
  },
  {
    name: 'a malformed reference',
    draft: draft([step('a'), step('b', { prompt: 'use {{steps.a.reslt}}', dependsOn: ['a'] })]),
    path: 'steps.1.prompt',
    message:
      '{{steps.a.reslt}} is not a reference: use {{input.<field>}}, {{steps.<key>.result}} or {{steps.<key>.output.<path>}}',
  },
  {
    name: 'output. on a step whose agent has no structured output',
    draft: draft([step('a'), step('b', { prompt: '{{steps.a.output.title}}', dependsOn: ['a'] })]),
    path: 'steps.1.prompt',
    message:
      '{{steps.a.output.title}}: the agent of step "a" returns no structured output; use {{steps.a.result}}',
  },
  {
    name: 'runIf failure without a dependency',
    draft: draft([step('a', { runIf: 'failure' })]),
    path: 'steps.0.runIf',
    message: 'runIf "failure" needs a dependency that can fail',
  },
  {
    name: 'a duplicate input field',
    draft: draft([step('a')], { inputs: [{ name: 'host' }, { name: 'host' }] }),
    path: 'inputs.1.name',
    message: 'Duplicate input field "host"',
  },
  { name: 'no steps', draft: draft([]), path: 'steps', message: 'At least one step' },
  {
    name: 'maxParallel 0',
    draft: draft([step('a')], { maxParallel: 0 }),
    path: 'maxParallel',
    message: 'At least 1',
  },
  {
    name: 'an unknown runIf',
    draft: draft([step('a'), step('b', { dependsOn: ['a'], runIf: 'sometimes' as 'always' })]),
    path: 'steps.1.runIf',
    message: 'Invalid option: expected one of "success"|"failure"|"always"',
  },
];

describe('workflow save-time validation', () => {
  it.each(BAD)('refuses $name, naming $path', ({ draft: bad, path, message }) => {
    const check = checkWorkflowDraft(bad, context);
    expect(check.ok).toBe(false);
    expect(check.ok ? [] : check.issues).toContainEqual({ path, message });
  });

  it.each([
    [
      'a reference through another step',
      draft([
        step('a'),
        step('b', { dependsOn: ['a'] }),
        step('c', { prompt: '{{steps.a.result}}', dependsOn: ['b'] }),
      ]),
    ],
    [
      'output. of a step whose agent has structured output',
      draft([
        step('a', { agentId: 1 }),
        step('b', { prompt: '{{steps.a.output.items.0}}', dependsOn: ['a'] }),
      ]),
    ],
    [
      'other double-brace syntax, kept as text',
      draft([step('a', { prompt: `echo \${{ secrets.TOKEN }} and {{ .Values.image }}` })]),
    ],
    [
      'a declared input and a failure handler',
      draft(
        [step('a', { prompt: 'on {{ input.host }}' }), step('b', { dependsOn: ['a'], runIf: 'failure' })],
        { inputs: [{ name: 'host', required: true }] },
      ),
    ],
  ])('accepts %s', (_name, good) => {
    expect(checkWorkflowDraft(good, context)).toMatchObject({ ok: true });
  });

  it('without agent context (the editor before agents load) only the structural checks run', () => {
    expect(checkWorkflowDraft(draft([step('a', { agentId: 3 })]))).toMatchObject({ ok: true });
    expect(checkWorkflowDraft(draft([step('a', { agentId: 3 })]), context)).toMatchObject({ ok: false });
  });

  it('reports every cycle once, even when steps hang off it', () => {
    const check = checkWorkflowDraft(
      draft([
        step('a', { dependsOn: ['b'] }),
        step('b', { dependsOn: ['a'] }),
        step('c', { dependsOn: ['b'] }),
      ]),
      context,
    );
    expect(check.ok ? [] : check.issues).toEqual([
      { path: 'steps.0.dependsOn', message: 'Cycle: a → b → a' },
    ]);
  });
});

describe('saving workflows', () => {
  let handle: DbHandle;
  beforeEach(() => {
    handle = createTestDb();
  });
  afterEach(() => handle.sqlite.close());
  /** Through the service the API saves with, on this test's database. */
  const save = (draft: WorkflowDefinitionInput) =>
    createWorkflow(sqliteStore(handle.db), workflowDefinitionSchema.parse(draft));

  it('a bad definition is a 400 listing every issue, and nothing is saved', async () => {
    const agentId = (await makeAgents(sqliteStore(handle.db), ['x'])).x ?? 0;
    const bad = {
      name: 'bad',
      description: '',
      inputs: [],
      maxCostUsd: null,
      maxParallel: 2,
      steps: [
        { key: 'a', agentId, prompt: '{{steps.b.result}}', dependsOn: [], runIf: 'success' as const },
        { key: 'b', agentId: agentId + 100, prompt: 'p', dependsOn: ['zz'], runIf: 'success' as const },
      ],
    };
    expect(await answerToAsync(() => createWorkflow(sqliteStore(handle.db), bad, () => false))).toEqual({
      status: 400,
      code: 'invalid_request',
      message: 'Invalid steps.1.dependsOn.0: Unknown step "zz"',
      issues: [
        { path: 'steps.1.dependsOn.0', message: 'Unknown step "zz"' },
        {
          path: 'steps.0.prompt',
          message:
            '{{steps.b.result}}: step "b" does not run before this one; add it to dependsOn (directly or through another step)',
        },
        { path: 'steps.1.agentId', message: `No agent with id ${agentId + 100}` },
      ],
    });
    expect(runOnSqlite(listWorkflows(sqliteStore(handle.db)))).toEqual([]);
  });

  it('a deleted agent is unknown; a taken name is a 409 on name', async () => {
    const agents = await makeAgents(sqliteStore(handle.db), ['x', 'gone']);
    runOnSqlite(softDeleteAgent(sqliteStore(handle.db), agents.gone ?? 0));
    const good = await save({
      name: 'nightly',
      steps: [{ key: 'a', agentId: agents.x ?? 0, prompt: 'p' }],
    });
    expect(
      await answerToAsync(() =>
        save({
          name: 'other',
          steps: [{ key: 'a', agentId: agents.gone ?? 0, prompt: 'p' }],
        }),
      ),
    ).toMatchObject({
      status: 400,
      issues: [{ path: 'steps.0.agentId', message: `No agent with id ${agents.gone}` }],
    });
    expect(
      await answerToAsync(() =>
        save({ name: 'nightly', steps: [{ key: 'a', agentId: agents.x ?? 0, prompt: 'p' }] }),
      ),
    ).toMatchObject({
      status: 409,
      issues: [{ path: 'name', message: 'A workflow named "nightly" already exists' }],
    });
    expect(runOnSqlite(listWorkflows(sqliteStore(handle.db))).map((row) => row.id)).toEqual([good.id]);
  });

  it('PATCH replaces the fields given, checks the whole, and saves a new version', async () => {
    const agentId = (await makeAgents(sqliteStore(handle.db), ['x'])).x ?? 0;
    const saved = await save({
      name: 'nightly',
      maxCostUsd: 0.5,
      steps: [
        { key: 'a', agentId, prompt: 'p' },
        { key: 'b', agentId, prompt: '{{steps.a.result}}', dependsOn: ['a'] },
      ],
    });
    // Dropping step a leaves b's reference dangling: refused, and version 1 stays current.
    expect(
      await answerToAsync(() =>
        updateWorkflow(
          sqliteStore(handle.db),
          saved.id,
          { steps: [{ key: 'b', agentId, prompt: '{{steps.a.result}}', dependsOn: [], runIf: 'success' }] },
          () => false,
        ),
      ),
    ).toMatchObject({ status: 400, issues: [{ path: 'steps.0.prompt' }] });
    expect(runOnSqlite(getWorkflow(sqliteStore(handle.db), saved.id))?.version).toBe(1);

    const renamed = await updateWorkflow(
      sqliteStore(handle.db),
      saved.id,
      { name: 'nightly-2', maxParallel: 3 },
      () => false,
    );
    expect(renamed).toMatchObject({ version: 2, name: 'nightly-2', maxParallel: 3, maxCostUsd: 0.5 });
    expect(renamed.steps.map((s) => s.key)).toEqual(['a', 'b']);
    expect(runOnSqlite(listWorkflows(sqliteStore(handle.db)))).toMatchObject([
      { id: saved.id, name: 'nightly-2', version: 2, stepCount: 2 },
    ]);
  });
});

describe('references into a known output schema', () => {
  const health = outputJsonSchemaOf({ builtinKey: SYSTEM_HEALTH_KEY });
  const withShapes: WorkflowAgentContext = {
    ...context,
    outputShape: (agentId) => (agentId === 1 ? health : null),
  };
  const prompts = (prompt: string) =>
    checkWorkflowDraft(
      draft([step('health', { agentId: 1 }), step('next', { prompt, dependsOn: ['health'] })]),
      withShapes,
    );

  it('accepts a path the schema has, and an optional one with a default', () => {
    expect(
      prompts('{{steps.health.output.status}} {{steps.health.output.findings.0.message | default: "none"}}')
        .ok,
    ).toBe(true);
  });

  it.each([
    [
      '{{steps.health.output.statsu}}',
      '{{steps.health.output.statsu}}: no "statsu" in the output (it has status, summary, findings, recommendations, figures)',
    ],
    [
      '{{steps.health.output.findings.first}}',
      '{{steps.health.output.findings.first}}: no "first" in output.findings (it is a list: use an index, e.g. .0)',
    ],
    [
      '{{steps.health.output.status.code}}',
      '{{steps.health.output.status.code}}: no "code" in output.status (it is a plain value)',
    ],
    [
      '{{steps.health.output.figures.load1}}',
      '{{steps.health.output.figures.load1}} may have no value (the field is optional): give it a default, {{steps.health.output.figures.load1 | default: "none"}}',
    ],
  ])('refuses %s at save time', (prompt, message) => {
    expect(prompts(prompt)).toEqual({ ok: false, issues: [{ path: 'steps.1.prompt', message }] });
  });
});
