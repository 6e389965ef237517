import { updateWorkflowSchema, workflowResponseSchema } from '@/lib/contracts/workflows';
import { notFound } from '@/lib/core/errors';
import { getDb } from '@/lib/db';
import { getWorkflow, softDeleteWorkflow } from '@/lib/db/queries/workflows';
import { idParam, json, route } from '@/lib/http/route';
import { structuredOutputCheck, updateWorkflow } from '@/lib/workflows/definitions';

export const dynamic = 'force-dynamic';

export const GET = route(
  { params: idParam, doc: { summary: 'One workflow', response: workflowResponseSchema } },
  ({ params }) => {
    const workflow = getWorkflow(getDb(), params.id);
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
  ({ params, body }) => {
    const db = getDb();
    return json({ workflow: updateWorkflow(db, params.id, body, structuredOutputCheck(db)) });
  },
);

/** Its runs stay, with the version each ran. */
export const DELETE = route(
  { params: idParam, doc: { summary: 'Delete a workflow (its runs stay)' } },
  ({ params }) => {
    if (!softDeleteWorkflow(getDb(), params.id, Date.now())) throw notFound('Workflow');
    return new Response(null, { status: 204 });
  },
);
