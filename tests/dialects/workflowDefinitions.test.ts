import { expect, it } from 'vitest';
import { execute } from '../../src/lib/db/plan';
import { getWorkflow, getWorkflowVersion, listWorkflows } from '../../src/lib/db/queries/workflows';
import { createWorkflow, updateWorkflow } from '../../src/lib/workflows/definitions';
import { answerToAsync } from '../helpers/answers';
import { describeOnEachDialect, insertAgent } from '../helpers/stores';
import { twoStepDefinition } from '../helpers/workflowDrafts';

// The workflow definition service the API saves through, on both dialects: its checks against the
// live agents, the name rule (409), and each change saved as a new version beside the old ones.

const definition = twoStepDefinition;

describeOnEachDialect('workflow definitions', (store) => {
  it('creates a checked workflow; an unknown agent is a 400 naming the step, a taken name a 409, and neither saves', async () => {
    const agentId = await insertAgent(store(), 'writer');
    const saved = await createWorkflow(store(), definition('nightly', agentId));
    expect(saved).toMatchObject({ name: 'nightly', version: 1 });
    expect(saved.steps.map((step) => step.key)).toEqual(['fetch', 'sum']);

    expect(
      await answerToAsync(() => createWorkflow(store(), definition('other', agentId + 1000))),
    ).toMatchObject({
      status: 400,
      issues: [
        { path: 'steps.0.agentId', message: `No agent with id ${agentId + 1000}` },
        { path: 'steps.1.agentId', message: `No agent with id ${agentId + 1000}` },
      ],
    });
    expect(await answerToAsync(() => createWorkflow(store(), definition('nightly', agentId)))).toMatchObject({
      status: 409,
      issues: [{ path: 'name', message: 'A workflow named "nightly" already exists' }],
    });
    expect((await execute(store(), listWorkflows(store()))).map((row) => row.name)).toEqual(['nightly']);
  });

  it('an update is a new version; the old one stays readable, and a refused one changes nothing', async () => {
    const agentId = await insertAgent(store(), 'editor');
    const saved = await createWorkflow(store(), definition('weekly', agentId, { maxParallel: 1 }));
    const updated = await updateWorkflow(store(), saved.id, { name: 'weekly-2', maxParallel: 3 });
    expect(updated).toMatchObject({ id: saved.id, version: 2, name: 'weekly-2', maxParallel: 3 });

    const refused = await answerToAsync(() =>
      updateWorkflow(store(), saved.id, {
        steps: [{ key: 'sum', agentId, prompt: '{{steps.fetch.result}}', dependsOn: [], runIf: 'success' }],
      }),
    );
    expect(refused).toMatchObject({ status: 400, issues: [{ path: 'steps.0.prompt' }] });
    expect(await execute(store(), getWorkflow(store(), saved.id))).toMatchObject({
      version: 2,
      name: 'weekly-2',
    });
    expect(await execute(store(), getWorkflowVersion(store(), saved.id, 1))).toMatchObject({
      name: 'weekly',
      maxParallel: 1,
    });
    expect(await answerToAsync(() => updateWorkflow(store(), 999_999, { maxParallel: 2 }))).toMatchObject({
      status: 404,
    });
  });
});
