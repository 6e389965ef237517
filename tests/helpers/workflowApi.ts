import type {
  WorkflowDefinitionInput,
  WorkflowDto,
  WorkflowInputValues,
  WorkflowRunDto,
  WorkflowRunStepDto,
} from '../../src/lib/contracts/workflows';
import type { ApiClient } from './api';
import type { ScriptedModelServer } from './scriptedModelServer';

/** Workflows through the API, as a script would drive them (Bearer token). */
export function workflowApi(api: ApiClient) {
  return {
    async create(definition: WorkflowDefinitionInput): Promise<WorkflowDto> {
      const { status, body } = await api.call('POST', '/api/workflows', definition);
      if (status !== 201) throw new Error(`create workflow failed: ${status} ${JSON.stringify(body)}`);
      return (body as { workflow: WorkflowDto }).workflow;
    },
    async start(workflowId: number, input?: WorkflowInputValues): Promise<WorkflowRunDto> {
      const { status, body } = await api.call(
        'POST',
        `/api/workflows/${workflowId}/runs`,
        input ? { input } : {},
      );
      if (status !== 201) throw new Error(`start workflow failed: ${status} ${JSON.stringify(body)}`);
      return (body as { run: WorkflowRunDto }).run;
    },
    async get(runId: number): Promise<WorkflowRunDto> {
      const { status, body } = await api.call('GET', `/api/workflow-runs/${runId}`);
      if (status !== 200) throw new Error(`read workflow run failed: ${status} ${JSON.stringify(body)}`);
      return (body as { run: WorkflowRunDto }).run;
    },
    /** Polls until `done` holds for the run (default: it ended), or fails after the deadline. */
    async waitFor(
      runId: number,
      done: (run: WorkflowRunDto) => boolean = (run) => run.finishedAt !== null,
      timeoutMs = 90_000,
    ): Promise<WorkflowRunDto> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await this.get(runId);
        if (done(run)) return run;
        if (Date.now() > deadline)
          throw new Error(`workflow run ${runId} not there in time: ${JSON.stringify(run)}`);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    },
  };
}

export function stepOf(run: WorkflowRunDto, key: string): WorkflowRunStepDto {
  const step = run.steps.find((candidate) => candidate.key === key);
  if (!step) throw new Error(`workflow run ${run.id} has no step ${key}`);
  return step;
}

/** Each step's status, by key. */
export const statusesOf = (run: WorkflowRunDto): Record<string, string> =>
  Object.fromEntries(run.steps.map((step) => [step.key, step.status]));

/** What the agents sent the model server for one script, each request's body as JSON text. */
export function requestsFor(model: ScriptedModelServer, key: string): string[] {
  return model.requests
    .filter((request) => request.key === key)
    .map((request) => JSON.stringify(request.body));
}
