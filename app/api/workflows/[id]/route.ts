import { updateWorkflowSchema, workflowResponseSchema } from '@/lib/contracts/workflows';
import { notFound } from '@/lib/core/errors';
import { execute, transaction } from '@/lib/db/plan';
import { getWorkflow, softDeleteWorkflow } from '@/lib/db/queries/workflows';
import { getStore } from '@/lib/db/store';
import { idParam, json, route } from '@/lib/http/route';
import { updateWorkflow } from '@/lib/workflows/definitions';

export const dynamic = 'force-dynamic';

export const GET = route(
  { params: idParam, doc: { summary: 'One workflow', response: workflowResponseSchema } },
  async ({ params }) => {
    const store = getStore();
    const workflow = await execute(store, getWorkflow(store, params.id));
    if (!workflow) throw notFound('Workflow');
    return json({ workflow });
  },
);

/** The fields given replace the current ones; the whole is checked again and saved as a new version. */
export const PATCH = route(
  {
    params: idParam,
    body: updateWorkflowSchema,
    doc: {
      summary: 'Change a workflow (saved as a new version)',
      response: workflowResponseSchema,
      errors: [409],
    },
  },
  async ({ params, body }) => json({ workflow: await updateWorkflow(getStore(), params.id, body) }),
);

/** Its runs stay, with the version each ran. */
export const DELETE = route(
  { params: idParam, doc: { summary: 'Delete a workflow (its runs stay)' } },
  async ({ params }) => {
    const deleted = await transaction(getStore(), (tx) => softDeleteWorkflow(tx, params.id, Date.now()));
    if (!deleted) throw notFound('Workflow');
    return new Response(null, { status: 204 });
  },
);
