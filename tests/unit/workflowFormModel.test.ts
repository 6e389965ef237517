import { describe, expect, it } from 'vitest';
import {
  agentContext,
  dependencyChoices,
  errorsFromIssues,
  newStep,
  removeStep,
  renameStep,
  toWorkflowDraft,
  valuesFromWorkflow,
} from '../../src/components/features/workflows/workflowFormModel';
import type { WorkflowDto, WorkflowRunSummaryDto } from '../../src/lib/contracts/workflows';
import { mergeRunSummary, runDurationMs } from '../../src/lib/presentation/workflowRuns';
import { checkWorkflowDraft } from '../../src/lib/workflows/validate';

const agents = [
  { id: 1, name: 'Gatherer', structured: false },
  { id: 2, name: 'System Health Reporter', structured: true },
];

const saved: WorkflowDto = {
  id: 7,
  version: 3,
  createdAt: 1,
  updatedAt: 2,
  name: 'Host check',
  description: 'Scan and report',
  inputs: [{ name: 'host', label: 'Host', required: true }],
  maxCostUsd: 0.5,
  maxParallel: 2,
  steps: [
    { key: 'health', agentId: 2, prompt: 'Check {{input.host}}', dependsOn: [], runIf: 'success' },
    {
      key: 'report',
      agentId: 1,
      prompt: 'Report {{steps.health.output.summary}}',
      dependsOn: ['health'],
      runIf: 'always',
      timeoutSeconds: 120,
      runRetries: 0,
    },
  ],
};

describe('the workflow editor’s form', () => {
  it('holds a saved workflow as text and gives back the same definition', () => {
    const check = checkWorkflowDraft(toWorkflowDraft(valuesFromWorkflow(saved)), agentContext(agents));
    const { id: _id, version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...definition } = saved;
    expect(check).toEqual({ ok: true, definition });
  });

  it('runs the API’s checks in the browser, agents included', () => {
    const values = valuesFromWorkflow(saved);
    const noAgent = { ...values, steps: [...values.steps, { ...newStep(values.steps), prompt: 'Hi' }] };
    const wrongOutput = {
      ...values,
      steps: values.steps.map((step) => (step.key === 'health' ? { ...step, agentId: '1' } : step)),
    };
    const issues = (draft: typeof values) => {
      const check = checkWorkflowDraft(toWorkflowDraft(draft), agentContext(agents));
      return check.ok ? [] : check.issues;
    };

    expect(issues(noAgent)).toEqual([{ path: 'steps.2.agentId', message: 'Pick an agent' }]);
    expect(issues(wrongOutput)).toEqual([
      {
        path: 'steps.1.prompt',
        message: expect.stringContaining('the agent of step "health" returns no structured output'),
      },
    ]);
    expect(issues({ ...values, maxCostUsd: '', maxParallel: '' })).toEqual([]);
  });

  it.each([
    ['steps.2.dependsOn.0', 'steps.2.dependsOn'],
    ['steps.0.dependsOn', 'steps.0.dependsOn'],
    ['steps.1.prompt', 'steps.1.prompt'],
    ['inputs.1.name', 'inputs.1.name'],
    ['maxParallel', 'maxParallel'],
    ['steps', 'steps'],
    ['steps.3', 'steps'],
    ['(root)', 'form'],
    ['input.host', 'form'],
  ])('shows the issue at %s beside %s', (path, place) => {
    expect(errorsFromIssues([{ path, message: 'bad' }])).toEqual({ [place]: 'bad' });
  });

  it('keeps the first message for a place', () => {
    const errors = errorsFromIssues([
      { path: 'steps.0.dependsOn.0', message: 'first' },
      { path: 'steps.0.dependsOn.1', message: 'second' },
    ]);
    expect(errors).toEqual({ 'steps.0.dependsOn': 'first' });
  });

  it('a renamed step takes its dependants along; a removed one leaves none behind', () => {
    const { steps } = valuesFromWorkflow(saved);
    const renamed = renameStep(steps, 0, 'probe');
    expect(renamed.map((step) => [step.key, step.dependsOn])).toEqual([
      ['probe', []],
      ['report', ['probe']],
    ]);
    expect(removeStep(renamed, 0).map((step) => [step.key, step.dependsOn])).toEqual([['report', []]]);
  });

  it('offers every other named step as a dependency, and fresh keys that are free', () => {
    const { steps } = valuesFromWorkflow(saved);
    const next = newStep(steps);
    expect(next.key).toBe('step3');
    expect(dependencyChoices([...steps, next, { ...newStep(steps), key: '' }], 2)).toEqual([
      'health',
      'report',
    ]);
    expect(newStep([{ ...next, key: 'step2' }]).key).toBe('step3');
  });
});

describe('the live workflow run lists', () => {
  const summary = (id: number, status: WorkflowRunSummaryDto['status']): WorkflowRunSummaryDto => ({
    id,
    workflowId: 1,
    workflowName: 'w',
    workflowVersion: 1,
    status,
    stopping: null,
    trigger: 'manual',
    scheduleId: null,
    spendUsd: 0,
    budgetUsd: null,
    stepCount: 1,
    stepsEnded: 0,
    createdAt: id,
    startedAt: null,
    finishedAt: null,
    error: null,
  });

  it('puts a new run first, replaces a known one, and keeps the limit', () => {
    const list = [summary(3, 'running'), summary(2, 'completed')];
    expect(mergeRunSummary(list, summary(4, 'queued'), 2).map((run) => run.id)).toEqual([4, 3]);
    expect(mergeRunSummary(list, summary(3, 'completed'), 2)).toEqual([
      summary(3, 'completed'),
      summary(2, 'completed'),
    ]);
  });

  it('times a run to its end, or to now while it runs', () => {
    expect(runDurationMs({ startedAt: null, finishedAt: null }, 50)).toBeNull();
    expect(runDurationMs({ startedAt: 10, finishedAt: null }, 50)).toBe(40);
    expect(runDurationMs({ startedAt: 10, finishedAt: 30 }, 50)).toBe(20);
  });
});
