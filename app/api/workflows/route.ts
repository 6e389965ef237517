import {
  workflowDefinitionSchema,
  workflowListResponseSchema,
  workflowResponseSchema,
} from '@/lib/contracts/workflows';
import { execute } from '@/lib/db/plan';
import { listWorkflows } from '@/lib/db/queries/workflows';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';
import { createWorkflow } from '@/lib/workflows/definitions';

export const dynamic = 'force-dynamic';

export const GET = route(
  { doc: { summary: 'List the workflows', response: workflowListResponseSchema } },
  async () => {
    const store = getStore();
    return json({ items: await execute(store, listWorkflows(store)) });
  },
);

/** 400 with every issue (each naming its step and field) and nothing saved; 409 when the name is taken. */
export const POST = route(
  {
    body: workflowDefinitionSchema,
    doc: { summary: 'Create a workflow', status: 201, response: workflowResponseSchema, errors: [409] },
  },
  async ({ body }) => json({ workflow: await createWorkflow(getStore(), body) }, 201),
);
