import { type WorkflowDefinitionInput, workflowDefinitionSchema } from '../../src/lib/contracts/workflows';

/** A two-step workflow of one agent (fetch, then sum up what it fetched) with one required input. */
export const twoStepDefinition = (
  name: string,
  agentId: number,
  extra: Partial<WorkflowDefinitionInput> = {},
) =>
  workflowDefinitionSchema.parse({
    name,
    steps: [
      { key: 'fetch', agentId, prompt: 'Fetch {{input.url}}.' },
      { key: 'sum', agentId, prompt: 'Sum up {{steps.fetch.result}}.', dependsOn: ['fetch'] },
    ],
    inputs: [{ name: 'url', required: true }],
    ...extra,
  });
